/* Bad configuration of kvssignalingsink / kvssignalingsrc: each a bus error
 * with a clear message and a failed state change, never a hang. No service
 * is needed: these are caught before anything is sent.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>

#include "gstkvsconnection.h"
#include "../kvstestexit.h"

static GstMessage *error_within (const gchar * desc, GstState state,
    GstStateChangeReturn * ret, GstClockTime timeout);

/* Sets @desc to @state and returns the first error posted (or NULL). */
static GstMessage *
error_from (const gchar * desc, GstState state, GstStateChangeReturn * ret)
{
  return error_within (desc, state, ret, 5 * GST_SECOND);
}

static GstMessage *
error_within (const gchar * desc, GstState state, GstStateChangeReturn * ret,
    GstClockTime timeout)
{
  g_autoptr (GError) err = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &err);
  GstBus *bus;
  GstMessage *msg;

  fail_unless (pipeline != NULL, "%s: %s", desc, err ? err->message : "");
  bus = gst_element_get_bus (pipeline);
  *ret = gst_element_set_state (pipeline, state);
  msg = gst_bus_timed_pop_filtered (bus, timeout, GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return msg;
}

static void
expect_error (const gchar * desc, GstState state, gint code,
    const gchar * needle)
{
  GstStateChangeReturn ret;
  GstMessage *msg = error_from (desc, state, &ret);
  g_autoptr (GError) err = NULL;
  g_autofree gchar *debug = NULL;

  fail_unless (ret == GST_STATE_CHANGE_FAILURE, "%s: state change did not "
      "fail", desc);
  fail_unless (msg != NULL, "%s: no error on the bus", desc);
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (err->domain == GST_RESOURCE_ERROR, "%s: domain %s", desc,
      g_quark_to_string (err->domain));
  fail_unless_equals_int (err->code, code);
  fail_unless (strstr (err->message, needle) != NULL,
      "%s: message '%s' lacks '%s'", desc, err->message, needle);
  fail_unless (g_str_has_prefix (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
          "kvssignaling"));
  gst_message_unref (msg);
}

GST_START_TEST (test_missing_channel)
{
  expect_error ("webrtcbin kvssignalingsink", GST_STATE_READY,
      GST_RESOURCE_ERROR_SETTINGS, "set channel-name or channel-arn");
  expect_error ("webrtcbin kvssignalingsrc role=viewer", GST_STATE_READY,
      GST_RESOURCE_ERROR_SETTINGS, "set channel-name or channel-arn");
}

GST_END_TEST;

GST_START_TEST (test_bad_channel_name)
{
  expect_error ("webrtcbin kvssignalingsink channel-name=has/slash",
      GST_STATE_READY, GST_RESOURCE_ERROR_SETTINGS, "channel-name");
}

GST_END_TEST;

GST_START_TEST (test_bad_client_id)
{
  /* AWS_ is reserved for the service's own clients. */
  expect_error ("webrtcbin kvssignalingsrc role=viewer channel-name=c "
      "client-id=AWS_camera", GST_STATE_READY, GST_RESOURCE_ERROR_SETTINGS,
      "AWS_");
  expect_error ("webrtcbin kvssignalingsink role=viewer channel-name=c "
      "client-id=\"has space\"", GST_STATE_READY,
      GST_RESOURCE_ERROR_SETTINGS, "client-id");
}

GST_END_TEST;

GST_START_TEST (test_bad_correlation_id)
{
  expect_error ("webrtcbin kvssignalingsink channel-name=c "
      "correlation-id=\"a b\"", GST_STATE_READY,
      GST_RESOURCE_ERROR_SETTINGS, "correlation-id");
}

GST_END_TEST;

GST_START_TEST (test_unknown_webrtcbin_name)
{
  expect_error ("webrtcbin name=wb kvssignalingsink channel-name=c "
      "webrtcbin-name=nope", GST_STATE_READY, GST_RESOURCE_ERROR_NOT_FOUND,
      "'nope'");
}

