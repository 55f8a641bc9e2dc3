/* kvssignaling: what JSON text must pass before json-glib parses it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsjson.h"
#include "gstkvsstring.h"

static gboolean
is_json_space (gchar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

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

/* The characters a two-character escape may have after its '\\' (the
 * "\\uXXXX" escapes go to json-glib). */
static inline gboolean
is_simple_escape (gchar c)
{
  switch (c) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      return TRUE;
    default:
      return FALSE;
  }
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
  if (is_simple_escape (p[1])) {
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
  while (start < len && is_json_space (data[start]))
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
    if (!is_json_space (data[i])) {
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

/* ---- the fast path ---- */

/* 1 for the bytes a string scan stops at: '"', '\\', control characters
 * and the first byte of every non-ASCII character. */
static const guint8 string_stop[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* The first byte from @p on that may need a look: a control character,
 * '"', '\\', 0x7f or a non-ASCII byte (a superset of string_stop and
 * generator_escape, so the byte loops stay exact). Eight bytes at a time:
 * the strings here are SDPs and base64 payloads of 10 KB, and the byte
 * loop was the largest single cost of a frame (perf). */
static inline const gchar *
skip_plain (const gchar * p, const gchar * end)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);

  while (end - p >= 8) {
    guint64 w, quote, bslash, del, special;

    memcpy (&w, p, 8);
    quote = w ^ (ones * '"');
    bslash = w ^ (ones * '\\');
    del = w ^ (ones * 0x7f);
    /* (x - ones) & ~x & highs is non-zero when a byte of x is zero;
     * (w - 0x20 per byte) & ~w & highs when a byte of w is below 0x20 */
    special = ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) |
        ((del - ones) & ~del) | ((w - ones * 0x20) & ~w) | w;
    if (special & highs)
      break;
    p += 8;
  }
  return p;
}

static const gchar *
skip_space (const gchar * p, const gchar * end)
{
  while (p < end && is_json_space (*p))
    p++;
  return p;
}

/* @p is past an opening quote: the closing quote, or NULL when the string
 * is not one the fast path takes (a "\u" escape, a control character,
 * invalid UTF-8, no end). */
static const gchar *
scan_string (const gchar * p, const gchar * end, gboolean * escaped)
{
  const gchar *start = p;
  gboolean high = FALSE;

  *escaped = FALSE;
  while (p < end) {
    guchar c;

    p = skip_plain (p, end);
    if (p == end)
      break;
    c = (guchar) * p;
    if (!string_stop[c]) {
      p++;
      continue;
    }
    if (c == '"') {
      if (high && !g_utf8_validate_len (start, p - start, NULL))
        return NULL;
      return p;
    }
    if (c == '\\') {
      if (end - p < 2 || !is_simple_escape (p[1]))
        return NULL;
      *escaped = TRUE;
      p += 2;
      continue;
    }
    if (c < 0x20)
      return NULL;
    high = TRUE;
    p++;
  }
  return NULL;
}

