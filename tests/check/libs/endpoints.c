/* Unit tests of the AWS endpoints: partitions, FIPS / dual-stack from the
 * environment and the profile, endpoint URL overrides and their order.
 * (The host names themselves are judged by botocore: tests/endpoints.)
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/check/gstcheck.h>

#include "testenv.h"

#include <gst/kvssignaling/gstkvsendpoints.h>

static const gchar *const env_vars[] = {
  "HOME", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
  "AWS_ENDPOINT_URL_KINESIS_VIDEO", "AWS_USE_FIPS_ENDPOINT",
  "AWS_USE_DUALSTACK_ENDPOINT", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", NULL
};

static void
setup (void)
{
  kvs_test_env_setup (env_vars, "kvs-endpoints-XXXXXX");
}

static void
teardown (void)
{
  kvs_test_env_teardown ();
}

static void
assert_endpoint (GstKvsAwsService service, const gchar * region,
    const gchar * profile, const gchar * expected, const gchar * source_part)
{
  g_autofree gchar *source = NULL;
  g_autofree gchar *url = gst_kvs_endpoint_resolve (service, NULL, region,
      profile, &source);

  fail_unless_equals_string (url, expected);
  if (source_part)
    fail_unless (strstr (source, source_part) != NULL, "source '%s'", source);
}

GST_START_TEST (test_partitions)
{
  fail_unless_equals_string (gst_kvs_endpoint_partition ("us-west-2"), "aws");
  fail_unless_equals_string (gst_kvs_endpoint_partition ("cn-north-1"),
      "aws-cn");
  fail_unless_equals_string (gst_kvs_endpoint_partition ("us-gov-west-1"),
      "aws-us-gov");
  fail_unless_equals_string (gst_kvs_endpoint_partition ("cn-"), "aws");
  fail_unless_equals_string (gst_kvs_endpoint_partition ("us-gov-west-x"),
      "aws");
  assert_endpoint (GST_KVS_AWS_SERVICE_SSO, "eu-west-1", NULL,
      "https://portal.sso.eu-west-1.amazonaws.com", "region");
  assert_endpoint (GST_KVS_AWS_SERVICE_STS, NULL, NULL,
      "https://sts.us-east-1.amazonaws.com", NULL);
}

GST_END_TEST;

GST_START_TEST (test_fips_dualstack_settings)
{
  g_autofree gchar *config = kvs_test_env_write_home_file (".aws/config",
      "[default]\nuse_fips_endpoint = true\n"
      "[profile ds]\nuse_dualstack_endpoint = TRUE\n"
      "[profile bad]\nuse_fips_endpoint = yes\n");

  g_setenv ("AWS_CONFIG_FILE", config, TRUE);
  /* The profile's settings. */
  assert_endpoint (GST_KVS_AWS_SERVICE_KINESIS_VIDEO, "us-west-2", NULL,
      "https://kinesisvideo-fips.us-west-2.amazonaws.com", "FIPS");
  assert_endpoint (GST_KVS_AWS_SERVICE_KINESIS_VIDEO, "cn-north-1", "ds",
      "https://kinesisvideo.cn-north-1.api.amazonwebservices.com.cn",
      "dual-stack");
  /* Neither true nor false: off. */
  assert_endpoint (GST_KVS_AWS_SERVICE_KINESIS_VIDEO, "us-west-2", "bad",
      "https://kinesisvideo.us-west-2.amazonaws.com", NULL);
  /* The environment wins over the profile. */
  g_setenv ("AWS_USE_FIPS_ENDPOINT", "false", TRUE);
  g_setenv ("AWS_USE_DUALSTACK_ENDPOINT", "true", TRUE);
  assert_endpoint (GST_KVS_AWS_SERVICE_STS, "us-gov-west-1", NULL,
      "https://sts.us-gov-west-1.api.aws", NULL);
  g_setenv ("AWS_USE_FIPS_ENDPOINT", "true", TRUE);
  assert_endpoint (GST_KVS_AWS_SERVICE_STS, "us-gov-west-1", NULL,
      "https://sts-fips.us-gov-west-1.api.aws", NULL);
}

GST_END_TEST;

GST_START_TEST (test_overrides)
{
  g_autofree gchar *config = kvs_test_env_write_home_file (".aws/config",
      "[default]\nendpoint_url = http://profile.local:1/\n"
      "services = local\n"
      "[services local]\n"
      "sts =\n"
      "  endpoint_url = http://sts.services.local:6 # the STS\n"
      "kinesis_video =\n"
      "  region = x\n"
      "[profile other]\n"
      "sso =\n"
      "  endpoint_url = http://not-a-services-section\n"
      "[profile noconf]\nendpoint_url = http://profile.local:1\n"
      "ignore_configured_endpoint_urls = true\n");
  g_autofree gchar *url = NULL;

  g_setenv ("AWS_CONFIG_FILE", config, TRUE);
  assert_endpoint (GST_KVS_AWS_SERVICE_STS, "us-west-2", NULL,
      "http://sts.services.local:6", "services section");
  assert_endpoint (GST_KVS_AWS_SERVICE_KINESIS_VIDEO, "us-west-2", NULL,
      "http://profile.local:1", "endpoint_url");
  assert_endpoint (GST_KVS_AWS_SERVICE_SSO, "us-west-2", "other",
      "https://portal.sso.us-west-2.amazonaws.com", NULL);
  assert_endpoint (GST_KVS_AWS_SERVICE_STS, "us-west-2", "noconf",
      "https://sts.us-west-2.amazonaws.com", NULL);
  g_setenv ("AWS_ENDPOINT_URL", "http://all.local:2", TRUE);
  assert_endpoint (GST_KVS_AWS_SERVICE_STS, "us-west-2", NULL,
      "http://all.local:2", "AWS_ENDPOINT_URL");
  g_setenv ("AWS_ENDPOINT_URL_STS", "http://sts.local:3/", TRUE);
  g_setenv ("AWS_ENDPOINT_URL_SSO", "http://sso.local:4", TRUE);
  g_setenv ("AWS_ENDPOINT_URL_KINESIS_VIDEO", "http://kvs.local:5", TRUE);
  assert_endpoint (GST_KVS_AWS_SERVICE_STS, "us-west-2", NULL,
      "http://sts.local:3", "AWS_ENDPOINT_URL_STS");
  assert_endpoint (GST_KVS_AWS_SERVICE_SSO, "us-west-2", NULL,
      "http://sso.local:4", "AWS_ENDPOINT_URL_SSO");
  assert_endpoint (GST_KVS_AWS_SERVICE_KINESIS_VIDEO, "us-west-2", NULL,
      "http://kvs.local:5", "AWS_ENDPOINT_URL_KINESIS_VIDEO");
  /* Explicit first. */
  url = gst_kvs_endpoint_resolve (GST_KVS_AWS_SERVICE_KINESIS_VIDEO,
      "https://explicit.local/", "us-west-2", NULL, NULL);
  fail_unless_equals_string (url, "https://explicit.local");
  /* Configured endpoints ignored. */
  g_setenv ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", TRUE);
  assert_endpoint (GST_KVS_AWS_SERVICE_STS, "us-west-2", NULL,
      "https://sts.us-west-2.amazonaws.com", NULL);
}

GST_END_TEST;

static Suite *
endpoints_suite (void)
{
  Suite *s = suite_create ("endpoints");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_partitions);
  tcase_add_test (tc, test_fips_dualstack_settings);
  tcase_add_test (tc, test_overrides);
  return s;
}

GST_CHECK_MAIN (endpoints);
