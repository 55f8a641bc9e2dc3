/* Unit tests: error domains and the AWS error name mapping.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/kvssignaling/kvssignaling.h>

typedef struct
{
  const gchar *name;
  GstKvsError code;
  guint status;
} NameCase;

/* Every code that has an AWS name, with the status AWS sends it with. */
static const NameCase named[] = {
  {"InvalidArgumentException", GST_KVS_ERROR_INVALID_ARGUMENT, 400},
  {"ClientLimitExceededException", GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED, 400},
  {"ResourceInUseException", GST_KVS_ERROR_RESOURCE_IN_USE, 400},
  {"AccountChannelLimitExceededException",
      GST_KVS_ERROR_ACCOUNT_CHANNEL_LIMIT_EXCEEDED, 400},
  {"InvalidClientException", GST_KVS_ERROR_INVALID_CLIENT, 400},
  {"SessionExpiredException", GST_KVS_ERROR_SESSION_EXPIRED, 400},
  {"AccessDeniedException", GST_KVS_ERROR_ACCESS_DENIED, 401},
  {"NotAuthorizedException", GST_KVS_ERROR_NOT_AUTHORIZED, 401},
  {"InvalidSignatureException", GST_KVS_ERROR_SIGNATURE, 403},
  {"ResourceNotFoundException", GST_KVS_ERROR_RESOURCE_NOT_FOUND, 404},
};

GST_START_TEST (test_quarks)
{
  fail_unless (GST_KVS_ERROR != 0);
  fail_unless (GST_KVS_VALIDATION_ERROR != 0);
  fail_unless (GST_KVS_ERROR != GST_KVS_VALIDATION_ERROR);
  fail_unless_equals_int (GST_KVS_ERROR, gst_kvs_error_quark ());
  fail_unless_equals_string (g_quark_to_string (GST_KVS_ERROR),
      "gst-kvs-error-quark");
  fail_unless_equals_string (g_quark_to_string (GST_KVS_VALIDATION_ERROR),
      "gst-kvs-validation-error-quark");
}

GST_END_TEST;

GST_START_TEST (test_to_aws_name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (named); i++)
    fail_unless_equals_string (gst_kvs_error_to_aws_name (named[i].code),
        named[i].name);

  /* An expired signature is a bad signature for AWS. */
  fail_unless_equals_string (gst_kvs_error_to_aws_name
      (GST_KVS_ERROR_SIGNATURE_EXPIRED), "InvalidSignatureException");

  fail_unless (gst_kvs_error_to_aws_name (GST_KVS_ERROR_SERVICE) == NULL);
  fail_unless (gst_kvs_error_to_aws_name (GST_KVS_ERROR_PROTOCOL) == NULL);
  fail_unless (gst_kvs_error_to_aws_name (GST_KVS_ERROR_NO_CREDENTIALS) ==
      NULL);
  fail_unless (gst_kvs_error_to_aws_name (GST_KVS_ERROR_CONNECTION) == NULL);
  fail_unless (gst_kvs_error_to_aws_name (GST_KVS_ERROR_NOT_CONNECTED) ==
      NULL);
  fail_unless (gst_kvs_error_to_aws_name ((GstKvsError) 1000) == NULL);
}

GST_END_TEST;

GST_START_TEST (test_from_aws_name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (named); i++) {
    /* With the right status, a wrong one and none: the name decides. */
    fail_unless_equals_int (gst_kvs_error_from_aws (named[i].name,
            named[i].status, NULL), named[i].code);
    fail_unless_equals_int (gst_kvs_error_from_aws (named[i].name, 500,
            "x"), named[i].code);
    fail_unless_equals_int (gst_kvs_error_from_aws (named[i].name, 0,
            NULL), named[i].code);
    /* Round trip. */
    fail_unless_equals_int (gst_kvs_error_from_aws (gst_kvs_error_to_aws_name
            (named[i].code), 0, NULL), named[i].code);
  }
}

GST_END_TEST;

