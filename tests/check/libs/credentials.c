/* Unit tests of GstKvsCredentials and the AWS credential chain.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/check/gstcheck.h>

#include "testenv.h"

#include <gst/kvssignaling/gstkvscredentials.h>
#include <gst/kvssignaling/gstkvsawsconfig.h>

static const gchar *const env_vars[] = {
  "HOME", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", NULL
};

#define ENV_SECRET "envSecret/Key+0123456789"
#define FILE_SECRET "fileSecret/Key+0123456789"
#define CONFIG_SECRET "configSecret/Key+0123456789"
#define EXPLICIT_SECRET "explicitSecret/Key+0123456789"

static void
setup (void)
{
  kvs_test_env_setup (env_vars, "kvs-credentials-XXXXXX");
}

static void
teardown (void)
{
  kvs_test_env_teardown ();
}

static void
write_credentials_file (void)
{
  g_free (kvs_test_env_write_home_file (".aws/credentials",
          "[default]\n"
          "aws_access_key_id = AKIDFILEDEFAULT\n"
          "aws_secret_access_key = " FILE_SECRET "\n"
          "[dev]\n"
          "aws_access_key_id = AKIDFILEDEV\n"
          "aws_secret_access_key = " FILE_SECRET "\n"
          "aws_session_token = filetoken\n"));
}

static void
write_config_file (void)
{
  g_free (kvs_test_env_write_home_file (".aws/config",
          "[default]\n"
          "region = us-west-2\n"
          "aws_access_key_id = AKIDCONFIGDEFAULT\n"
          "aws_secret_access_key = " CONFIG_SECRET "\n"
          "[profile cfg]\n"
          "aws_access_key_id = AKIDCONFIGCFG\n"
          "aws_secret_access_key = " CONFIG_SECRET "\n"
          "[cfgbare]\n"
          "aws_access_key_id = AKIDCONFIGBARE\n"
          "aws_secret_access_key = " CONFIG_SECRET "\n"));
}

static void
set_env_pair (void)
{
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", ENV_SECRET, TRUE);
}

static GstKvsCredentials *
resolve_ok (const gchar * akid, const gchar * secret, const gchar * token,
    const gchar * profile)
{
  g_autoptr (GError) err = NULL;
  GstKvsCredentials *c = gst_kvs_credentials_resolve (akid, secret, token,
      profile, &err);

  fail_unless (c != NULL, "resolve failed: %s", err ? err->message : "");
  fail_unless (err == NULL);
  return c;
}

/* Resolve must fail with NO_CREDENTIALS; returns the message. The message
 * must never contain a secret. */
static gchar *
resolve_fail (const gchar * akid, const gchar * secret, const gchar * token,
    const gchar * profile)
{
  g_autoptr (GError) err = NULL;
  GstKvsCredentials *c = gst_kvs_credentials_resolve (akid, secret, token,
      profile, &err);

  fail_unless (c == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_NO_CREDENTIALS), "%s", err ? err->message : "");
  fail_if (strstr (err->message, "Secret/Key") != NULL, "%s", err->message);
  fail_if (strstr (err->message, "token") != NULL
      && strstr (err->message, "filetoken") != NULL);
  return g_strdup (err->message);
}

#define assert_contains(hay, needle) \
  fail_unless (strstr ((hay), (needle)) != NULL, "'%s' does not contain '%s'", \
      (hay), (needle))

GST_START_TEST (test_new_ref_unref)
{
  GstKvsCredentials *c = gst_kvs_credentials_new ("AKID", "secret", "",
      NULL);
  GstKvsCredentials *copy;

  fail_unless_equals_string (c->access_key_id, "AKID");
  fail_unless_equals_string (c->secret_access_key, "secret");
  /* An empty token is no token. */
  fail_unless (c->session_token == NULL);
  fail_unless_equals_int (c->expiration, 0);
  fail_unless_equals_string (c->source, "explicit");

  fail_unless (gst_kvs_credentials_ref (c) == c);
  gst_kvs_credentials_unref (c);
  fail_unless_equals_string (c->access_key_id, "AKID");

  /* Boxed: copy is a reference. */
  fail_unless (G_TYPE_IS_BOXED (GST_KVS_TYPE_CREDENTIALS));
  copy = g_boxed_copy (GST_KVS_TYPE_CREDENTIALS, c);
  fail_unless (copy == c);
  g_boxed_free (GST_KVS_TYPE_CREDENTIALS, copy);
  gst_kvs_credentials_unref (c);

  c = gst_kvs_credentials_new ("AKID", "secret", "tok", "somewhere");
  fail_unless_equals_string (c->session_token, "tok");
  fail_unless_equals_string (c->source, "somewhere");
  gst_kvs_credentials_unref (c);
}

GST_END_TEST;

