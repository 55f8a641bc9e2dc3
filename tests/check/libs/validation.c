/* Unit tests: the service's validation rules, one test per rule.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/kvssignaling/kvssignaling.h>

/* A string of @len copies of @c. */
static gchar *
repeat (gchar c, gsize len)
{
  gchar *s = g_malloc (len + 1);

  memset (s, c, len);
  s[len] = '\0';
  return s;
}

static void
assert_message_has (const GError * err, const gchar * needle)
{
  if (needle != NULL)
    fail_unless (strstr (err->message, needle) != NULL,
        "'%s' not in '%s'", needle, err->message);
}

#define assert_ok(call) G_STMT_START {                           \
  GError *_err = NULL;                                           \
  gboolean _ok = call;                                           \
  fail_unless (_ok, "%s failed: %s", #call,                      \
      _err ? _err->message : "?");                               \
  fail_unless (_err == NULL);                                    \
} G_STMT_END

/* @call must fail with GST_KVS_VALIDATION_ERROR @ecode, and the message must
 * contain @needle (NULL: not checked). */
#define assert_fails(call, ecode, needle) G_STMT_START {                     \
  GError *_err = NULL;                                                     \
  gboolean _ok = call;                                                     \
  fail_if (_ok, "%s succeeded", #call);                                    \
  fail_unless (_err != NULL);                                              \
  fail_unless (g_error_matches (_err, GST_KVS_VALIDATION_ERROR, ecode),     \
      "%s: expected code %d, got %s %d: %s", #call, ecode,                   \
      g_quark_to_string (_err->domain), _err->code, _err->message);       \
  assert_message_has (_err, needle);                                       \
  g_error_free (_err);                                                     \
} G_STMT_END

GST_START_TEST (test_id_length)
{
  g_autofree gchar *id1 = repeat ('a', 1);
  g_autofree gchar *id256 = repeat ('a', 256);
  g_autofree gchar *id257 = repeat ('a', 257);

  assert_ok (gst_kvs_validate_id ("client id", id1, &_err));
  assert_ok (gst_kvs_validate_id ("client id", id256, &_err));
  assert_fails (gst_kvs_validate_id ("correlation id", "", &_err),
      GST_KVS_VALIDATION_ERROR_ID_EMPTY, "correlation id is empty");
  assert_fails (gst_kvs_validate_id ("correlation id", NULL, &_err),
      GST_KVS_VALIDATION_ERROR_ID_EMPTY, "correlation id is missing");
  assert_fails (gst_kvs_validate_id ("correlation id", id257, &_err),
      GST_KVS_VALIDATION_ERROR_ID_TOO_LONG,
      "is 257 characters long, more than the limit of 256");
}

GST_END_TEST;

GST_START_TEST (test_id_too_long_not_echoed)
{
  g_autofree gchar *id = repeat ('b', 5000);
  g_autofree gchar *head = repeat ('b', 64);
  g_autofree gchar *head65 = repeat ('b', 65);
  g_autofree gchar *expected = g_strdup_printf ("'%s'...", head);
  GError *err = NULL;

  fail_if (gst_kvs_validate_id ("recipient client id", id, &err));
  fail_unless (g_error_matches (err, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_ID_TOO_LONG));
  fail_unless (g_str_has_prefix (err->message, "recipient client id "));
  fail_unless (strstr (err->message, expected) != NULL, "%s", err->message);
  fail_unless (strstr (err->message, head65) == NULL, "%s", err->message);
  fail_unless (strlen (err->message) < 200);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_id_characters)
{
  /* Every allowed class. */
  assert_ok (gst_kvs_validate_id ("client id",
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
          &_err));
  assert_ok (gst_kvs_validate_id ("client id", "_", &_err));
  assert_ok (gst_kvs_validate_id ("client id", ".", &_err));
  assert_ok (gst_kvs_validate_id ("client id", "-", &_err));
  assert_ok (gst_kvs_validate_id ("client id", "9", &_err));

  assert_fails (gst_kvs_validate_id ("client id", "a b", &_err),
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS,
      "client id 'a b' contains a space at position 1");
  assert_fails (gst_kvs_validate_id ("client id", "a/b", &_err),
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS, "contains '/' at position 1");
  assert_fails (gst_kvs_validate_id ("client id", "a:b", &_err),
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS, "contains ':'");
  assert_fails (gst_kvs_validate_id ("client id", "a+b", &_err),
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS, "contains '+'");
  assert_fails (gst_kvs_validate_id ("client id", "tab\there", &_err),
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS, "control character 0x09");
  /* UTF-8 "é": reported as a byte, the value escaped to ASCII. */
  assert_fails (gst_kvs_validate_id ("client id", "caf\xc3\xa9", &_err),
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS,
      "non-ASCII byte 0xc3 at position 3");
  assert_fails (gst_kvs_validate_id ("correlation id", "x\"y", &_err),
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS,
      "correlation id 'x\\\"y' contains '\"'");
}

