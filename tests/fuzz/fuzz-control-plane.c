/* kvssignaling fuzzing: REST replies of the control plane, as the calls
 * check them (gst_kvs_control_plane_parse_*_reply), and the TURN URIs made
 * from a GetIceServerConfig reply.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: byte 0 picks the operation (0..4 a 2xx reply of Describe, Create,
 * Delete, GetSignalingChannelEndpoint, GetIceServerConfig; 5 an error
 * reply), the rest is the body. For 5 the rest is
 * "<status>\n<x-amzn-ErrorType>\n<reason phrase>\n<body>".
 *
 * Properties: result xor GError (GST_KVS_ERROR_PROTOCOL for 2xx replies);
 * every promised field is set; an error reply always gives a UTF-8 GError
 * naming the operation and status; the secret key and session token given
 * for redaction never appear in it, wherever the server put them. */
#include "fuzz-common.h"
#include "gstkvscontrolplane.h"
#include "gstkvsiceserver.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "FQoGZXIvYXdzEXAMPLETOKEN"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_protocol_error (gpointer result, GError * err)
{
  if (result != NULL) {
    FUZZ_CHECK (err == NULL, "result and error both set");
    return;
  }
  FUZZ_CHECK_ERROR (err);
  FUZZ_CHECK (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL),
      "2xx reply failed with %s %d: %s", g_quark_to_string (err->domain),
      err->code, err->message);
}

static void
check_ice_servers (GPtrArray * servers)
{
  guint i, j;

  for (i = 0; i < servers->len; i++) {
    GstKvsIceServer *s = g_ptr_array_index (servers, i);

    FUZZ_CHECK (s->uris && s->uris[0], "ICE server without URIs");
    FUZZ_CHECK (s->username && s->password, "ICE server without user");
    FUZZ_CHECK (s->ttl > 0, "ttl 0");
    for (j = 0; s->uris[j]; j++) {
      g_autofree gchar *turn = gst_kvs_ice_server_to_gst_turn_uri (s, j);
      g_autoptr (GUri) parsed = NULL;

      if (turn == NULL)
        continue;
      FUZZ_CHECK (g_str_has_prefix (turn, "turn://")
          || g_str_has_prefix (turn, "turns://"), "TURN URI %s", turn);
      /* webrtcbin parses it with gst_uri_from_string; it must at least be
       * a URI with a host and a user. */
      parsed = g_uri_parse (turn, G_URI_FLAGS_ENCODED, NULL);
      FUZZ_CHECK (fuzz_known ("turn-uri") || (parsed != NULL
              && g_uri_get_host (parsed) != NULL
              && g_uri_get_host (parsed)[0] != '\0'
              && g_uri_get_userinfo (parsed) != NULL), "bad TURN URI %s", turn);
    }
    /* Out of range. */
    FUZZ_CHECK (gst_kvs_ice_server_to_gst_turn_uri (s, j) == NULL,
        "URI past the end");
  }
}

/* Whether @s holds 12 or more consecutive bytes of @secret. */
static gboolean
has_part_of (const gchar * s, const gchar * secret)
{
  gsize n = strlen (secret), i;

  for (i = 0; i + 12 <= n; i++) {
    g_autofree gchar *part = g_strndup (secret + i, 12);

    if (strstr (s, part))
      return TRUE;
  }
  return FALSE;
}

static void
error_reply (const uint8_t * data, size_t size)
{
  g_auto (GStrv) f = fuzz_fields (data, size, 4);
  const gchar *redact[] = { SECRET, TOKEN, NULL };
  g_autoptr (GError) err = NULL;
  g_autofree gchar *suffix = NULL;
  guint64 status = g_ascii_strtoull (f[0], NULL, 10);
  const gchar *type = f[1][0] ? f[1] : NULL;
  const gchar *reason = f[2][0] ? f[2] : NULL;

  if (status < 300 || status > 599)
    status = 400;
  err = gst_kvs_control_plane_parse_error_reply ("DescribeSignalingChannel",
      (guint) status, reason, type, f[3], strlen (f[3]), redact);
  FUZZ_CHECK_ERROR (err);
  FUZZ_CHECK (err->domain == GST_KVS_ERROR, "domain %s",
      g_quark_to_string (err->domain));
  suffix = g_strdup_printf ("(DescribeSignalingChannel, HTTP %u)",
      (guint) status);
  FUZZ_CHECK (g_str_has_suffix (err->message, suffix), "message %s",
      err->message);
  FUZZ_CHECK (strstr (err->message, SECRET) == NULL, "secret in %s",
      err->message);
  FUZZ_CHECK (strstr (err->message, TOKEN) == NULL, "token in %s",
      err->message);
  /* Nor a part of one cut at the length limit, unless the reply held that
   * part outside a whole secret (a near-copy is not the secret). */
  {
    g_autoptr (GString) rest = g_string_new (NULL);

    g_string_append_printf (rest, "%s\n%s\n%s", f[1], f[2], f[3]);
    g_string_replace (rest, SECRET, "<redacted>", 0);
    if (!has_part_of (rest->str, SECRET))
      FUZZ_CHECK (!has_part_of (err->message, SECRET), "part of the secret "
          "in %s", err->message);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  const gchar *body;
  gsize len;
  GError *err = NULL;

  if (size == 0)
    return 0;
  body = (const gchar *) data + 1;
  len = size - 1;

  switch (data[0] % 6) {
    case 0:{
      GstKvsChannelInfo *info =
          gst_kvs_control_plane_parse_describe_reply (body, len, &err);

      check_protocol_error (info, err);
      if (info) {
        GstKvsChannelInfo *copy = gst_kvs_channel_info_copy (info);

        FUZZ_CHECK (info->arn && info->arn[0] && info->name
            && info->name[0], "describe without ARN or name");
        FUZZ_CHECK (g_strcmp0 (copy->arn, info->arn) == 0, "copy");
        gst_kvs_channel_info_free (copy);
      }
      gst_kvs_channel_info_free (info);
      break;
    }
    case 1:{
      gchar *arn = gst_kvs_control_plane_parse_create_reply (body, len,
          &err);

      check_protocol_error (arn, err);
      FUZZ_CHECK (arn == NULL || arn[0] != '\0', "empty ARN");
      g_free (arn);
      break;
    }
    case 2:{
      gboolean ok = gst_kvs_control_plane_parse_delete_reply (body, len,
          &err);

      check_protocol_error (ok ? GINT_TO_POINTER (1) : NULL, err);
      break;
    }
    case 3:{
      GstKvsEndpoints *ep =
          gst_kvs_control_plane_parse_endpoints_reply (body, len, &err);

      check_protocol_error (ep, err);
      if (ep)
        FUZZ_CHECK (ep->wss && ep->https, "endpoint missing");
      gst_kvs_endpoints_free (ep);
      break;
    }
    case 4:{
      GPtrArray *servers =
          gst_kvs_control_plane_parse_ice_server_config_reply (body, len,
          &err);

      check_protocol_error (servers, err);
      if (servers) {
        check_ice_servers (servers);
        g_ptr_array_unref (servers);
      }
      break;
    }
    default:
      error_reply ((const uint8_t *) body, len);
      break;
  }
  g_clear_error (&err);
  return 0;
}