GST_END_TEST;

GST_START_TEST (test_webrtcbin_name_not_a_webrtcbin)
{
  expect_error ("webrtcbin fakesink name=fs kvssignalingsrc channel-name=c "
      "webrtcbin-name=fs", GST_STATE_READY, GST_RESOURCE_ERROR_SETTINGS,
      "not a webrtcbin");
}

GST_END_TEST;

GST_START_TEST (test_no_webrtcbin)
{
  expect_error ("fakesrc ! fakesink kvssignalingsink channel-name=c",
      GST_STATE_READY, GST_RESOURCE_ERROR_NOT_FOUND, "No webrtcbin");
}

GST_END_TEST;

GST_START_TEST (test_two_webrtcbins)
{
  expect_error ("webrtcbin name=a webrtcbin name=b "
      "kvssignalingsrc channel-name=c", GST_STATE_READY,
      GST_RESOURCE_ERROR_SETTINGS, "2 webrtcbins");
}

GST_END_TEST;

/* webrtcbin-name picks one of several; auto-negotiate=false needs none. */
GST_START_TEST (test_resolution_ok)
{
  const gchar *ok[] = {
    "webrtcbin name=a webrtcbin name=b kvssignalingsrc channel-name=c "
        "webrtcbin-name=b",
    "fakesrc ! fakesink kvssignalingsrc channel-name=c auto-negotiate=false",
    "webrtcbin kvssignalingsink channel-name=c kvssignalingsrc "
        "channel-name=c",
    "bin. ( webrtcbin name=inner ) kvssignalingsink channel-name=c",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (ok); i++) {
    GstStateChangeReturn ret;
    GstMessage *msg = error_within (ok[i], GST_STATE_READY, &ret,
        200 * GST_MSECOND);

    fail_unless (msg == NULL, "%s: unexpected error", ok[i]);
    fail_unless_equals_int (ret, GST_STATE_CHANGE_SUCCESS);
  }
}

GST_END_TEST;

GST_START_TEST (test_webrtcbin_property_checked)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *fs = gst_element_factory_make ("fakesink", NULL);
  GstElement *sink = gst_element_factory_make ("kvssignalingsink", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *err = NULL;

  gst_bin_add_many (GST_BIN (pipeline), fs, sink, NULL);
  g_object_set (sink, "channel-name", "c", "webrtcbin", fs, NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "not a webrtcbin") != NULL);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* The test environment has no AWS credentials at all. */
GST_START_TEST (test_no_credentials)
{
  expect_error ("webrtcbin kvssignalingsink channel-name=c "
      "endpoint=http://127.0.0.1:9 aws-region=us-west-2", GST_STATE_PAUSED,
      GST_RESOURCE_ERROR_NOT_AUTHORIZED, "credentials");
}

GST_END_TEST;

/* The first warning (or error, which fails) posted by @desc at @state
 * within @seconds whose message contains @needle; NULL when none. */
static gchar *
warning_within (const gchar * desc, GstState state, const gchar * needle,
    guint seconds)
{
  g_autoptr (GError) err = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &err);
  GstBus *bus;
  GstMessage *msg;
  gchar *found = NULL;
  gint64 end = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  fail_unless (pipeline != NULL, "%s: %s", desc, err ? err->message : "");
  bus = gst_element_get_bus (pipeline);
  fail_if (gst_element_set_state (pipeline, state) ==
      GST_STATE_CHANGE_FAILURE, "%s: state change failed", desc);
  while (found == NULL && g_get_monotonic_time () < end) {
    msg = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND,
        GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
    if (msg == NULL)
      continue;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *e = NULL;

      gst_message_parse_error (msg, &e, NULL);
      fail ("%s: unexpected error: %s", desc, e->message);
    } else {
      GError *w = NULL;

      gst_message_parse_warning (msg, &w, NULL);
      if (strstr (w->message, needle))
        found = g_strdup (w->message);
      g_error_free (w);
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return found;
}