GST_START_TEST (test_suffix_stripping)
{
  fail_unless_equals_int (gst_kvs_error_from_aws
      ("ResourceNotFoundException:http://internal.amazon.com/coral/"
          "com.amazonaws.kinesisvideo/", 0, NULL),
      GST_KVS_ERROR_RESOURCE_NOT_FOUND);
  fail_unless_equals_int (gst_kvs_error_from_aws
      ("ClientLimitExceededException:", 500, NULL),
      GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED);
  /* Namespace prefix of the JSON protocols ("__type"). */
  fail_unless_equals_int (gst_kvs_error_from_aws
      ("com.amazonaws.kinesisvideo#AccessDeniedException", 0, NULL),
      GST_KVS_ERROR_ACCESS_DENIED);
  /* Exact spelling: no case folding, no partial match. */
  fail_unless_equals_int (gst_kvs_error_from_aws
      ("resourcenotfoundexception", 500, NULL), GST_KVS_ERROR_SERVICE);
  fail_unless_equals_int (gst_kvs_error_from_aws
      ("ResourceNotFound", 500, NULL), GST_KVS_ERROR_SERVICE);
}

GST_END_TEST;

GST_START_TEST (test_status_fallbacks)
{
  const gchar *unknown[] = { NULL, "", "SomethingNewException" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (unknown); i++) {
    const gchar *n = unknown[i];

    fail_unless_equals_int (gst_kvs_error_from_aws (n, 400, NULL),
        GST_KVS_ERROR_INVALID_ARGUMENT);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 401, NULL),
        GST_KVS_ERROR_NOT_AUTHORIZED);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 403, NULL),
        GST_KVS_ERROR_SIGNATURE);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 403,
            "The request signature we calculated does not match"),
        GST_KVS_ERROR_SIGNATURE);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 404, NULL),
        GST_KVS_ERROR_RESOURCE_NOT_FOUND);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 429, NULL),
        GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 500, NULL),
        GST_KVS_ERROR_SERVICE);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 503, NULL),
        GST_KVS_ERROR_SERVICE);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 302, NULL),
        GST_KVS_ERROR_SERVICE);
    fail_unless_equals_int (gst_kvs_error_from_aws (n, 0, NULL),
        GST_KVS_ERROR_SERVICE);
  }
}

GST_END_TEST;

GST_START_TEST (test_signature_expired)
{
  const gchar *expired = "Signature expired: 20150830T123600Z is now earlier "
      "than 20150830T124100Z (20150830T124600Z - 5 min.)";
  const gchar *future = "Signature not yet current: 20150830T130000Z is "
      "still later than 20150830T125100Z (20150830T124600Z + 5 min.)";

  /* By status alone. */
  fail_unless_equals_int (gst_kvs_error_from_aws (NULL, 403, expired),
      GST_KVS_ERROR_SIGNATURE_EXPIRED);
  fail_unless_equals_int (gst_kvs_error_from_aws (NULL, 403, future),
      GST_KVS_ERROR_SIGNATURE_EXPIRED);
  /* By a signature name plus the message. */
  fail_unless_equals_int (gst_kvs_error_from_aws ("InvalidSignatureException",
          403, expired), GST_KVS_ERROR_SIGNATURE_EXPIRED);
  fail_unless_equals_int (gst_kvs_error_from_aws
      ("InvalidSignatureException:http://x", 403, future),
      GST_KVS_ERROR_SIGNATURE_EXPIRED);
  fail_unless_equals_int (gst_kvs_error_from_aws ("SignatureDoesNotMatch",
          403, expired), GST_KVS_ERROR_SIGNATURE_EXPIRED);
  /* Front-end names. */
  fail_unless_equals_int (gst_kvs_error_from_aws
      ("UnrecognizedClientException", 403, "The security token included in "
          "the request is invalid."), GST_KVS_ERROR_SIGNATURE);
  fail_unless_equals_int (gst_kvs_error_from_aws ("SignatureDoesNotMatch",
          403, NULL), GST_KVS_ERROR_SIGNATURE);
  fail_unless_equals_int (gst_kvs_error_from_aws ("ExpiredTokenException",
          403, "The security token included in the request is expired"),
      GST_KVS_ERROR_SIGNATURE_EXPIRED);
  /* The message never overrides a name that is not about signatures. */
  fail_unless_equals_int (gst_kvs_error_from_aws ("AccessDeniedException",
          403, expired), GST_KVS_ERROR_ACCESS_DENIED);
}

GST_END_TEST;

static Suite *
error_suite (void)
{
  Suite *s = suite_create ("kvserror");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_quarks);
  tcase_add_test (tc, test_to_aws_name);
  tcase_add_test (tc, test_from_aws_name);
  tcase_add_test (tc, test_suffix_stripping);
  tcase_add_test (tc, test_status_fallbacks);
  tcase_add_test (tc, test_signature_expired);
  return s;
}

GST_CHECK_MAIN (error);
