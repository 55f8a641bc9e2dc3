/* The shared-connection registry: who shares a signaling connection.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "gstkvsconnectionregistry.h"

static GstKvsSettings
settings_for (GstKvsRole role, const gchar * channel, const gchar * client_id)
{
  GstKvsSettings s;

  gst_kvs_settings_init (&s);
  s.role = role;
  s.channel_name = (gchar *) channel;
  s.client_id = (gchar *) client_id;
  s.region = (gchar *) "us-west-2";
  s.endpoint = (gchar *) "http://127.0.0.1:9";
  return s;
}

GST_START_TEST (test_same_settings_share)
{
  GstKvsSettings s = settings_for (GST_KVS_ROLE_VIEWER, "c", "v1");
  gint scope_a, scope_b;
  GstKvsConnection *a, *b;

  fail_unless_equals_int (gst_kvs_connection_registry_count (), 0);
  a = gst_kvs_connection_registry_acquire (&s, &scope_a);
  /* A fixed client id: the scope (pipeline) does not matter. */
  b = gst_kvs_connection_registry_acquire (&s, &scope_b);
  fail_unless (a == b);
  fail_unless_equals_int (gst_kvs_connection_registry_count (), 1);
  fail_unless_equals_int (gst_kvs_connection_get_role (a), GST_KVS_ROLE_VIEWER);

  gst_kvs_connection_registry_release (a);
  fail_unless_equals_int (gst_kvs_connection_registry_count (), 1);
  gst_kvs_connection_registry_release (b);
  fail_unless_equals_int (gst_kvs_connection_registry_count (), 0);
}

GST_END_TEST;

GST_START_TEST (test_different_settings_do_not_share)
{
  GstKvsSettings base = settings_for (GST_KVS_ROLE_VIEWER, "c",
      "v1");
  GstKvsSettings other[4];
  GstKvsConnection *a, *b;
  guint i;

  other[0] = settings_for (GST_KVS_ROLE_VIEWER, "c", "v2");
  other[1] = settings_for (GST_KVS_ROLE_VIEWER, "d", "v1");
  other[2] = settings_for (GST_KVS_ROLE_MASTER, "c", NULL);
  other[3] = base;
  other[3].region = (gchar *) "eu-west-1";

  a = gst_kvs_connection_registry_acquire (&base, NULL);
  for (i = 0; i < G_N_ELEMENTS (other); i++) {
    b = gst_kvs_connection_registry_acquire (&other[i], NULL);
    fail_if (a == b, "settings %u shared the connection", i);
    fail_unless_equals_int (gst_kvs_connection_registry_count (), 2);
    gst_kvs_connection_registry_release (b);
  }
  gst_kvs_connection_registry_release (a);
  fail_unless_equals_int (gst_kvs_connection_registry_count (), 0);
}

GST_END_TEST;

/* Viewers without a client id get one generated per connection: they share
 * only within one pipeline. Masters share across pipelines (KVS keeps only
 * the newest master connection of a channel). */
GST_START_TEST (test_scope)
{
  GstKvsSettings viewer = settings_for (GST_KVS_ROLE_VIEWER, "c",
      NULL);
  GstKvsSettings master = settings_for (GST_KVS_ROLE_MASTER, "c",
      NULL);
  gint pipeline_a, pipeline_b;
  GstKvsConnection *a, *a2, *b, *m1, *m2;

  a = gst_kvs_connection_registry_acquire (&viewer, &pipeline_a);
  a2 = gst_kvs_connection_registry_acquire (&viewer, &pipeline_a);
  b = gst_kvs_connection_registry_acquire (&viewer, &pipeline_b);
  fail_unless (a == a2);
  fail_if (a == b);
  m1 = gst_kvs_connection_registry_acquire (&master, &pipeline_a);
  m2 = gst_kvs_connection_registry_acquire (&master, &pipeline_b);
  fail_unless (m1 == m2);

  gst_kvs_connection_registry_release (a);
  gst_kvs_connection_registry_release (a2);
  gst_kvs_connection_registry_release (b);
  gst_kvs_connection_registry_release (m1);
  gst_kvs_connection_registry_release (m2);
  fail_unless_equals_int (gst_kvs_connection_registry_count (), 0);
}

GST_END_TEST;

/* The first user's settings configure the connection; the key never holds
 * a secret. */
GST_START_TEST (test_key_has_no_secret)
{
  GstKvsSettings s = settings_for (GST_KVS_ROLE_MASTER, "c", NULL);
  gchar *key;

  s.access_key = (gchar *) "AKID";
  s.secret_key = (gchar *) "very-secret";
  s.session_token = (gchar *) "token-secret";
  key = gst_kvs_connection_settings_key (&s, NULL);
  fail_unless (strstr (key, "very-secret") == NULL);
  fail_unless (strstr (key, "token-secret") == NULL);
  fail_unless (strstr (key, "master") != NULL);
  g_free (key);
}

GST_END_TEST;

static Suite *
registry_suite (void)
{
  Suite *s = suite_create ("registry");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_same_settings_share);
  tcase_add_test (tc, test_different_settings_do_not_share);
  tcase_add_test (tc, test_scope);
  tcase_add_test (tc, test_key_has_no_secret);
  return s;
}

GST_CHECK_MAIN (registry);