/* A master has no client id: setting one is a warning, not silence. */
GST_START_TEST (test_master_client_id_warns)
{
  gchar *w = warning_within ("webrtcbin kvssignalingsink channel-name=c "
      "client-id=cam-1", GST_STATE_READY, "client-id", 2);

  fail_unless (w != NULL, "no warning about client-id");
  fail_unless (strstr (w, "'cam-1' is ignored") != NULL, "%s", w);
  /* The likely mistake, a viewer that kept the default role, is named. */
  fail_unless (strstr (w, "set role=viewer") != NULL, "%s", w);
  g_free (w);
  /* A viewer uses it: no warning. */
  w = warning_within ("webrtcbin kvssignalingsink role=viewer channel-name=c "
      "client-id=cam-1", GST_STATE_READY, "client-id", 1);
  fail_unless (w == NULL, "%s", w);
}

GST_END_TEST;

/* Nothing listens on the endpoint: the client retries for ever, and the
 * bus says why (a warning, not an error). */
GST_START_TEST (test_unreachable_endpoint_warns)
{
  gchar *w = warning_within ("webrtcbin kvssignalingsink channel-name=c "
      "endpoint=http://127.0.0.1:9 aws-region=us-west-2 access-key=AKID "
      "secret-key=not-used-here", GST_STATE_PAUSED,
      "Could not connect to the KVS signaling channel 'c'", 10);

  fail_unless (w != NULL, "no warning about the failed connection");
  fail_unless (strstr (w, "retrying") != NULL, "%s", w);
  g_free (w);
}

GST_END_TEST;

/* profile names the section of the shared credentials file to use. */
GST_START_TEST (test_profile_selects_credentials)
{
  g_autofree gchar *dir = g_dir_make_tmp ("kvs-profile-XXXXXX", NULL);
  g_autofree gchar *file = g_build_filename (dir, "credentials", NULL);
  g_autofree gchar *old = g_strdup (g_getenv ("AWS_SHARED_CREDENTIALS_FILE"));
  GstElement *e = gst_element_factory_make ("kvssignalingsrc", NULL);
  gchar *v = NULL, *w;

  g_object_set (e, "profile", "camera", NULL);
  g_object_get (e, "profile", &v, NULL);
  fail_unless_equals_string (v, "camera");
  g_free (v);
  gst_object_unref (e);

  fail_unless (g_file_set_contents (file, "[camera]\n"
          "aws_access_key_id = AKIDPROFILE\n"
          "aws_secret_access_key = profile-secret\n", -1, NULL));
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", file, TRUE);
  /* Without the profile there are no credentials (test_no_credentials);
   * with it, the client starts and only the endpoint fails. */
  w = warning_within ("webrtcbin kvssignalingsink channel-name=c "
      "endpoint=http://127.0.0.1:9 aws-region=us-west-2 profile=camera",
      GST_STATE_PAUSED, "Could not connect", 10);
  fail_unless (w != NULL);
  g_free (w);
  expect_error ("webrtcbin kvssignalingsink channel-name=c "
      "endpoint=http://127.0.0.1:9 aws-region=us-west-2 profile=other",
      GST_STATE_PAUSED, GST_RESOURCE_ERROR_NOT_AUTHORIZED, "credentials");
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", old ? old : "", TRUE);
  g_unlink (file);
  g_rmdir (dir);
}

GST_END_TEST;

/* Properties refuse changes above READY, except session-token. */
GST_START_TEST (test_settings_locked_while_running)
{
  GstElement *pipeline = gst_parse_launch ("webrtcbin kvssignalingsink "
      "name=s channel-name=c", NULL);
  GstElement *s = gst_bin_get_by_name (GST_BIN (pipeline), "s");
  gchar *name = NULL;

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  g_object_set (s, "channel-name", "d", NULL);  /* READY: allowed */
  g_object_get (s, "channel-name", &name, NULL);
  fail_unless_equals_string (name, "d");
  g_free (name);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (s);
  gst_object_unref (pipeline);
}

