/* Unit tests of the shared AWS files, region and endpoint resolution.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/check/gstcheck.h>

#include "testenv.h"

#include <gst/kvssignaling/gstkvsawsconfig.h>

/* Every variable the module reads; saved before and restored after each
 * test, and unset while it runs. */
static const gchar *const env_vars[] = {
  "HOME", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_KINESIS_VIDEO", NULL
};

static void
setup (void)
{
  kvs_test_env_setup (env_vars, "kvs-awsconfig-XXXXXX");
}

static void
teardown (void)
{
  kvs_test_env_teardown ();
}

#define assert_str_or_null(got, want) G_STMT_START {                   \
    gchar *_g = (got);                                                  \
    const gchar *_w = (want);                                           \
    fail_unless (g_strcmp0 (_g, _w) == 0, "got '%s', expected '%s'",    \
        _g ? _g : "(null)", _w ? _w : "(null)");                        \
    g_free (_g);                                                        \
  } G_STMT_END

GST_START_TEST (test_profile_name)
{
  assert_str_or_null (gst_kvs_aws_profile_name (NULL), "default");
  assert_str_or_null (gst_kvs_aws_profile_name (""), "default");
  g_setenv ("AWS_PROFILE", "", TRUE);
  assert_str_or_null (gst_kvs_aws_profile_name (NULL), "default");
  g_setenv ("AWS_PROFILE", "fromenv", TRUE);
  assert_str_or_null (gst_kvs_aws_profile_name (NULL), "fromenv");
  assert_str_or_null (gst_kvs_aws_profile_name ("explicit"), "explicit");
}

GST_END_TEST;

GST_START_TEST (test_file_paths)
{
  g_autofree gchar *creds = g_build_filename (kvs_test_env_home (), ".aws", "credentials",
      NULL);
  g_autofree gchar *config = g_build_filename (kvs_test_env_home (), ".aws", "config", NULL);
  g_autofree gchar *home2 = g_build_filename (kvs_test_env_home (), "other", NULL);
  g_autofree gchar *creds2 = g_build_filename (home2, ".aws", "credentials",
      NULL);
  g_autofree gchar *tilde = g_build_filename (home2, "my-config", NULL);

  assert_str_or_null (gst_kvs_aws_credentials_file_path (), creds);
  assert_str_or_null (gst_kvs_aws_config_file_path (), config);

  /* A changed $HOME is followed (g_get_home_dir() would cache). */
  g_setenv ("HOME", home2, TRUE);
  assert_str_or_null (gst_kvs_aws_credentials_file_path (), creds2);

  /* Overrides; empty = unset; "~/" expanded. */
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", "/some/where/creds", TRUE);
  g_setenv ("AWS_CONFIG_FILE", "~/my-config", TRUE);
  assert_str_or_null (gst_kvs_aws_credentials_file_path (),
      "/some/where/creds");
  assert_str_or_null (gst_kvs_aws_config_file_path (), tilde);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", "", TRUE);
  assert_str_or_null (gst_kvs_aws_credentials_file_path (), creds2);
}

GST_END_TEST;

#define CREDENTIALS_FILE \
  "# a comment\n" \
  "; another comment\n" \
  "\n" \
  "[default]\n" \
  "aws_access_key_id=AKIDDEFAULT\n" \
  "aws_secret_access_key = secret/default+key\n" \
  "\n" \
  "  [indented-not-a-section]\n" \
  "[dev]\r\n" \
  "AWS_Access_Key_Id   =   AKIDDEV   \r\n" \
  "aws_secret_access_key\t=\tsecretdev ; inline comment\r\n" \
  "aws_session_token = token#with#hashes\r\n" \
  "    aws_access_key_id = indented-ignored\r\n" \
  "[profile dev]\n" \
  "aws_access_key_id = AKIDPROFILEDEV\n" \
  "[ spaced ]\n" \
  "region = eu-central-1\n" \
  "empty =\n" \
  "repeated = first\n" \
  "repeated = second\n"

