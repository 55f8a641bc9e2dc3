/* kvssignaling: what JSON text must pass before json-glib parses it.
 * Internal to the library (not installed): shared by gstkvsmessage.c,
 * gstkvsserviceframe.c and gstkvscontrolplane.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deepest nesting of objects and arrays accepted. The deepest real frame or
 * reply nests 3 levels; json-glib recurses, so a 1 MiB "[[[[..." would
 * overflow the stack. */
#define GST_KVS_JSON_MAX_DEPTH 32

/* TRUE when @data (@len bytes, not NUL-terminated) can be handed to
 * json_parser_load_from_data(): at most @max_len bytes (G_MAXSIZE: no
 * limit), no NUL byte, valid UTF-8, one JSON object with only white space
 * around it, nested at most GST_KVS_JSON_MAX_DEPTH deep, no control
 * character in a string, and every escape valid JSON that decodes to UTF-8
 * text without NUL: no "\u0000", no lone or broken surrogate ("\ud800",
 * "\udc00", "\ud83d\u0"). json-glib 1.6 lets a lone surrogate through as
 * invalid UTF-8, quotes it raw in its parse errors, leaks on a broken pair,
 * and accepts "{}{}" leaking the first value.
 *
 * Otherwise FALSE with @error set in @domain / @code to a precise message
 * starting with @what ("frame", "DescribeSignalingChannel reply"): "<what>
 * is not a JSON object: it starts with '['", "<what> has an invalid escape
 * at offset 12: \ud800 is a high surrogate not followed by a low one",
 * "<what> is nested more than 32 levels deep", ... The message is printable
 * UTF-8 and quotes nothing of @data but single ASCII characters. */
G_GNUC_INTERNAL
gboolean gst_kvs_json_check_object_text (const gchar * what,
    const gchar * data, gsize len, gsize max_len, GQuark domain, gint code,
    GError ** error);

/* The message of a json-glib parse error, valid UTF-8 whatever it quoted
 * (invalid sequences replaced by U+FFFD). */
G_GNUC_INTERNAL
gchar *gst_kvs_json_error_text (const GError * json_error);

/* ---- the fast path for the flat frames of the hot path ----
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

/* The text of @builder's root (json-glib's generator, compact). */
G_GNUC_INTERNAL
gchar *gst_kvs_json_builder_to_text (JsonBuilder * builder, gsize * length);

G_END_DECLS
