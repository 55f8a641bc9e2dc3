/* kvssignaling fuzzing: SigV4 verification as the local service does it
 * (gst_kvs_sigv4_verify_presigned, gst_kvs_sigv4_verify_headers) on hostile
 * query strings and Authorization headers, and sign/verify agreement on
 * fuzzed URLs and bodies.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: byte 0 picks the mode, the rest is split at '\n':
 *   0: presigned   "<path>\n<query>\n<host>"
 *   1: headers     "<method>\n<path>\n<query>\n<Name: value>...\n\n<body>"
 *   2: presign the URL "<url>" and verify what came out (must pass)
 *   3: sign a POST to "<url>\n<body>" and verify it (must pass)
 * The clock is fixed at 2026-11-21T10:00:00Z, the key is AKIDEXAMPLE.
 *
 * Properties: TRUE xor GError (GST_KVS_ERROR, never quoting the secret
 * unless the request itself carried it); on
 * success the access key id is AKIDEXAMPLE; whatever the library signs, it
 * verifies. */
#include "fuzz-common.h"
#include "gstkvssigv4verify.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define REGION "us-west-2"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static GDateTime *fixed_now;
static GstKvsCredentials *creds;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  fixed_now = g_date_time_new_utc (2026, 11, 21, 10, 0, 0);
  creds = gst_kvs_credentials_new (AKID, SECRET, NULL, "fuzz");
  return 0;
}

static const gchar *
lookup (const gchar * access_key_id, gpointer user_data)
{
  return g_strcmp0 (access_key_id, AKID) == 0 ? SECRET : NULL;
}

/* Whether the current input holds the secret itself: an error may quote
 * what the request sent, only never the server's copy of the secret. */
static gboolean input_has_secret;

static void
check_result (gboolean ok, gchar * akid, GError * err)
{
  if (ok) {
    FUZZ_CHECK (err == NULL, "success with an error");
    FUZZ_CHECK (g_strcmp0 (akid, AKID) == 0, "key id %s", akid);
  } else {
    FUZZ_CHECK_ERROR (err);
    FUZZ_CHECK (err->domain == GST_KVS_ERROR, "domain %s",
        g_quark_to_string (err->domain));
    FUZZ_CHECK (input_has_secret || strstr (err->message, SECRET) == NULL,
        "secret in error: %s", err->message);
  }
}

/* What a server's HTTP parser would let through as a header. */
static gboolean
header_ok (const gchar * name, const gchar * value)
{
  const gchar *p;

  if (name[0] == '\0')
    return FALSE;
  for (p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("!#$%&'*+-.^_`|~", *p))
      return FALSE;
  for (p = value; *p; p++)
    if (*p == '\r' || *p == '\n')
      return FALSE;
  return g_utf8_validate (value, -1, NULL);
}

static void
mode_presigned (const uint8_t * data, size_t size)
{
  g_auto (GStrv) f = fuzz_fields (data, size, 3);
  g_autoptr (GError) err = NULL;
  g_autofree gchar *akid = NULL;
  gboolean ok;

  ok = gst_kvs_sigv4_verify_presigned ("GET", f[0][0] ? f[0] : "/", f[1],
      f[2], REGION, GST_KVS_SIGV4_SERVICE, lookup, NULL, fixed_now, &akid,
      &err);
  check_result (ok, akid, err);
}

