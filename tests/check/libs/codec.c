/* Unit tests: the hand-written codecs of the hot path (gstkvscodec.c) give
 * what the library functions they stand for give, on generated inputs:
 * the strict base64 decoder against gst_kvs_validate_base64() and
 * g_base64_decode(), the JSON string writer against json-glib's generator,
 * the flat JSON scanner against JsonParser.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>
#include <gst/kvssignaling/kvssignaling.h>
#include "gstkvscodec.h"
#include "gstkvsjson.h"

#define ROUNDS 3000

static const gchar *
pick (GRand * rand, const gchar * const *set, guint n)
{
  return set[g_rand_int_range (rand, 0, n)];
}

/* ---- base64 ---- */

static gchar *
random_base64ish (GRand * rand)
{
  static const gchar *const digits[] = { "A", "Q", "z", "a", "0", "9", "+",
    "/", "=", "==", "-", "_", " ", "\n", "*", "\xc3\xa9"
  };
  GString *s = g_string_new (NULL);
  gint n = g_rand_int_range (rand, 1, 24);

  if (g_rand_boolean (rand)) {
    /* a valid encoding, sometimes damaged */
    guchar bytes[40];
    gint len = g_rand_int_range (rand, 1, sizeof bytes);
    gchar *enc;

    for (gint i = 0; i < len; i++)
      bytes[i] = g_rand_int_range (rand, 0, 256);
    enc = g_base64_encode (bytes, len);
    g_string_append (s, enc);
    g_free (enc);
    if (g_rand_int_range (rand, 0, 4) == 0)
      s->str[g_rand_int_range (rand, 0, s->len)] =
          *pick (rand, digits, G_N_ELEMENTS (digits));
    return g_string_free (s, FALSE);
  }
  while (n-- > 0)
    g_string_append (s, pick (rand, digits, G_N_ELEMENTS (digits)));
  return g_string_free (s, FALSE);
}

GST_START_TEST (test_base64_equals_glib)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (14);
  guint accepted = 0;

  for (guint r = 0; r < ROUNDS; r++) {
    g_autofree gchar *in = random_base64ish (rand);
    gsize fast_len = 0, lib_len = 0;
    g_autofree guchar *fast =
        gst_kvs_base64_decode_strict (in, strlen (in), &fast_len);
    gboolean valid = gst_kvs_validate_base64 ("value", in, -1, NULL);

    fail_unless ((fast != NULL) == valid, "'%s': decoder %s, validation %s",
        in, fast ? "accepts" : "refuses", valid ? "accepts" : "refuses");
    if (valid) {
      g_autofree guchar *lib = g_base64_decode (in, &lib_len);

      fail_unless_equals_uint64 (fast_len, lib_len);
      fail_unless (memcmp (fast, lib, lib_len) == 0, "'%s' decodes apart", in);
      accepted++;
    }
  }
  /* both sides exercised */
  fail_unless (accepted > ROUNDS / 5 && accepted < ROUNDS * 4 / 5,
      "%u of %u accepted", accepted, ROUNDS);
}

GST_END_TEST;

/* ---- JSON strings ---- */

static const gchar *const text_pieces[] = {
  "a", "Z", "0", " ", "sdp", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t",
  "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xe2\x80\xa8",
  "\xf0\x9f\x98\x80", "candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host",
  "\xff", "\xc3",
};

static gchar *
random_text (GRand * rand, gboolean allow_invalid)
{
  GString *s = g_string_new (NULL);
  gint n = g_rand_int_range (rand, 0, 20);
  guint pieces = G_N_ELEMENTS (text_pieces) - (allow_invalid ? 0 : 2);

  while (n-- > 0)
    g_string_append (s, pick (rand, text_pieces, pieces));
  return g_string_free (s, FALSE);
}

/* json-glib's text for the string value @str. */
static gchar *
generator_text (const gchar * str)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, str);
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

GST_START_TEST (test_string_writer_equals_json_glib)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (14);

  for (guint r = 0; r < ROUNDS; r++) {
    g_autofree gchar *str = random_text (rand, TRUE);
    GString *out = g_string_new ("x");
    gboolean utf8 = g_utf8_validate (str, -1, NULL);

    fail_unless (gst_kvs_json_append_string (out, str, -1) == utf8,
        "UTF-8 %d, writer disagrees", utf8);
    if (utf8) {
      g_autofree gchar *expected = generator_text (str);

      fail_unless_equals_string (out->str + 1, expected);
    } else {
      fail_unless_equals_string (out->str, "x");
    }
    g_string_free (out, TRUE);
  }
}

GST_END_TEST;

/* ---- flat JSON ---- */