GST_START_TEST (test_credentials_file)
{
  gboolean file_found = FALSE, profile_found = FALSE;

  g_free (kvs_test_env_write_home_file (".aws/credentials", CREDENTIALS_FILE));

  assert_str_or_null (gst_kvs_aws_credentials_file_get (NULL,
          "aws_access_key_id"), "AKIDDEFAULT");
  assert_str_or_null (gst_kvs_aws_credentials_file_get (NULL,
          "aws_secret_access_key"), "secret/default+key");
  assert_str_or_null (gst_kvs_aws_credentials_file_get (NULL,
          "aws_session_token"), NULL);
  /* Keys in any case, blanks around '=', CRLF, inline comments after a
   * blank; '#' inside a value is kept. */
  assert_str_or_null (gst_kvs_aws_credentials_file_get ("dev",
          "aws_access_key_id"), "AKIDDEV");
  assert_str_or_null (gst_kvs_aws_credentials_file_get ("dev",
          "aws_secret_access_key"), "secretdev");
  assert_str_or_null (gst_kvs_aws_credentials_file_get ("dev",
          "aws_session_token"), "token#with#hashes");
  /* In the credentials file "[profile dev]" is a profile named
   * "profile dev", not "dev". */
  assert_str_or_null (gst_kvs_aws_credentials_file_get ("profile dev",
          "aws_access_key_id"), "AKIDPROFILEDEV");
  /* Blanks inside the brackets; empty value = absent; the last of a
   * repeated key wins. */
  assert_str_or_null (gst_kvs_aws_credentials_file_get ("spaced", "region"),
      "eu-central-1");
  assert_str_or_null (gst_kvs_aws_credentials_file_get ("spaced", "empty"),
      NULL);
  assert_str_or_null (gst_kvs_aws_credentials_file_get ("spaced",
          "repeated"), "second");
  /* An indented line is never a section. */
  assert_str_or_null (gst_kvs_aws_credentials_file_get
      ("indented-not-a-section", "aws_access_key_id"), NULL);

  /* AWS_PROFILE picks the profile. */
  g_setenv ("AWS_PROFILE", "dev", TRUE);
  assert_str_or_null (gst_kvs_aws_credentials_file_get (NULL,
          "aws_access_key_id"), "AKIDDEV");
  assert_str_or_null (gst_kvs_aws_credentials_file_get ("default",
          "aws_access_key_id"), "AKIDDEFAULT");

  assert_str_or_null (gst_kvs_aws_credentials_file_lookup ("nope",
          "aws_access_key_id", &file_found, &profile_found), NULL);
  fail_unless (file_found);
  fail_if (profile_found);
  assert_str_or_null (gst_kvs_aws_credentials_file_lookup ("spaced",
          "aws_access_key_id", &file_found, &profile_found), NULL);
  fail_unless (file_found);
  fail_unless (profile_found);
}

GST_END_TEST;

#define CONFIG_FILE \
  "[default]\n" \
  "region = us-west-2\n" \
  "[dev]\n" \
  "region = ap-south-1\n" \
  "[profile dev]\n" \
  "region = eu-west-3\n" \
  "s3 =\n" \
  "  region = nested-ignored\n" \
  "  max_concurrent_requests = 20\n" \
  "output = json\n" \
  "[profile   spaced]\n" \
  "region=sa-east-1\n" \
  "[profile]\n" \
  "region = bare-profile\n"

GST_START_TEST (test_config_file)
{
  gboolean file_found = TRUE, profile_found = TRUE;

  g_free (kvs_test_env_write_home_file (".aws/config", CONFIG_FILE));

  assert_str_or_null (gst_kvs_aws_config_file_get (NULL, "region"),
      "us-west-2");
  /* "[profile dev]" is dev; a bare "[dev]" is not, in the config file. */
  assert_str_or_null (gst_kvs_aws_config_file_get ("dev", "region"),
      "eu-west-3");
  /* Indented sub-keys are not the profile's. */
  assert_str_or_null (gst_kvs_aws_config_file_get ("dev", "output"), "json");
  assert_str_or_null (gst_kvs_aws_config_file_get ("dev",
          "max_concurrent_requests"), NULL);
  assert_str_or_null (gst_kvs_aws_config_file_get ("spaced", "region"),
      "sa-east-1");
  assert_str_or_null (gst_kvs_aws_config_file_get ("profile", "region"),
      NULL);

  /* The credentials file is a different file. */
  assert_str_or_null (gst_kvs_aws_credentials_file_get (NULL, "region"),
      NULL);
  assert_str_or_null (gst_kvs_aws_credentials_file_lookup (NULL, "region",
          &file_found, &profile_found), NULL);
  fail_if (file_found);
  fail_if (profile_found);
}

GST_END_TEST;

GST_START_TEST (test_config_profile_default_spelling)
{
  g_free (kvs_test_env_write_home_file (".aws/config", "[profile default]\n"
          "region = ca-central-1\n"));
  assert_str_or_null (gst_kvs_aws_config_file_get (NULL, "region"),
      "ca-central-1");
}

GST_END_TEST;