static void
mode_headers (const uint8_t * data, size_t size)
{
  g_autofree gchar *s = fuzz_strndup (data, size);
  g_auto (GStrv) lines = g_strsplit (s, "\n", -1);
  SoupMessageHeaders *headers =
      soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr (GString) body = g_string_new (NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *akid = NULL;
  const gchar *method = "POST", *path = "/", *query = NULL;
  guint n = g_strv_length (lines), i = 0;
  gboolean ok;

  if (i < n)
    method = lines[i++];
  if (i < n)
    path = lines[i++];
  if (i < n) {
    query = lines[i][0] ? lines[i] : NULL;
    i++;
  }
  for (; i < n && lines[i][0] != '\0'; i++) {
    gchar *colon = strchr (lines[i], ':');

    if (colon == NULL)
      continue;
    *colon = '\0';
    if (header_ok (lines[i], g_strstrip (colon + 1)))
      soup_message_headers_append (headers, lines[i], colon + 1);
  }
  for (i++; i < n; i++) {
    g_string_append (body, lines[i]);
    if (i + 1 < n)
      g_string_append_c (body, '\n');
  }
  bytes = g_bytes_new (body->str, body->len);

  if (method[0] == '\0')
    method = "POST";
  if (path[0] == '\0')
    path = "/";
  ok = gst_kvs_sigv4_verify_headers (method, path, query, headers, bytes,
      REGION, GST_KVS_SIGV4_SERVICE, lookup, NULL, fixed_now, &akid, &err);
  check_result (ok, akid, err);
  soup_message_headers_unref (headers);
}

/* host_header_for() of gstkvssigv4.c, as a client would send it. */
static gchar *
host_of (GUri * uri)
{
  const gchar *scheme = g_uri_get_scheme (uri);
  const gchar *host = g_uri_get_host (uri);
  gint port = g_uri_get_port (uri);
  gint def = (g_ascii_strcasecmp (scheme, "https") == 0
      || g_ascii_strcasecmp (scheme, "wss") == 0) ? 443 : 80;
  gboolean ipv6 = strchr (host, ':') != NULL;

  if (port > 0 && port != def)
    return g_strdup_printf (ipv6 ? "[%s]:%d" : "%s:%d", host, port);
  return g_strdup_printf (ipv6 ? "[%s]" : "%s", host);
}

static void
mode_presign_roundtrip (const uint8_t * data, size_t size)
{
  g_auto (GStrv) f = fuzz_fields (data, size, 2);
  g_autoptr (GError) err = NULL;
  g_autoptr (GError) err2 = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *host = NULL;
  g_autofree gchar *akid = NULL;
  gboolean ok;

  if (fuzz_known ("presign-host")) {
    const gchar *auth = strstr (f[0], "://");
    gsize n = auth ? strcspn (auth + 3, "/?#") : 0;

    /* crashes/sigv4-verify/presign-*: escapes or userinfo in the
     * authority. */
    if (auth && (memchr (auth + 3, '%', n) != NULL
            || memchr (auth + 3, '@', n) != NULL))
      return;
  }
  url = gst_kvs_sigv4_presign_url (f[0], creds, REGION,
      GST_KVS_SIGV4_SERVICE, 299, fixed_now, &err);
  if (url == NULL) {
    FUZZ_CHECK_ERROR (err);
    return;
  }
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &err2);
  FUZZ_CHECK (uri != NULL, "presigned URL does not parse: %s: %s", url,
      err2->message);
  FUZZ_CHECK (g_uri_get_query (uri) != NULL, "no query in %s", url);
  host = host_of (uri);
  ok = gst_kvs_sigv4_verify_presigned ("GET", g_uri_get_path (uri),
      g_uri_get_query (uri), host, REGION, GST_KVS_SIGV4_SERVICE, lookup,
      NULL, fixed_now, &akid, &err2);
  FUZZ_CHECK (ok, "own presigned URL refused: %s\n  input %s\n  url %s",
      err2 ? err2->message : "?", f[0], url);
  check_result (ok, akid, err2);
}

static void
mode_sign_roundtrip (const uint8_t * data, size_t size)
{
  g_auto (GStrv) f = fuzz_fields (data, size, 2);
  g_autoptr (GError) err = NULL;
  g_autoptr (GError) err2 = NULL;
  g_autoptr (GBytes) body = g_bytes_new (f[1], strlen (f[1]));
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree gchar *akid = NULL;
  GUri *uri;
  gboolean ok;

  /* Only what libsoup itself would send: http(s) URLs with a host. */
  if (!(g_str_has_prefix (f[0], "http://")
          || g_str_has_prefix (f[0], "https://")))
    return;
  {
    g_autoptr (GUri) probe = g_uri_parse (f[0], SOUP_HTTP_URI_FLAGS, NULL);

    if (probe == NULL || g_uri_get_host (probe) == NULL
        || g_uri_get_host (probe)[0] == '\0')
      return;
  }
  msg = soup_message_new ("POST", f[0]);
  if (msg == NULL)
    return;
  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "Content-Type", "application/json");
  ok = gst_kvs_sigv4_sign_message (msg, body, creds, REGION,
      GST_KVS_SIGV4_SERVICE, fixed_now, &err);
  if (!ok) {
    FUZZ_CHECK_ERROR (err);
    return;
  }
  uri = soup_message_get_uri (msg);
  ok = gst_kvs_sigv4_verify_headers ("POST", g_uri_get_path (uri),
      g_uri_get_query (uri), soup_message_get_request_headers (msg), body,
      REGION, GST_KVS_SIGV4_SERVICE, lookup, NULL, fixed_now, &akid, &err2);
  FUZZ_CHECK (ok, "own signed request refused: %s\n  url %s",
      err2 ? err2->message : "?", f[0]);
  check_result (ok, akid, err2);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  if (size == 0)
    return 0;
  input_has_secret = memmem (data, size, SECRET, strlen (SECRET)) != NULL;
  switch (data[0] % 4) {
    case 0:
      mode_presigned (data + 1, size - 1);
      break;
    case 1:
      mode_headers (data + 1, size - 1);
      break;
    case 2:
      mode_presign_roundtrip (data + 1, size - 1);
      break;
    default:
      mode_sign_roundtrip (data + 1, size - 1);
      break;
  }
  return 0;
}