GST_END_TEST;

GST_START_TEST (test_bad_stun_server)
{
  expect_error ("webrtcbin kvssignalingsink channel-name=c "
      "stun-server=turn://u:p@example.com:3478", GST_STATE_READY,
      GST_RESOURCE_ERROR_SETTINGS, "Invalid stun-server");
  expect_error ("webrtcbin kvssignalingsrc channel-name=c "
      "stun-server=example.com:3478", GST_STATE_READY,
      GST_RESOURCE_ERROR_SETTINGS, "expected stun://host:port");
}

GST_END_TEST;

/* "" and "none" both disable STUN and read back as "none"; unset is NULL. */
GST_START_TEST (test_stun_server_property)
{
  GstElement *e = gst_element_factory_make ("kvssignalingsink", NULL);
  gchar *v = NULL;

  g_object_get (e, "stun-server", &v, NULL);
  fail_unless (v == NULL);
  g_object_set (e, "stun-server", "", NULL);
  g_object_get (e, "stun-server", &v, NULL);
  fail_unless_equals_string (v, "none");
  g_free (v);
  g_object_set (e, "stun-server", "stun://127.0.0.1:3478", NULL);
  g_object_get (e, "stun-server", &v, NULL);
  fail_unless_equals_string (v, "stun://127.0.0.1:3478");
  g_free (v);
  g_object_set (e, "stun-server", NULL, NULL);
  g_object_get (e, "stun-server", &v, NULL);
  fail_unless (v == NULL);
  gst_object_unref (e);
}

GST_END_TEST;

GST_START_TEST (test_endpoint_is_aws)
{
  fail_unless (gst_kvs_aws_endpoint_is_aws
      ("https://kinesisvideo.us-west-2.amazonaws.com"));
  fail_unless (gst_kvs_aws_endpoint_is_aws
      ("https://kinesisvideo.cn-north-1.amazonaws.com.cn"));
  fail_unless (gst_kvs_aws_endpoint_is_aws
      ("https://KinesisVideo.eu-west-1.AmazonAWS.com:443/"));
  fail_if (gst_kvs_aws_endpoint_is_aws ("http://127.0.0.1:4566"));
  fail_if (gst_kvs_aws_endpoint_is_aws ("http://localhost:4566"));
  fail_if (gst_kvs_aws_endpoint_is_aws ("https://amazonaws.com.evil.example"));
  fail_if (gst_kvs_aws_endpoint_is_aws ("https://notamazonaws.com"));
  fail_if (gst_kvs_aws_endpoint_is_aws ("not a url"));
  fail_if (gst_kvs_aws_endpoint_is_aws (NULL));
}

GST_END_TEST;

static gchar *
stun_for (const gchar * endpoint, const gchar * region, const gchar * prop)
{
  GstKvsSettings s;
  gchar *uri;

  gst_kvs_settings_init (&s);
  s.endpoint = g_strdup (endpoint);
  s.region = g_strdup (region);
  s.stun_server = g_strdup (prop);
  uri = gst_kvs_settings_dup_stun_uri (&s, NULL);
  gst_kvs_settings_clear (&s);
  return uri;
}

/* The default STUN server follows the control-plane endpoint. */
GST_START_TEST (test_stun_default_follows_endpoint)
{
  gchar *uri;

  /* No endpoint: AWS's, for the region. */
  uri = stun_for (NULL, "eu-west-1", NULL);
  fail_unless_equals_string (uri,
      "stun://stun.kinesisvideo.eu-west-1.amazonaws.com:443");
  g_free (uri);
  uri = stun_for ("https://kinesisvideo.cn-north-1.amazonaws.com.cn",
      "cn-north-1", NULL);
  fail_unless_equals_string (uri,
      "stun://stun.kinesisvideo.cn-north-1.amazonaws.com.cn:443");
  g_free (uri);
  /* A local service: none. */
  uri = stun_for ("http://127.0.0.1:4566", "us-west-2", NULL);
  fail_unless (uri == NULL, "got %s", uri);
  /* The same through the environment, as the library resolves it. */
  g_setenv ("AWS_ENDPOINT_URL_KINESIS_VIDEO", "http://127.0.0.1:4566", TRUE);
  uri = stun_for (NULL, "us-west-2", NULL);
  g_setenv ("AWS_ENDPOINT_URL_KINESIS_VIDEO", "", TRUE);
  fail_unless (uri == NULL, "got %s", uri);
  /* Explicit values win either way. */
  uri = stun_for ("http://127.0.0.1:4566", "us-west-2", "stun://10.0.0.1:3478");
  fail_unless_equals_string (uri, "stun://10.0.0.1:3478");
  g_free (uri);
  uri = stun_for (NULL, "us-west-2", "none");
  fail_unless (uri == NULL, "got %s", uri);
}