GST_END_TEST;

GST_START_TEST (test_viewer_client_id)
{
  g_autofree gchar *id257 = repeat ('v', 257);

  assert_ok (gst_kvs_validate_viewer_client_id ("viewer-1", &_err));
  /* Case-sensitive, as the service's rule: only "AWS_" is reserved. */
  assert_ok (gst_kvs_validate_viewer_client_id ("aws_viewer", &_err));
  assert_ok (gst_kvs_validate_viewer_client_id ("Aws_viewer", &_err));
  assert_ok (gst_kvs_validate_viewer_client_id ("AWS", &_err));
  assert_ok (gst_kvs_validate_viewer_client_id ("AWS-1", &_err));
  assert_ok (gst_kvs_validate_viewer_client_id ("my_AWS_1", &_err));

  assert_fails (gst_kvs_validate_viewer_client_id ("AWS_x", &_err),
      GST_KVS_VALIDATION_ERROR_CLIENT_ID_RESERVED,
      "client id 'AWS_x' must not start with AWS_");
  assert_fails (gst_kvs_validate_viewer_client_id ("AWS_", &_err),
      GST_KVS_VALIDATION_ERROR_CLIENT_ID_RESERVED, NULL);
  /* The general id rules still apply, and come first. */
  assert_fails (gst_kvs_validate_viewer_client_id ("", &_err),
      GST_KVS_VALIDATION_ERROR_ID_EMPTY, "client id is empty");
  assert_fails (gst_kvs_validate_viewer_client_id (id257, &_err),
      GST_KVS_VALIDATION_ERROR_ID_TOO_LONG, NULL);
  assert_fails (gst_kvs_validate_viewer_client_id ("AWS_ x", &_err),
      GST_KVS_VALIDATION_ERROR_ID_CHARACTERS, NULL);

  /* gst_kvs_validate_id() itself does not reserve AWS_ (master ids,
   * correlation ids). */
  assert_ok (gst_kvs_validate_id ("correlation id", "AWS_1", &_err));
}

GST_END_TEST;

GST_START_TEST (test_channel_name)
{
  g_autofree gchar *n256 = repeat ('c', 256);
  g_autofree gchar *n257 = repeat ('c', 257);

  assert_ok (gst_kvs_validate_channel_name ("demo-channel_1.a", &_err));
  assert_ok (gst_kvs_validate_channel_name ("c", &_err));
  assert_ok (gst_kvs_validate_channel_name (n256, &_err));
  assert_fails (gst_kvs_validate_channel_name ("", &_err),
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, "channel name is empty");
  assert_fails (gst_kvs_validate_channel_name (NULL, &_err),
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, "channel name is missing");
  assert_fails (gst_kvs_validate_channel_name (n257, &_err),
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, "257 characters long");
  assert_fails (gst_kvs_validate_channel_name ("my channel", &_err),
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, "contains a space");
  assert_fails (gst_kvs_validate_channel_name ("a/b", &_err),
      GST_KVS_VALIDATION_ERROR_CHANNEL_NAME, "contains '/'");
  /* AWS_ is not reserved for channels. */
  assert_ok (gst_kvs_validate_channel_name ("AWS_demo", &_err));
}

GST_END_TEST;

