/* kvssignaling: tests of GstKvsSettings and of the client made from it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/kvssignaling/kvssignaling.h>

static void
fill (GstKvsSettings * s)
{
  gst_kvs_settings_init (s);
  s->role = GST_KVS_ROLE_VIEWER;
  s->channel_name = g_strdup ("chan");
  s->channel_arn = g_strdup ("arn:aws:kinesisvideo:eu-west-1:1:channel/c/1");
  s->region = g_strdup ("eu-west-1");
  s->endpoint = g_strdup ("http://127.0.0.1:9");
  s->client_id = g_strdup ("viewer-7");
  s->profile = g_strdup ("prof");
  s->ca_file = g_strdup ("/nonexistent/ca.pem");
  s->create_channel = TRUE;
  s->message_ttl = 30;
  s->max_payload = 5000;
  s->keepalive_interval = 7;
  s->send_timeout = 3;
  s->request_timeout = 4;
  s->max_connection_age = 100;
  s->stun_server = g_strdup ("stun://127.0.0.1:3478");
  s->correlation_id = g_strdup ("corr");
  s->local_addresses = g_strdup ("127.0.0.1");
  s->answer_timeout = 9;
}

/* The client takes every field of the first block. */
GST_START_TEST (test_client_from_settings)
{
  GstKvsSettings s;
  GstKvsSignalingClient *client;
  g_autofree gchar *name = NULL, *arn = NULL, *region = NULL;
  g_autofree gchar *endpoint = NULL, *id = NULL, *profile = NULL;
  g_autofree gchar *ca = NULL;
  GstKvsRole role;
  gboolean create;
  guint ttl, payload, keepalive, send_timeout, request_timeout, age;

  fill (&s);
  client = gst_kvs_signaling_client_new_from_settings (&s);
  gst_kvs_settings_clear (&s);

  g_object_get (client, "role", &role, "channel-name", &name,
      "channel-arn", &arn, "region", &region, "endpoint", &endpoint,
      "client-id", &id, "profile", &profile, "ca-file", &ca,
      "create-channel", &create, "message-ttl", &ttl,
      "max-payload-size", &payload, "keepalive-interval", &keepalive,
      "send-timeout", &send_timeout, "request-timeout", &request_timeout,
      "max-connection-age", &age, NULL);
  fail_unless_equals_int (role, GST_KVS_ROLE_VIEWER);
  fail_unless_equals_string (name, "chan");
  fail_unless_equals_string (arn,
      "arn:aws:kinesisvideo:eu-west-1:1:channel/c/1");
  fail_unless_equals_string (region, "eu-west-1");
  fail_unless_equals_string (endpoint, "http://127.0.0.1:9");
  fail_unless_equals_string (id, "viewer-7");
  fail_unless_equals_string (profile, "prof");
  fail_unless_equals_string (ca, "/nonexistent/ca.pem");
  fail_unless (create);
  fail_unless_equals_int (ttl, 30);
  fail_unless_equals_int (payload, 5000);
  fail_unless_equals_int (keepalive, 7);
  fail_unless_equals_int (send_timeout, 3);
  fail_unless_equals_int (request_timeout, 4);
  fail_unless_equals_int (age, 100);
  g_object_unref (client);
}

GST_END_TEST;

/* new() and init() give the client's own defaults. */
GST_START_TEST (test_defaults_are_the_clients)
{
  g_autoptr (GstKvsSettings) s = gst_kvs_settings_new ();
  GstKvsSignalingClient *client =
      gst_kvs_signaling_client_new_from_settings (s);
  GstKvsSignalingClient *plain =
      g_object_new (GST_KVS_TYPE_SIGNALING_CLIENT, NULL);
  const gchar *const names[] = { "role", "create-channel", "message-ttl",
    "max-payload-size", "keepalive-interval", "send-timeout",
    "request-timeout", "max-connection-age", NULL
  };

  for (guint i = 0; names[i]; i++) {
    GValue a = G_VALUE_INIT, b = G_VALUE_INIT;

    g_object_get_property (G_OBJECT (client), names[i], &a);
    g_object_get_property (G_OBJECT (plain), names[i], &b);
    fail_unless (g_param_values_cmp (g_object_class_find_property
            (G_OBJECT_GET_CLASS (plain), names[i]), &a, &b) == 0, "%s",
        names[i]);
    g_value_unset (&a);
    g_value_unset (&b);
  }
  g_object_unref (client);
  g_object_unref (plain);
}

