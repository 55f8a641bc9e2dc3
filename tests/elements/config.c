/* Bad configuration of kvssignalingsink / kvssignalingsrc: each a bus error
 * with a clear message and a failed state change, never a hang. No service
 * is needed: these are caught before anything is sent.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

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

static Suite *
config_suite (void)
{
  Suite *s = suite_create ("config");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_missing_channel);
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
  return s;
}

GST_CHECK_MAIN (config);