GST_START_TEST (test_payload_limits)
{
  g_autofree gchar *p10000 = repeat ('A', 10000);
  g_autofree gchar *p10001 = repeat ('A', 10001);
  g_autofree gchar *p20 = repeat ('A', 20);
  g_autofree gchar *p21 = repeat ('A', 21);

  assert_ok (gst_kvs_validate_payload ("A", 0, &_err));
  assert_ok (gst_kvs_validate_payload (p10000, 0, &_err));
  assert_ok (gst_kvs_validate_payload (p10000, GST_KVS_DEFAULT_MAX_PAYLOAD,
          &_err));
  assert_fails (gst_kvs_validate_payload ("", 0, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_EMPTY, "message payload is empty");
  assert_fails (gst_kvs_validate_payload (NULL, 0, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_EMPTY, "message payload is missing");
  assert_fails (gst_kvs_validate_payload (p10001, 0, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_TOO_LARGE,
      "message payload is 10001 base64 characters, more than the limit of "
      "10000");

  /* A custom limit, both ways. */
  assert_ok (gst_kvs_validate_payload (p20, 20, &_err));
  assert_fails (gst_kvs_validate_payload (p21, 20, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_TOO_LARGE, "limit of 20");
  assert_ok (gst_kvs_validate_payload (p10001, 20000, &_err));
}

GST_END_TEST;

GST_START_TEST (test_payload_alphabet)
{
  assert_ok (gst_kvs_validate_payload ("ABCXYZabcxyz0189+/==", 0, &_err));
  assert_fails (gst_kvs_validate_payload ("eyJ9 ", 0, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,
      "contains a space at position 4");
  assert_fails (gst_kvs_validate_payload ("eyJ9-_", 0, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "'-'");
  assert_fails (gst_kvs_validate_payload ("{\"sdp\":1}", 0, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "'{'");
}

GST_END_TEST;

GST_START_TEST (test_base64_strict)
{
  assert_ok (gst_kvs_validate_base64 ("payload", "", -1, &_err));
  assert_ok (gst_kvs_validate_base64 ("payload", "eyJ9", -1, &_err));
  assert_ok (gst_kvs_validate_base64 ("payload", "YQ==", -1, &_err));
  assert_ok (gst_kvs_validate_base64 ("payload", "YWI=", -1, &_err));
  assert_ok (gst_kvs_validate_base64 ("payload", "+/+/", -1, &_err));
  /* Only the first @len bytes count. */
  assert_ok (gst_kvs_validate_base64 ("payload", "YQ==garbage", 4, &_err));

  assert_fails (gst_kvs_validate_base64 ("payload", "YQ", -1, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "not a multiple of 4");
  assert_fails (gst_kvs_validate_base64 ("payload", "Y===", -1, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "at most 2");
  assert_fails (gst_kvs_validate_base64 ("payload", "YQ=a", -1, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "follows the '=' padding");
  assert_fails (gst_kvs_validate_base64 ("payload", "=AAA", -1, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "follows the '=' padding");
  assert_fails (gst_kvs_validate_base64 ("payload", "YQ-_", -1, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "'-' at position 2");
  assert_fails (gst_kvs_validate_base64 ("payload", "YQ\0=", 4, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "control character 0x00");
  assert_fails (gst_kvs_validate_base64 ("payload", NULL, 0, &_err),
      GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING, "payload is missing");
}

GST_END_TEST;

GST_START_TEST (test_quote_value)
{
  g_autofree gchar *q1 = gst_kvs_validation_quote_value ("abc", -1);
  g_autofree gchar *q2 = gst_kvs_validation_quote_value (NULL, 0);
  g_autofree gchar *q3 = gst_kvs_validation_quote_value ("a\nb\xff", -1);
  g_autofree gchar *long_value = repeat ('z', 300);
  g_autofree gchar *q4 = gst_kvs_validation_quote_value (long_value, -1);
  g_autofree gchar *head = repeat ('z', 64);
  g_autofree gchar *expected = g_strdup_printf ("'%s'...", head);

  fail_unless_equals_string (q1, "'abc'");
  fail_unless_equals_string (q2, "(null)");
  fail_unless_equals_string (q3, "'a\\nb\\377'");
  fail_unless_equals_string (q4, expected);
}

GST_END_TEST;

static Suite *
validation_suite (void)
{
  Suite *s = suite_create ("kvsvalidation");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_id_length);
  tcase_add_test (tc, test_id_too_long_not_echoed);
  tcase_add_test (tc, test_id_characters);
  tcase_add_test (tc, test_viewer_client_id);
  tcase_add_test (tc, test_channel_name);
  tcase_add_test (tc, test_payload_limits);
  tcase_add_test (tc, test_payload_alphabet);
  tcase_add_test (tc, test_base64_strict);
  tcase_add_test (tc, test_quote_value);
  return s;
}

GST_CHECK_MAIN (validation);