GST_START_TEST (test_explicit_first)
{
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autoptr (GstKvsCredentials) t = NULL;

  set_env_pair ();
  write_credentials_file ();
  write_config_file ();
  c = resolve_ok ("AKIDEXPLICIT", EXPLICIT_SECRET, NULL, NULL);
  fail_unless_equals_string (c->access_key_id, "AKIDEXPLICIT");
  fail_unless_equals_string (c->secret_access_key, EXPLICIT_SECRET);
  fail_unless (c->session_token == NULL);
  fail_unless_equals_string (c->source, "explicit");
  /* The environment's token does not join explicit keys. */
  g_setenv ("AWS_SESSION_TOKEN", "envtoken", TRUE);
  t = resolve_ok ("AKIDEXPLICIT", EXPLICIT_SECRET, "explicittoken", NULL);
  fail_unless_equals_string (t->session_token, "explicittoken");
  gst_kvs_credentials_unref (g_steal_pointer (&t));
  t = resolve_ok ("AKIDEXPLICIT", EXPLICIT_SECRET, NULL, NULL);
  fail_unless (t->session_token == NULL);
}

GST_END_TEST;

GST_START_TEST (test_explicit_half)
{
  g_autofree gchar *m1 = NULL;
  g_autofree gchar *m2 = NULL;
  g_autofree gchar *m3 = NULL;

  /* Half a pair is an error even when the environment has a full one. */
  set_env_pair ();
  m1 = resolve_fail ("AKIDEXPLICIT", NULL, NULL, NULL);
  assert_contains (m1, "secret access key");
  m2 = resolve_fail (NULL, EXPLICIT_SECRET, NULL, NULL);
  assert_contains (m2, "access key id");
  m3 = resolve_fail ("", "", "explicittoken", NULL);
  assert_contains (m3, "session token");
  fail_if (strstr (m3, "explicittoken") != NULL);
}

GST_END_TEST;

GST_START_TEST (test_environment)
{
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autoptr (GstKvsCredentials) t = NULL;

  write_credentials_file ();
  write_config_file ();
  set_env_pair ();
  /* Empty explicit values are unset. */
  c = resolve_ok ("", "", "", NULL);
  fail_unless_equals_string (c->access_key_id, "AKIDENV");
  fail_unless_equals_string (c->secret_access_key, ENV_SECRET);
  fail_unless (c->session_token == NULL);
  fail_unless_equals_string (c->source, "environment");

  g_setenv ("AWS_SESSION_TOKEN", "envtoken", TRUE);
  t = resolve_ok (NULL, NULL, NULL, "dev");
  fail_unless_equals_string (t->access_key_id, "AKIDENV");
  fail_unless_equals_string (t->session_token, "envtoken");
  gst_kvs_credentials_unref (g_steal_pointer (&t));

  /* An empty token variable is no token. */
  g_setenv ("AWS_SESSION_TOKEN", "", TRUE);
  t = resolve_ok (NULL, NULL, NULL, NULL);
  fail_unless (t->session_token == NULL);
}

GST_END_TEST;

GST_START_TEST (test_environment_half)
{
  g_autofree gchar *m1 = NULL;
  g_autofree gchar *m2 = NULL;

  write_credentials_file ();
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "", TRUE);
  m1 = resolve_fail (NULL, NULL, NULL, NULL);
  assert_contains (m1, "AWS_SECRET_ACCESS_KEY is not set");

  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_setenv ("AWS_SECRET_ACCESS_KEY", ENV_SECRET, TRUE);
  m2 = resolve_fail (NULL, NULL, NULL, NULL);
  assert_contains (m2, "AWS_ACCESS_KEY_ID is not set");
}

GST_END_TEST;

/* Empty variables (as the test environment sets them) are unset. */
GST_START_TEST (test_environment_empty)
{
  g_autoptr (GstKvsCredentials) c = NULL;

  write_credentials_file ();
  g_setenv ("AWS_ACCESS_KEY_ID", "", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "", TRUE);
  g_setenv ("AWS_SESSION_TOKEN", "", TRUE);
  g_setenv ("AWS_PROFILE", "", TRUE);
  c = resolve_ok (NULL, NULL, NULL, NULL);
  fail_unless_equals_string (c->access_key_id, "AKIDFILEDEFAULT");
}

GST_END_TEST;

GST_START_TEST (test_credentials_file)
{
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autoptr (GstKvsCredentials) d = NULL;
  g_autofree gchar *path = g_build_filename (kvs_test_env_home (), ".aws", "credentials",
      NULL);
  g_autofree gchar *source = g_strdup_printf ("profile default (%s)", path);

  write_credentials_file ();
  write_config_file ();
  /* The credentials file wins over the config file. */
  c = resolve_ok (NULL, NULL, NULL, NULL);
  fail_unless_equals_string (c->access_key_id, "AKIDFILEDEFAULT");
  fail_unless_equals_string (c->secret_access_key, FILE_SECRET);
  fail_unless (c->session_token == NULL);
  fail_unless_equals_string (c->source, source);
  fail_if (strstr (c->source, FILE_SECRET) != NULL);

  d = resolve_ok (NULL, NULL, NULL, "dev");
  fail_unless_equals_string (d->access_key_id, "AKIDFILEDEV");
  fail_unless_equals_string (d->session_token, "filetoken");
  assert_contains (d->source, "profile dev (");
}

