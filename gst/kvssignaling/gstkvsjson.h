/* kvssignaling: what JSON text must pass before json-glib parses it.
 * Internal to the library (not installed): shared by gstkvsmessage.c,
 * gstkvsserviceframe.c, gstkvscontrolplane.c and the local service.
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

/* The text of @builder's root (json-glib's generator, compact). */
G_GNUC_INTERNAL
gchar *gst_kvs_json_builder_to_text (JsonBuilder * builder, gsize * length);

G_END_DECLS