GST_END_TEST;

/* A deep copy, also through the boxed type. */
GST_START_TEST (test_copy_is_deep)
{
  GstKvsSettings s;
  GstKvsSettings *copy, *boxed;

  fill (&s);
  copy = gst_kvs_settings_copy (&s);
  boxed = g_boxed_copy (GST_KVS_TYPE_SETTINGS, copy);
  fail_unless (copy->channel_name != s.channel_name);
  fail_unless (boxed->stun_server != copy->stun_server);
  fail_unless_equals_string (boxed->channel_name, "chan");
  fail_unless_equals_string (boxed->stun_server, "stun://127.0.0.1:3478");
  fail_unless_equals_string (boxed->correlation_id, "corr");
  fail_unless_equals_string (boxed->local_addresses, "127.0.0.1");
  fail_unless_equals_int (boxed->answer_timeout, 9);
  fail_unless_equals_int (boxed->keepalive_interval, 7);
  gst_kvs_settings_clear (&s);
  fail_unless (s.channel_name == NULL);
  gst_kvs_settings_free (copy);
  g_boxed_free (GST_KVS_TYPE_SETTINGS, boxed);
}

GST_END_TEST;

/* The STUN choice: explicit, "none", or the region's on AWS only. */
GST_START_TEST (test_stun_uri)
{
  g_autoptr (GstKvsSettings) s = gst_kvs_settings_new ();
  gchar *uri;

  s->endpoint = g_strdup ("https://kinesisvideo.eu-west-1.amazonaws.com");
  s->region = g_strdup ("eu-west-1");
  uri = gst_kvs_settings_dup_stun_uri (s, NULL);
  fail_unless_equals_string (uri,
      "stun://stun.kinesisvideo.eu-west-1.amazonaws.com:443");
  g_free (uri);
  g_free (s->endpoint);
  s->endpoint = g_strdup ("http://127.0.0.1:9");
  fail_unless (gst_kvs_settings_dup_stun_uri (s, NULL) == NULL);
  s->stun_server = g_strdup ("none");
  fail_unless (gst_kvs_settings_dup_stun_uri (s, NULL) == NULL);
  fail_unless (gst_kvs_aws_endpoint_is_aws
      ("https://kinesisvideo.cn-north-1.amazonaws.com.cn"));
  fail_if (gst_kvs_aws_endpoint_is_aws ("https://amazonaws.com.evil.example"));
  /* the dual-stack domains (gst_kvs_endpoint_for_region) */
  fail_unless (gst_kvs_aws_endpoint_is_aws
      ("https://kinesisvideo.us-west-2.api.aws"));
  fail_unless (gst_kvs_aws_endpoint_is_aws
      ("https://kinesisvideo-fips.us-gov-west-1.api.aws"));
  fail_unless (gst_kvs_aws_endpoint_is_aws
      ("https://kinesisvideo.cn-north-1.api.amazonwebservices.com.cn"));
  fail_if (gst_kvs_aws_endpoint_is_aws ("https://api.aws.evil.example"));
  fail_if (gst_kvs_aws_endpoint_is_aws ("https://evilapi.aws"));
}

GST_END_TEST;

static Suite *
settings_suite (void)
{
  Suite *s = suite_create ("kvssettings");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_client_from_settings);
  tcase_add_test (tc, test_defaults_are_the_clients);
  tcase_add_test (tc, test_copy_is_deep);
  tcase_add_test (tc, test_stun_uri);

  return s;
}

GST_CHECK_MAIN (settings);