GST_END_TEST;

/* The AWS IoT properties, on the pair and forwarded by the bins; a thing
 * name stands for a missing channel name. */
GST_START_TEST (test_iot_properties)
{
  static const gchar *const props[] = { "iot-endpoint", "iot-certificate",
    "iot-private-key", "iot-role-alias", "iot-thing-name", NULL
  };
  static const gchar *const factories[] = { "kvssignalingsink",
    "kvssignalingsrc", "kvswebrtcsink", "kvswebrtcsrc", NULL
  };

  for (guint f = 0; factories[f]; f++) {
    GstElement *e = gst_element_factory_make (factories[f], NULL);

    if (e == NULL)
      continue;
    for (guint i = 0; props[i]; i++) {
      gchar *v = NULL;

      g_object_set (e, props[i], "value-of-prop", NULL);
      g_object_get (e, props[i], &v, NULL);
      fail_unless_equals_string (v, "value-of-prop");
      g_free (v);
    }
    gst_object_unref (e);
  }

  /* READY passes without channel-name: the thing names the channel */
  {
    GstElement *p = gst_parse_launch ("webrtcbin kvssignalingsink "
        "iot-thing-name=camera-1", NULL);

    fail_unless (p != NULL);
    fail_unless (gst_element_set_state (p, GST_STATE_READY) ==
        GST_STATE_CHANGE_SUCCESS);
    gst_element_set_state (p, GST_STATE_NULL);
    gst_object_unref (p);
  }
  expect_error ("webrtcbin kvssignalingsink iot-thing-name=bad/thing",
      GST_STATE_READY, GST_RESOURCE_ERROR_SETTINGS, "iot-thing-name");
}

GST_END_TEST;

static Suite *
config_suite (void)
{
  Suite *s = suite_create ("config");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, kvs_test_keep_openssl_at_exit, NULL);
  tcase_add_test (tc, test_missing_channel);
  tcase_add_test (tc, test_iot_properties);
  tcase_add_test (tc, test_bad_channel_name);
  tcase_add_test (tc, test_bad_client_id);
  tcase_add_test (tc, test_bad_correlation_id);
  tcase_add_test (tc, test_unknown_webrtcbin_name);
  tcase_add_test (tc, test_webrtcbin_name_not_a_webrtcbin);
  tcase_add_test (tc, test_no_webrtcbin);
  tcase_add_test (tc, test_two_webrtcbins);
  tcase_add_test (tc, test_resolution_ok);
  tcase_add_test (tc, test_webrtcbin_property_checked);
  tcase_add_test (tc, test_no_credentials);
  tcase_add_test (tc, test_settings_locked_while_running);
  tcase_add_test (tc, test_bad_stun_server);
  tcase_add_test (tc, test_stun_server_property);
  tcase_add_test (tc, test_endpoint_is_aws);
  tcase_add_test (tc, test_stun_default_follows_endpoint);
  tcase_add_test (tc, test_master_client_id_warns);
  tcase_add_test (tc, test_unreachable_endpoint_warns);
  tcase_add_test (tc, test_profile_selects_credentials);
  return s;
}

GST_CHECK_MAIN (config);
