/* kvssignaling: the service's validation rules, shared by the client and the
 * local service.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsvalidation.h"

/* Longest prefix of a value quoted in an error message. */
#define QUOTE_MAX 64

#define ID_ALPHABET "[a-zA-Z0-9_.-]"

gchar *
gst_kvs_validation_quote_value (const gchar * value, gsize len)
{
  g_autofree gchar *head = NULL;
  g_autofree gchar *escaped = NULL;
  gboolean truncated;

  if (value == NULL)
    return g_strdup ("(null)");
  if (len == (gsize) - 1)
    len = strlen (value);

  truncated = len > QUOTE_MAX;
  head = g_strndup (value, truncated ? QUOTE_MAX : len);
  /* Escapes quotes, control characters and every byte >= 0x7f, so the text
   * is printable ASCII whatever the input was. */
  escaped = g_strescape (head, NULL);

  return g_strdup_printf ("'%s'%s", escaped, truncated ? "..." : "");
}

static gboolean
is_id_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.' || c == '-';
}

static gchar *
describe_byte (guchar c)
{
  if (c >= 0x21 && c < 0x7f)
    return g_strdup_printf ("'%c'", c);
  if (c == ' ')
    return g_strdup ("a space");
  if (c >= 0x80)
    return g_strdup_printf ("the non-ASCII byte 0x%02x", c);
  return g_strdup_printf ("the control character 0x%02x", c);
}

/* Shared by ids and channel names: @code is reported for every failure when
 * not -1, else the id codes are used. */
static gboolean
validate_name (const gchar * what, const gchar * value, gint code,
    GError ** error)
{
  gsize len, i;

  if (value == NULL || *value == '\0') {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        code >= 0 ? code : GST_KVS_VALIDATION_ERROR_ID_EMPTY,
        "%s %s: it must be 1 to %d characters of " ID_ALPHABET, what,
        value == NULL ? "is missing" : "is empty", GST_KVS_ID_MAX_LENGTH);
    return FALSE;
  }

  len = strlen (value);
  if (len > GST_KVS_ID_MAX_LENGTH) {
    g_autofree gchar *quoted = gst_kvs_validation_quote_value (value, len);

    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        code >= 0 ? code : GST_KVS_VALIDATION_ERROR_ID_TOO_LONG,
        "%s %s is %" G_GSIZE_FORMAT " characters long, more than the "
        "limit of %d", what, quoted, len, GST_KVS_ID_MAX_LENGTH);
    return FALSE;
  }

  for (i = 0; i < len; i++) {
    guchar c = (guchar) value[i];

    if (!is_id_char (c)) {
      g_autofree gchar *quoted = gst_kvs_validation_quote_value (value, len);
      g_autofree gchar *bad = describe_byte (c);

      g_set_error (error, GST_KVS_VALIDATION_ERROR,
          code >= 0 ? code : GST_KVS_VALIDATION_ERROR_ID_CHARACTERS,
          "%s %s contains %s at position %" G_GSIZE_FORMAT
          "; only " ID_ALPHABET " are allowed", what, quoted, bad, i);
      return FALSE;
    }
  }

  return TRUE;
}

gboolean
gst_kvs_validate_id (const gchar * what, const gchar * value, GError ** error)
{
  return validate_name (what ? what : "id", value, -1, error);
}

gboolean
gst_kvs_validate_viewer_client_id (const gchar * value, GError ** error)
{
  if (!validate_name ("client id", value, -1, error))
    return FALSE;

  /* AWS documents the rule as "must not start with AWS_"; like the
   * service's own pattern it is case-sensitive: "aws_1" is accepted. */
  if (g_str_has_prefix (value, "AWS_")) {
    g_autofree gchar *quoted = gst_kvs_validation_quote_value (value, -1);

    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_CLIENT_ID_RESERVED,
        "client id %s must not start with AWS_ (prefix reserved by AWS)",
        quoted);
    return FALSE;
  }

  return TRUE;
}

gboolean
gst_kvs_validate_channel_name (const gchar * value, GError ** error)
{
  return validate_name ("channel name", value,
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, error);
}

static gboolean
is_base64_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/' || c == '=';
}

gboolean
gst_kvs_validate_payload (const gchar * base64_payload, gsize max_payload,
    GError ** error)
{
  gsize len, i;

  if (max_payload == 0)
    max_payload = GST_KVS_DEFAULT_MAX_PAYLOAD;

  if (base64_payload == NULL || *base64_payload == '\0') {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_PAYLOAD_EMPTY,
        "message payload %s: it must be 1 to %" G_GSIZE_FORMAT
        " base64 characters", base64_payload == NULL ? "is missing" :
        "is empty", max_payload);
    return FALSE;
  }

  len = strlen (base64_payload);
  if (len > max_payload) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_PAYLOAD_TOO_LARGE,
        "message payload is %" G_GSIZE_FORMAT " base64 characters, more "
        "than the limit of %" G_GSIZE_FORMAT, len, max_payload);
    return FALSE;
  }

  for (i = 0; i < len; i++) {
    guchar c = (guchar) base64_payload[i];

    if (!is_base64_char (c)) {
      g_autofree gchar *bad = describe_byte (c);

      g_set_error (error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,
          "message payload contains %s at position %" G_GSIZE_FORMAT
          ", which is not a base64 character", bad, i);
      return FALSE;
    }
  }

  return TRUE;
}

gboolean
gst_kvs_validate_base64 (const gchar * what, const gchar * value, gsize len,
    GError ** error)
{
  gsize i, padding = 0;

  if (what == NULL)
    what = "value";
  if (value == NULL) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "%s is missing", what);
    return FALSE;
  }
  if (len == (gsize) - 1)
    len = strlen (value);

  if (len % 4 != 0) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,
        "%s is not base64: its length %" G_GSIZE_FORMAT
        " is not a multiple of 4", what, len);
    return FALSE;
  }

  for (i = 0; i < len; i++) {
    guchar c = (guchar) value[i];

    if (c == '=') {
      padding++;
      continue;
    }
    if (!is_base64_char (c) || padding > 0) {
      g_autofree gchar *bad = describe_byte (c);

      g_set_error (error, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,
          padding > 0 && is_base64_char (c) ?
          "%s is not base64: %s at position %" G_GSIZE_FORMAT
          " follows the '=' padding" :
          "%s is not base64: %s at position %" G_GSIZE_FORMAT
          " is not a base64 character", what, bad, i);
      return FALSE;
    }
  }

  if (padding > 2) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,
        "%s is not base64: it ends with %" G_GSIZE_FORMAT
        " '=' characters, at most 2 are allowed", what, padding);
    return FALSE;
  }

  return TRUE;
}