GST_START_TEST (test_file_overrides)
{
  g_autofree gchar *c = kvs_test_env_write_home_file ("elsewhere/c", "[default]\n"
      "aws_access_key_id = AKIDELSEWHERE\n");
  g_autofree gchar *k = kvs_test_env_write_home_file ("elsewhere/k", "[profile p]\n"
      "region = me-south-1\n");

  g_free (kvs_test_env_write_home_file (".aws/credentials", "[default]\n"
          "aws_access_key_id = AKIDHOME\n"));
  assert_str_or_null (gst_kvs_aws_credentials_file_get (NULL,
          "aws_access_key_id"), "AKIDHOME");
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", c, TRUE);
  g_setenv ("AWS_CONFIG_FILE", k, TRUE);
  assert_str_or_null (gst_kvs_aws_credentials_file_get (NULL,
          "aws_access_key_id"), "AKIDELSEWHERE");
  assert_str_or_null (gst_kvs_aws_config_file_get ("p", "region"),
      "me-south-1");

  /* A missing file is no error, just nothing. */
  g_setenv ("AWS_CONFIG_FILE", "/nonexistent/kvs/config", TRUE);
  assert_str_or_null (gst_kvs_aws_config_file_get ("p", "region"), NULL);
}

GST_END_TEST;

GST_START_TEST (test_region_order)
{
  g_free (kvs_test_env_write_home_file (".aws/config", "[default]\nregion = us-west-2\n"
          "[profile dev]\nregion = eu-west-3\n"));

  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, NULL), "us-west-2");
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, "dev"), "eu-west-3");
  g_setenv ("AWS_PROFILE", "dev", TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, NULL), "eu-west-3");
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, "nope"),
      GST_KVS_DEFAULT_REGION);

  g_setenv ("AWS_DEFAULT_REGION", "ap-northeast-1", TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, NULL),
      "ap-northeast-1");
  g_setenv ("AWS_REGION", "ap-southeast-2", TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, NULL),
      "ap-southeast-2");
  assert_str_or_null (gst_kvs_aws_resolve_region ("eu-north-1", NULL),
      "eu-north-1");
  /* Empty explicit and empty variables are unset. */
  assert_str_or_null (gst_kvs_aws_resolve_region ("", NULL),
      "ap-southeast-2");
  g_setenv ("AWS_REGION", "", TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, NULL),
      "ap-northeast-1");
  g_setenv ("AWS_DEFAULT_REGION", "", TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, NULL), "eu-west-3");
  g_unsetenv ("AWS_PROFILE");
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, NULL), "us-west-2");
}

GST_END_TEST;

GST_START_TEST (test_region_default)
{
  assert_str_or_null (gst_kvs_aws_resolve_region (NULL, NULL), "us-east-1");
}

GST_END_TEST;

GST_START_TEST (test_endpoint_order)
{
  assert_str_or_null (gst_kvs_aws_resolve_endpoint (NULL, "us-west-2"),
      "https://kinesisvideo.us-west-2.amazonaws.com");
  assert_str_or_null (gst_kvs_aws_resolve_endpoint (NULL, "cn-north-1"),
      "https://kinesisvideo.cn-north-1.amazonaws.com.cn");
  assert_str_or_null (gst_kvs_aws_resolve_endpoint (NULL, "cn-northwest-1"),
      "https://kinesisvideo.cn-northwest-1.amazonaws.com.cn");
  assert_str_or_null (gst_kvs_aws_resolve_endpoint (NULL, NULL),
      "https://kinesisvideo.us-east-1.amazonaws.com");

  g_setenv ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/", TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_endpoint (NULL, "us-west-2"),
      "http://127.0.0.1:4566");
  g_setenv ("AWS_ENDPOINT_URL_KINESIS_VIDEO", "http://127.0.0.1:9000//",
      TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_endpoint (NULL, "us-west-2"),
      "http://127.0.0.1:9000");
  assert_str_or_null (gst_kvs_aws_resolve_endpoint ("https://kvs.local/",
          "us-west-2"), "https://kvs.local");
  assert_str_or_null (gst_kvs_aws_resolve_endpoint ("", "us-west-2"),
      "http://127.0.0.1:9000");
  g_setenv ("AWS_ENDPOINT_URL_KINESIS_VIDEO", "", TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_endpoint (NULL, "us-west-2"),
      "http://127.0.0.1:4566");
  g_setenv ("AWS_ENDPOINT_URL", "", TRUE);
  assert_str_or_null (gst_kvs_aws_resolve_endpoint (NULL, "us-west-2"),
      "https://kinesisvideo.us-west-2.amazonaws.com");
}

GST_END_TEST;

static Suite *
awsconfig_suite (void)
{
  Suite *s = suite_create ("awsconfig");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_profile_name);
  tcase_add_test (tc, test_file_paths);
  tcase_add_test (tc, test_credentials_file);
  tcase_add_test (tc, test_config_file);
  tcase_add_test (tc, test_config_profile_default_spelling);
  tcase_add_test (tc, test_file_overrides);
  tcase_add_test (tc, test_region_order);
  tcase_add_test (tc, test_region_default);
  tcase_add_test (tc, test_endpoint_order);
  return s;
}

GST_CHECK_MAIN (awsconfig);
