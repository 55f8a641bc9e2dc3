/* kvssignaling: what JSON text must pass before json-glib parses it (the
 * guard of json-glib 1.6 against hostile input).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvscodec.h"
#include "gstkvsjson.h"

static gchar *
describe_start (gchar c)
{
  if (c > 0x20 && c < 0x7f)
    return g_strdup_printf ("'%c'", c);
  if ((guchar) c >= 0x80)
    return g_strdup ("a non-ASCII character");
  return g_strdup_printf ("the byte 0x%02x", (guchar) c);
}

/* The value of the "\uXXXX" escape at @p (@end: past the text), or -1. */
static gint
read_u_escape (const gchar * p, const gchar * end)
{
  gint v = 0, k;

  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;
  for (k = 2; k < 6; k++) {
    gint d = g_ascii_xdigit_value (p[k]);

    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

/* NULL when the escape at data[*i] (a backslash) is valid JSON and decodes
 * to UTF-8 text without NUL, *i then left on its last byte; else why not. */
static gchar *
check_escape (const gchar * data, gsize len, gsize * i)
{
  const gchar *p = data + *i, *end = data + len;
  gint u, low;

  if (end - p < 2)
    return g_strdup ("a backslash ends the text");
  if (gst_kvs_json_is_simple_escape (p[1])) {
    *i += 1;
    return NULL;
  }
  if (p[1] != 'u') {
    if (p[1] > 0x20 && p[1] < 0x7f)
      return g_strdup_printf ("\\%c is not a JSON escape", p[1]);
    return g_strdup ("a backslash is followed by a character that is not "
        "a JSON escape");
  }
  u = read_u_escape (p, end);
  if (u < 0)
    return g_strdup ("\\u is not followed by 4 hexadecimal digits");
  if (u == 0)
    return g_strdup ("\\u0000 would put a NUL character in a string");
  if (u >= 0xdc00 && u <= 0xdfff)
    return g_strdup_printf ("\\u%04x is a low surrogate without a high one "
        "before it", u);
  if (u >= 0xd800 && u <= 0xdbff) {
    low = read_u_escape (p + 6, end);
    if (low < 0xdc00 || low > 0xdfff)
      return g_strdup_printf ("\\u%04x is a high surrogate not followed by "
          "a low one", u);
    *i += 11;
    return NULL;
  }
  *i += 5;
  return NULL;
}

gboolean
gst_kvs_json_check_object_text (const gchar * what, const gchar * data,
    gsize len, gsize max_len, GQuark domain, gint code, GError ** error)
{
  const gchar *nul, *end = NULL;
  gboolean in_string = FALSE;
  guint depth = 0;
  gsize i, start;

  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len > max_len) {
    g_set_error (error, domain, code, "%s is %" G_GSIZE_FORMAT " bytes, "
        "more than the %" G_GSIZE_FORMAT " accepted", what, len, max_len);
    return FALSE;
  }
  if (len == 0)
    data = "";
  nul = memchr (data, '\0', len);
  if (nul != NULL) {
    g_set_error (error, domain, code, "%s contains a NUL byte at offset %"
        G_GSIZE_FORMAT, what, (gsize) (nul - data));
    return FALSE;
  }
  if (!g_utf8_validate_len (data, len, &end)) {
    g_set_error (error, domain, code, "%s is not valid UTF-8 (bad byte at "
        "offset %" G_GSIZE_FORMAT ")", what, (gsize) (end - data));
    return FALSE;
  }

  start = 0;
  while (start < len && gst_kvs_json_is_space (data[start]))
    start++;
  if (start == len) {
    g_set_error (error, domain, code, "%s is empty, a JSON object was "
        "expected", what);
    return FALSE;
  }
  if (data[start] != '{') {
    g_autofree gchar *kind = describe_start (data[start]);

    g_set_error (error, domain, code, "%s is not a JSON object: it starts "
        "with %s", what, kind);
    return FALSE;
  }

  for (i = start; i < len; i++) {
    gchar c = data[i];

    if (in_string) {
      if (c == '\\') {
        gsize at = i;
        g_autofree gchar *why = check_escape (data, len, &i);

        if (why != NULL) {
          g_set_error (error, domain, code, "%s has an invalid escape at "
              "offset %" G_GSIZE_FORMAT ": %s", what, at, why);
          return FALSE;
        }
      } else if (c == '"') {
        in_string = FALSE;
      } else if ((guchar) c < 0x20) {
        g_set_error (error, domain, code, "%s has the control character "
            "0x%02x in a string, at offset %" G_GSIZE_FORMAT " (it must be "
            "escaped)", what, (guchar) c, i);
        return FALSE;
      }
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '{' || c == '[') {
      if (++depth > GST_KVS_JSON_MAX_DEPTH) {
        g_set_error (error, domain, code, "%s is nested more than %d levels "
            "deep", what, GST_KVS_JSON_MAX_DEPTH);
        return FALSE;
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      if (--depth == 0)
        break;
    }
  }

  /* Past the object, only white space. */
  for (i++; i < len; i++) {
    if (!gst_kvs_json_is_space (data[i])) {
      g_set_error (error, domain, code, "%s has data after its JSON object, "
          "at offset %" G_GSIZE_FORMAT, what, i);
      return FALSE;
    }
  }
  return TRUE;
}

gchar *
gst_kvs_json_error_text (const GError * json_error)
{
  g_return_val_if_fail (json_error != NULL, NULL);

  return g_utf8_make_valid (json_error->message ? json_error->message : "", -1);
}

gchar *
gst_kvs_json_builder_to_text (JsonBuilder * builder, gsize * length)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, length);
}
