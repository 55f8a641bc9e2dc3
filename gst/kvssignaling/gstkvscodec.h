/* kvssignaling: the hand-written codecs kept on the hot path (JSON scanner
 * and string writer, strict base64 decoder), each the twin of a library
 * function and tested for equality with it (tests/check/libs/codec.c).
 * Internal (not installed): linked into the library and into the service.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* JSON's white space. */
static inline gboolean
gst_kvs_json_is_space (gchar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The characters a two-character escape may have after its '\\' (the
 * "\\uXXXX" escapes go to json-glib). */
static inline gboolean
gst_kvs_json_is_simple_escape (gchar c)
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

/* ---- flat JSON: the fast path of the frames of the hot path ----
 *
 * A strict scanner for one flat JSON object (string, integer, true, false
 * and null members; no nested value, no "\u" escape). It only ever
 * answers "this text is valid, here are the members asked for" or "not
 * handled": whatever it is unsure of (a nested value, a "\u" escape, a
 * float, a duplicate key, a key that matches a wanted name only in another
 * case, any error) is left to the json-glib path, which gives the exact
 * error. What it accepts, gst_kvs_json_check_object_text() and json-glib
 * accept too, with the same values. */

typedef enum {
  GST_KVS_JSON_ABSENT = 0,
  GST_KVS_JSON_NULL,
  GST_KVS_JSON_STRING,
  GST_KVS_JSON_INT,
  GST_KVS_JSON_BOOLEAN,
} GstKvsJsonKind;

typedef struct {
  const gchar *name;            /* in: the key, matched exactly */
  GstKvsJsonKind kind;          /* out */
  const gchar *start;           /* STRING: the raw text between the quotes */
  gsize len;
  gboolean escaped;             /* STRING: holds a backslash escape */
  gint64 value;                 /* INT: 0 .. G_MAXINT */
} GstKvsJsonField;

/* TRUE when @data (@len bytes) is at most @max_len bytes and one flat JSON
 * object the fast path handles; @fields (@n_fields) are then filled. */
G_GNUC_INTERNAL
gboolean gst_kvs_json_scan_flat (const gchar * data, gsize len,
    gsize max_len, GstKvsJsonField * fields, guint n_fields);

/* A newly allocated, NUL-terminated copy of a STRING field, its escapes
 * decoded. */
G_GNUC_INTERNAL
gchar *gst_kvs_json_field_dup (const GstKvsJsonField * field);

/* Appends @str (@len bytes, -1: NUL-terminated) to @out quoted as
 * json-glib 1.6's generator quotes a string value (byte for byte the same
 * text). FALSE, with nothing appended, when @str is not valid UTF-8 (the
 * caller then lets json-glib write it). */
G_GNUC_INTERNAL
gboolean gst_kvs_json_append_string (GString * out, const gchar * str,
    gssize len);

/* Appends ,"@name":@value (@value a JSON string, quoted as
 * gst_kvs_json_append_string() quotes it); FALSE when @value is not UTF-8
 * (@out then holds a partial member: the caller drops it). */
G_GNUC_INTERNAL
gboolean gst_kvs_json_append_member (GString * out, const gchar * name,
    const gchar * value);

/* @in (@len bytes) decoded when it is strict base64 (what
 * gst_kvs_validate_base64() accepts: then the same bytes as
 * g_base64_decode()), else NULL. *@out_len gets the decoded length; the
 * result is NUL-terminated. */
G_GNUC_INTERNAL
guchar *gst_kvs_base64_decode_strict (const gchar * in, gsize len,
    gsize * out_len);

G_END_DECLS