GST_END_TEST;

GST_START_TEST (test_profile_selection)
{
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autoptr (GstKvsCredentials) d = NULL;

  write_credentials_file ();
  g_setenv ("AWS_PROFILE", "dev", TRUE);
  c = resolve_ok (NULL, NULL, NULL, NULL);
  fail_unless_equals_string (c->access_key_id, "AKIDFILEDEV");
  /* An explicit profile beats AWS_PROFILE. */
  d = resolve_ok (NULL, NULL, NULL, "default");
  fail_unless_equals_string (d->access_key_id, "AKIDFILEDEFAULT");
}

GST_END_TEST;

GST_START_TEST (test_config_file)
{
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autoptr (GstKvsCredentials) d = NULL;
  g_autofree gchar *m = NULL;
  g_autofree gchar *config = g_build_filename (kvs_test_env_home (), ".aws", "config", NULL);

  write_credentials_file ();
  write_config_file ();
  /* Profile cfg is only in the config file, as [profile cfg]. */
  c = resolve_ok (NULL, NULL, NULL, "cfg");
  fail_unless_equals_string (c->access_key_id, "AKIDCONFIGCFG");
  fail_unless_equals_string (c->secret_access_key, CONFIG_SECRET);
  assert_contains (c->source, config);

  /* Without the credentials file, default comes from [default] in config. */
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kvs/credentials",
      TRUE);
  d = resolve_ok (NULL, NULL, NULL, NULL);
  fail_unless_equals_string (d->access_key_id, "AKIDCONFIGDEFAULT");

  /* A bare [cfgbare] in the config file is not profile cfgbare. */
  m = resolve_fail (NULL, NULL, NULL, "cfgbare");
  assert_contains (m, "profile 'cfgbare'");
}

GST_END_TEST;

GST_START_TEST (test_file_overrides)
{
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autofree gchar *path = kvs_test_env_write_home_file ("elsewhere/creds",
      "; only this one\n[default]\naws_access_key_id=AKIDELSEWHERE\n"
      "aws_secret_access_key=" FILE_SECRET "\n");

  write_credentials_file ();
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", path, TRUE);
  c = resolve_ok (NULL, NULL, NULL, NULL);
  fail_unless_equals_string (c->access_key_id, "AKIDELSEWHERE");
  assert_contains (c->source, path);
}

GST_END_TEST;

GST_START_TEST (test_file_half_pair)
{
  g_autofree gchar *m1 = NULL;
  g_autofree gchar *m2 = NULL;

  g_free (kvs_test_env_write_home_file (".aws/credentials",
          "[default]\naws_access_key_id = AKIDHALF\n"
          "[other]\naws_secret_access_key = " FILE_SECRET "\n"));
  write_config_file ();
  m1 = resolve_fail (NULL, NULL, NULL, NULL);
  assert_contains (m1, "no aws_secret_access_key");
  assert_contains (m1, "credentials");
  m2 = resolve_fail (NULL, NULL, NULL, "other");
  assert_contains (m2, "no aws_access_key_id");
}

GST_END_TEST;

GST_START_TEST (test_nothing_found)
{
  g_autofree gchar *m = NULL;
  g_autofree gchar *creds = g_build_filename (kvs_test_env_home (), ".aws", "credentials",
      NULL);
  g_autofree gchar *config = g_build_filename (kvs_test_env_home (), ".aws", "config", NULL);

  m = resolve_fail (NULL, NULL, NULL, NULL);
  assert_contains (m, "explicit");
  assert_contains (m, "AWS_ACCESS_KEY_ID");
  assert_contains (m, "profile 'default'");
  assert_contains (m, creds);
  assert_contains (m, config);
  assert_contains (m, "no such file");
  g_free (g_steal_pointer (&m));

  /* Files exist but lack the profile. */
  write_credentials_file ();
  write_config_file ();
  m = resolve_fail (NULL, NULL, NULL, "missing");
  assert_contains (m, "profile 'missing'");
  assert_contains (m, "no such profile");
  assert_contains (m, creds);
  assert_contains (m, config);
}

GST_END_TEST;

static Suite *
credentials_suite (void)
{
  Suite *s = suite_create ("credentials");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_new_ref_unref);
  tcase_add_test (tc, test_explicit_first);
  tcase_add_test (tc, test_explicit_half);
  tcase_add_test (tc, test_environment);
  tcase_add_test (tc, test_environment_half);
  tcase_add_test (tc, test_environment_empty);
  tcase_add_test (tc, test_credentials_file);
  tcase_add_test (tc, test_profile_selection);
  tcase_add_test (tc, test_config_file);
  tcase_add_test (tc, test_file_overrides);
  tcase_add_test (tc, test_file_half_pair);
  tcase_add_test (tc, test_nothing_found);
  return s;
}

GST_CHECK_MAIN (credentials);