gboolean
gst_kvs_json_scan_flat (const gchar * data, gsize len, gsize max_len,
    GstKvsJsonField * fields, guint n_fields)
{
  const gchar *p, *end;
  guint f;

  for (f = 0; f < n_fields; f++) {
    fields[f].kind = GST_KVS_JSON_ABSENT;
    fields[f].start = NULL;
    fields[f].len = 0;
    fields[f].escaped = FALSE;
    fields[f].value = 0;
  }
  if (data == NULL || len > max_len)
    return FALSE;

  end = data + len;
  p = skip_space (data, end);
  if (p == end || *p != '{')
    return FALSE;
  p = skip_space (p + 1, end);
  if (p < end && *p == '}') {
    p++;
  } else {
    while (TRUE) {
      const gchar *key, *key_end;
      GstKvsJsonField *field = NULL, tmp;
      gboolean escaped;
      gsize key_len;

      if (p == end || *p != '"')
        return FALSE;
      key = p + 1;
      key_end = scan_string (key, end, &escaped);
      if (key_end == NULL || escaped)
        return FALSE;
      key_len = key_end - key;
      for (f = 0; f < n_fields; f++) {
        if (strlen (fields[f].name) != key_len)
          continue;
        if (memcmp (fields[f].name, key, key_len) == 0) {
          if (fields[f].kind != GST_KVS_JSON_ABSENT)
            return FALSE;       /* a duplicate: json-glib keeps the last */
          field = &fields[f];
          break;
        }
        if (g_ascii_strncasecmp (fields[f].name, key, key_len) == 0)
          return FALSE;         /* matched in any case: json-glib's order */
      }
      if (field == NULL)
        field = &tmp;

      p = skip_space (key_end + 1, end);
      if (p == end || *p != ':')
        return FALSE;
      p = skip_space (p + 1, end);
      if (p == end)
        return FALSE;

      if (*p == '"') {
        const gchar *value_end = scan_string (p + 1, end, &escaped);

        if (value_end == NULL)
          return FALSE;
        field->kind = GST_KVS_JSON_STRING;
        field->start = p + 1;
        field->len = value_end - (p + 1);
        field->escaped = escaped;
        p = value_end + 1;
      } else if (*p >= '0' && *p <= '9') {
        gint64 v = 0;
        guint digits = 0;

        if (*p == '0' && end - p > 1 && g_ascii_isdigit (p[1]))
          return FALSE;
        while (p < end && g_ascii_isdigit (*p)) {
          if (++digits > 10)
            return FALSE;
          v = v * 10 + (*p - '0');
          p++;
        }
        if (v > G_MAXINT || (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
          return FALSE;
        field->kind = GST_KVS_JSON_INT;
        field->value = v;
      } else if (end - p >= 4 && memcmp (p, "null", 4) == 0) {
        field->kind = GST_KVS_JSON_NULL;
        p += 4;
      } else if (end - p >= 4 && memcmp (p, "true", 4) == 0) {
        field->kind = GST_KVS_JSON_BOOLEAN;
        field->value = 1;
        p += 4;
      } else if (end - p >= 5 && memcmp (p, "false", 5) == 0) {
        field->kind = GST_KVS_JSON_BOOLEAN;
        p += 5;
      } else {
        return FALSE;           /* nested, negative, or not JSON */
      }

      p = skip_space (p, end);
      if (p == end)
        return FALSE;
      if (*p == '}') {
        p++;
        break;
      }
      if (*p != ',')
        return FALSE;
      p = skip_space (p + 1, end);
    }
  }
  return skip_space (p, end) == end;
}

gchar *
gst_kvs_json_field_dup (const GstKvsJsonField * field)
{
  const gchar *p, *end;
  gchar *out, *q;

  if (!field->escaped)
    return g_strndup (field->start, field->len);

  p = field->start;
  end = p + field->len;
  q = out = g_malloc (field->len + 1);
  while (p < end) {
    const gchar *bs = memchr (p, '\\', end - p);

    if (bs == NULL) {
      memcpy (q, p, end - p);
      q += end - p;
      break;
    }
    memcpy (q, p, bs - p);
    q += bs - p;
    switch (bs[1]) {
      case 'b':
        *q++ = '\b';
        break;
      case 'f':
        *q++ = '\f';
        break;
      case 'n':
        *q++ = '\n';
        break;
      case 'r':
        *q++ = '\r';
        break;
      case 't':
        *q++ = '\t';
        break;
      default:                 /* '"', '\\', '/' */
        *q++ = bs[1];
        break;
    }
    p = bs + 2;
  }
  *q = '\0';
  return out;
}

/* 1 for the bytes json-glib 1.6's generator escapes ('"', '\\', 0x01 to
 * 0x1e and 0x7f: it leaves 0x1f as it is), 2 for non-ASCII bytes. */
static const guint8 generator_escape[256] = {
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

gboolean
gst_kvs_json_append_string (GString * out, const gchar * str, gssize len)
{
  const gchar *p, *run, *end;
  gsize at = out->len;
  gboolean high = FALSE;

  if (len < 0)
    len = strlen (str);
  end = str + len;
  g_string_append_c (out, '"');
  for (p = run = str; p < end; p++) {
    guchar c;

    p = skip_plain (p, end);
    if (p == end)
      break;
    c = (guchar) * p;
    if (generator_escape[c] == 0)
      continue;
    if (generator_escape[c] == 2) {
      high = TRUE;
      continue;
    }
    gst_kvs_string_append_len (out, run, p - run);
    run = p + 1;
    switch (c) {
      case '"':
        gst_kvs_string_append_len (out, "\\\"", 2);
        break;
      case '\\':
        gst_kvs_string_append_len (out, "\\\\", 2);
        break;
      case '\b':
        gst_kvs_string_append_len (out, "\\b", 2);
        break;
      case '\n':
        gst_kvs_string_append_len (out, "\\n", 2);
        break;
      case '\t':
        gst_kvs_string_append_len (out, "\\t", 2);
        break;
      case '\f':
        gst_kvs_string_append_len (out, "\\f", 2);
        break;
      case '\r':
        gst_kvs_string_append_len (out, "\\r", 2);
        break;
      default:
        g_string_append_printf (out, "\\u00%.2x", c);
        break;
    }
  }
  gst_kvs_string_append_len (out, run, end - run);
  g_string_append_c (out, '"');

  if (high && !g_utf8_validate_len (str, len, NULL)) {
    g_string_truncate (out, at);
    return FALSE;
  }
  return TRUE;
}

gboolean
gst_kvs_json_append_member (GString * out, const gchar * name,
    const gchar * value)
{
  g_string_append_c (out, ',');
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append_c (out, '"');
  g_string_append_c (out, ':');
  return gst_kvs_json_append_string (out, value, -1);
}

gchar *
gst_kvs_json_builder_to_text (JsonBuilder * builder, gsize * length)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, length);
}