static const gchar *const keys[] = { "sdp", "type", "candidate",
  "sdpMLineIndex", "Sdp", "other"
};

static void
append_value (GString * s, GRand * rand)
{
  static const gchar *const others[] = { "0", "7", "-1", "2147483647",
    "2147483648", "1.5", "1e3", "true", "false", "null", "{}", "[1]",
    "\"\\u0041\"", "01", "\"\\x\""
  };

  if (g_rand_boolean (rand)) {
    g_autofree gchar *str = random_text (rand, FALSE);
    g_autofree gchar *quoted = generator_text (str);

    g_string_append (s, quoted);
  } else {
    g_string_append (s, pick (rand, others, G_N_ELEMENTS (others)));
  }
}

static gchar *
random_object (GRand * rand)
{
  static const gchar *const space[] = { "", "", " ", "\n", "\t " };
  GString *s = g_string_new (NULL);
  gint n = g_rand_int_range (rand, 0, 5);

  g_string_append (s, pick (rand, space, G_N_ELEMENTS (space)));
  g_string_append_c (s, '{');
  for (gint i = 0; i < n; i++) {
    if (i > 0)
      g_string_append_c (s, ',');
    g_string_append (s, pick (rand, space, G_N_ELEMENTS (space)));
    g_string_append_printf (s, "\"%s\"", pick (rand, keys,
            G_N_ELEMENTS (keys)));
    g_string_append (s, pick (rand, space, G_N_ELEMENTS (space)));
    g_string_append_c (s, ':');
    g_string_append (s, pick (rand, space, G_N_ELEMENTS (space)));
    append_value (s, rand);
  }
  g_string_append_c (s, '}');
  g_string_append (s, pick (rand, space, G_N_ELEMENTS (space)));
  return g_string_free (s, FALSE);
}

/* What JsonParser read for the member @name of @obj equals @field. */
static void
check_field (const gchar * text, JsonObject * obj, const gchar * name,
    const GstKvsJsonField * field)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL) {
    fail_unless (field->kind == GST_KVS_JSON_ABSENT, "%s: %s absent", text,
        name);
    return;
  }
  switch (field->kind) {
    case GST_KVS_JSON_NULL:
      fail_unless (JSON_NODE_HOLDS_NULL (node), "%s: %s null", text, name);
      break;
    case GST_KVS_JSON_STRING:{
      g_autofree gchar *dup = gst_kvs_json_field_dup (field);

      fail_unless (json_node_get_value_type (node) == G_TYPE_STRING);
      fail_unless_equals_string (dup, json_node_get_string (node));
      break;
    }
    case GST_KVS_JSON_INT:
      fail_unless (json_node_get_value_type (node) == G_TYPE_INT64);
      fail_unless_equals_int64 (field->value, json_node_get_int (node));
      break;
    case GST_KVS_JSON_BOOLEAN:
      fail_unless (json_node_get_value_type (node) == G_TYPE_BOOLEAN);
      break;
    default:
      fail ("%s: %s present, scanner says absent", text, name);
  }
}

GST_START_TEST (test_flat_scanner_equals_json_parser)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (14);
  guint scanned = 0;

  for (guint r = 0; r < ROUNDS; r++) {
    g_autofree gchar *text = random_object (rand);
    gsize len = strlen (text);
    GstKvsJsonField f[] = { {"sdp"}, {"type"}, {"candidate"},
    {"sdpMLineIndex"}
    };
    g_autoptr (JsonParser) parser = NULL;
    JsonObject *obj;

    if (!gst_kvs_json_scan_flat (text, len, G_MAXSIZE, f, G_N_ELEMENTS (f)))
      continue;
    scanned++;
    /* what the scanner takes, the guard and json-glib take */
    fail_unless (gst_kvs_json_check_object_text ("frame", text, len,
            G_MAXSIZE, GST_KVS_VALIDATION_ERROR, 0, NULL), "%s", text);
    parser = json_parser_new ();
    fail_unless (json_parser_load_from_data (parser, text, len, NULL), "%s",
        text);
    obj = json_node_get_object (json_parser_get_root (parser));
    for (guint i = 0; i < G_N_ELEMENTS (f); i++)
      check_field (text, obj, f[i].name, &f[i]);
  }
  fail_unless (scanned > ROUNDS / 10, "%u of %u scanned", scanned, ROUNDS);
}

GST_END_TEST;

static Suite *
codec_suite (void)
{
  Suite *s = suite_create ("kvscodec");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_base64_equals_glib);
  tcase_add_test (tc, test_string_writer_equals_json_glib);
  tcase_add_test (tc, test_flat_scanner_equals_json_parser);
  return s;
}

GST_CHECK_MAIN (codec);
