/* kvssignaling: the hand-written codecs kept on the hot path of every
 * message, each the twin of a library function and tested for equality with
 * it (tests/check/libs/codec.c): a scanner of flat JSON objects (json-glib's
 * JsonParser), a JSON string writer (json-glib's JsonGenerator) and a strict
 * base64 decoder (gst_kvs_validate_base64() then g_base64_decode()). Why
 * each is kept, with its numbers: docs/performance.md, "Library paths vs
 * hand-written codecs (issue 14)".
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvscodec.h"
#include "gstkvsstring.h"

/* ---- flat JSON ---- */

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
  while (p < end && gst_kvs_json_is_space (*p))
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
      if (end - p < 2 || !gst_kvs_json_is_simple_escape (p[1]))
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

/* ---- base64 ---- */

/* The value of base64 digit @c, or 64 for any other byte (a constant
 * expression, so that the tables below are built by the compiler). */
#define B64_VALUE(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : \
    (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 : \
    (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : \
    (c) == '+' ? 62 : (c) == '/' ? 63 : 64)
/* The digit in position 0..3 of a group of four, in place in the 24 bits it
 * decodes to; bit 24 marks a byte that is no digit. */
#define B64_AT(c, pos) (B64_VALUE (c) == 64 ? 0x1000000u : \
    (guint32) B64_VALUE (c) << (18 - 6 * (pos)))
#define B64_4(c, pos) B64_AT (c, pos), B64_AT (c + 1, pos), \
    B64_AT (c + 2, pos), B64_AT (c + 3, pos)
#define B64_16(c, pos) B64_4 (c, pos), B64_4 (c + 4, pos), \
    B64_4 (c + 8, pos), B64_4 (c + 12, pos)
#define B64_TABLE(pos) { B64_16 (0, pos), B64_16 (16, pos), \
    B64_16 (32, pos), B64_16 (48, pos), B64_16 (64, pos), B64_16 (80, pos), \
    B64_16 (96, pos), B64_16 (112, pos), B64_16 (128, pos), \
    B64_16 (144, pos), B64_16 (160, pos), B64_16 (176, pos), \
    B64_16 (192, pos), B64_16 (208, pos), B64_16 (224, pos), \
    B64_16 (240, pos) }

static const guint32 base64_at[4][256] = {
  B64_TABLE (0), B64_TABLE (1), B64_TABLE (2), B64_TABLE (3)
};

/* @in (@len bytes) decoded when it is strict base64 (what
 * gst_kvs_validate_base64() accepts), else NULL. A group of four digits
 * is four table lookups OR-ed together; a byte that is no digit sets bit
 * 24, checked once at the end. */
guchar *
gst_kvs_base64_decode_strict (const gchar * in, gsize len, gsize * out_len)
{
  const guchar *p = (const guchar *) in;
  guchar *out, *q;
  gsize i, pad = 0, full;
  guint32 bad = 0;

  if (len == 0 || len % 4 != 0)
    return NULL;
  if (in[len - 1] == '=')
    pad = in[len - 2] == '=' ? 2 : 1;

  full = pad ? len - 4 : len;
  q = out = g_malloc (len / 4 * 3 + 1);
  for (i = 0; i < full; i += 4) {
    guint32 v = base64_at[0][p[i]] | base64_at[1][p[i + 1]] |
        base64_at[2][p[i + 2]] | base64_at[3][p[i + 3]];

    bad |= v;
    q[0] = (guchar) (v >> 16);
    q[1] = (guchar) (v >> 8);
    q[2] = (guchar) v;
    q += 3;
  }
  if (pad > 0) {
    guint32 v = base64_at[0][p[i]] | base64_at[1][p[i + 1]] |
        (pad == 1 ? base64_at[2][p[i + 2]] : 0);

    bad |= v;
    *q++ = (guchar) (v >> 16);
    if (pad == 1)
      *q++ = (guchar) (v >> 8);
  }
  if (bad & 0x1000000u) {
    g_free (out);
    return NULL;
  }
  *q = '\0';
  *out_len = q - out;
  return out;
}
