/* Fault tests with real element pipelines (kvssignalingsink/src bound to
 * webrtcbin, VP8 over 127.0.0.1) against the real local service: the
 * service killed and restarted while a master streams to a viewer (video
 * keeps flowing, both reconnect, a new viewer gets video afterwards), and
 * the bus: transient faults never post an ERROR, a channel gone for good
 * does, naming the channel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "faultutil.h"
#include "../kvstestexit.h"

#define CHANNEL "faults-media"
#define VP8_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
  "payload=96,clock-rate=90000"
#define MIN_FRAMES 30

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gint * counter)
{
  g_atomic_int_inc (counter);
}

static gchar *
props (FaultServer * server, const gchar * role, const gchar * extra)
{
  return g_strdup_printf ("role=%s channel-name=" CHANNEL " aws-region="
      FAULT_REGION " endpoint=%s access-key=" FAULT_AK " secret-key="
      FAULT_SK " local-addresses=127.0.0.1 %s", role, server->endpoint,
      extra ? extra : "");
}

/* One webrtcbin and one video branch per viewer (request-webrtcbin). */
static GstElement *
on_request_webrtcbin (GstElement * src, const gchar * peer,
    GstElement * pipeline)
{
  GstElement *branch, *wb;
  g_autoptr (GError) err = NULL;

  branch = gst_parse_bin_from_description ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc deadline=1 ! "
      "rtpvp8pay ! capsfilter caps=\"" VP8_CAPS "\"", TRUE, &err);
  fail_unless (branch != NULL, "%s", err ? err->message : "");
  wb = gst_element_factory_make ("webrtcbin", NULL);
  g_object_set (wb, "bundle-policy", 3 /* max-bundle */ , NULL);
  gst_bin_add_many (GST_BIN (pipeline), branch, wb, NULL);
  fail_unless (gst_element_link (branch, wb));
  gst_element_sync_state_with_parent (wb);
  gst_element_sync_state_with_parent (branch);
  return gst_object_ref (wb);
}

/* A master serving any number of viewers. */
static GstElement *
master_new (FaultServer * server)
{
  g_autofree gchar *p = props (server, "master", NULL);
  g_autofree gchar *desc = g_strdup_printf ("kvssignalingsrc name=ksrc %s",
      p);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_pipeline_new ("master");
  GstElement *src = gst_parse_launch (desc, &error);

  fail_unless (src != NULL && error == NULL, "%s", error ? error->message : "");
  gst_bin_add (GST_BIN (pipeline), src);
  g_signal_connect (src, "request-webrtcbin",
      G_CALLBACK (on_request_webrtcbin), pipeline);
  return pipeline;
}

static GstElement *
viewer_new (FaultServer * server, const gchar * client_id, gint * counter)
{
  g_autofree gchar *id = g_strdup_printf ("client-id=%s", client_id);
  g_autofree gchar *p = props (server, "viewer", id);
  g_autofree gchar *desc = g_strdup_printf ("webrtcbin name=wb "
      "bundle-policy=max-bundle wb. ! rtpvp8depay ! vp8dec ! "
      "fakesink name=frames signal-handoffs=true sync=false async=false "
      "kvssignalingsink name=ksink %s "
      "kvssignalingsrc name=ksrc recv-caps=\"" VP8_CAPS "\" %s", p, p);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);
  GstElement *sink;

  fail_unless (pipeline != NULL && error == NULL, "%s",
      error ? error->message : "");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "frames");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), counter);
  gst_object_unref (sink);
  return pipeline;
}

static void
play (GstElement * pipeline)
{
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
}

static void
stop (GstElement * pipeline)
{
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

/* The signaling state of the pipeline's kvssignalingsrc. */
static gint
sig_state (GstElement * pipeline)
{
  GstElement *ksrc = gst_bin_get_by_name (GST_BIN (pipeline), "ksrc");
  gint state = -1;

  g_object_get (ksrc, "state", &state, NULL);
  gst_object_unref (ksrc);
  return state;
}

/* Pops the bus: fails on an ERROR; returns the number of state element
 * messages reporting DISCONNECTED. */
static guint
drain_bus (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  guint disconnected = 0;

  while ((msg = gst_bus_pop (bus))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      g_autoptr (GError) err = NULL;
      g_autofree gchar *debug = NULL;

      gst_message_parse_error (msg, &err, &debug);
      fail ("error from %s: %s (%s)", GST_OBJECT_NAME (msg->src),
          err->message, GST_STR_NULL (debug));
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT) {
      const GstStructure *s = gst_message_get_structure (msg);
      gint state;

      if (gst_structure_has_name (s, "kvssignaling-state") &&
          gst_structure_get_enum (s, "state", GST_TYPE_KVS_SIGNALING_STATE,
              &state) && state == GST_KVS_SIGNALING_STATE_DISCONNECTED)
        disconnected++;
    }
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return disconnected;
}

/* Waits until @pred holds, draining the buses of @pipelines (NULL ended);
 * returns the DISCONNECTED reports seen. */
#define WAIT_DRAINING(pipelines, expr, secs, disc) G_STMT_START {          \
  gint64 _end = g_get_monotonic_time () + (secs) * G_TIME_SPAN_SECOND;     \
  while (!(expr) && g_get_monotonic_time () < _end) {                      \
    for (guint _i = 0; (pipelines)[_i]; _i++)                               \
      (disc)[_i] += drain_bus ((pipelines)[_i]);                           \
    g_usleep (20 * 1000);                                                  \
  }                                                                        \
  for (guint _i = 0; (pipelines)[_i]; _i++)                                 \
    (disc)[_i] += drain_bus ((pipelines)[_i]);                             \
  fail_unless ((expr), "timed out after %d s waiting for %s", (int) (secs), \
      #expr);                                                              \
} G_STMT_END

GST_START_TEST (test_restart_video_keeps_flowing)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  GstElement *pipelines[4] = { NULL, };
  guint disc[4] = { 0, };
  gint frames = 0, frames2 = 0, mark;

  pipelines[0] = master_new (server);
  pipelines[1] = viewer_new (server, "viewer-before", &frames);
  play (pipelines[0]);
  play (pipelines[1]);
  WAIT_DRAINING (pipelines, g_atomic_int_get (&frames) >= MIN_FRAMES, 25, disc);

  /* the service dies: both notice, video keeps flowing peer to peer */
  fault_server_kill (server);
  WAIT_DRAINING (pipelines, disc[0] >= 1 && disc[1] >= 1, 5, disc);
  fail_unless (sig_state (pipelines[0]) != GST_KVS_SIGNALING_STATE_CONNECTED);
  mark = g_atomic_int_get (&frames);
  WAIT_DRAINING (pipelines, g_atomic_int_get (&frames) >= mark + 30, 5, disc);

  /* back on the same port, with a new channel ARN */
  fault_server_restart (server);
  WAIT_DRAINING (pipelines,
      sig_state (pipelines[0]) == GST_KVS_SIGNALING_STATE_CONNECTED &&
      sig_state (pipelines[1]) == GST_KVS_SIGNALING_STATE_CONNECTED, 15, disc);
  mark = g_atomic_int_get (&frames);
  WAIT_DRAINING (pipelines, g_atomic_int_get (&frames) >= mark + 30, 5, disc);

  /* a new viewer afterwards gets video too */
  pipelines[2] = viewer_new (server, "viewer-after", &frames2);
  play (pipelines[2]);
  WAIT_DRAINING (pipelines, g_atomic_int_get (&frames2) >= MIN_FRAMES, 20,
      disc);
  /* and the first one still does */
  mark = g_atomic_int_get (&frames);
  WAIT_DRAINING (pipelines, g_atomic_int_get (&frames) >= mark + 30, 5, disc);

  for (guint i = 0; pipelines[i]; i++)
    stop (pipelines[i]);
  fault_server_free (server);
}

GST_END_TEST;

/* Pops @pipeline's bus until an ERROR: its message (NULL: none in time).
 * Fails on an ERROR when @expect_error is FALSE. */
static gchar *
wait_error (GstElement * pipeline, guint ms)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, ms * GST_MSECOND,
      GST_MESSAGE_ERROR);
  gchar *text = NULL;

  if (msg) {
    g_autoptr (GError) err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    text = g_strdup (err->message);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return text;
}

/* A dropped TCP connection is transient (no ERROR, back to CONNECTED);
 * the channel deleted for good (create-channel off) is fatal: an ERROR
 * naming the channel. */
GST_START_TEST (test_bus_transient_vs_fatal)
{
  const gchar *args[] = { "--create-channel=" CHANNEL, NULL };
  FaultServer *server = fault_server_start (0, args, NULL);
  GstElement *pipelines[2] = { NULL, };
  guint disc[2] = { 0, };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;

  pipelines[0] = master_new (server);
  play (pipelines[0]);
  WAIT_DRAINING (pipelines,
      sig_state (pipelines[0]) == GST_KVS_SIGNALING_STATE_CONNECTED, 10, disc);

  fail_unless_equals_int (fault_control_post (server, "drop",
          "{\"channelName\":\"" CHANNEL "\",\"role\":\"master\"}"), 1);
  WAIT_DRAINING (pipelines, disc[0] >= 1 &&
      sig_state (pipelines[0]) == GST_KVS_SIGNALING_STATE_CONNECTED, 10, disc);
  text = wait_error (pipelines[0], 300);
  fail_unless (text == NULL, "a transient fault posted an ERROR: %s", text);

  fail_unless (fault_delete_channel (server, CHANNEL, &error), "%s",
      error ? error->message : "?");
  text = wait_error (pipelines[0], 10000);
  fail_unless (text != NULL, "no ERROR within 10 s of deleting the channel");
  fail_unless (strstr (text, CHANNEL) != NULL, "the error does not name the "
      "channel: %s", text);
  fail_unless_equals_int (sig_state (pipelines[0]),
      GST_KVS_SIGNALING_STATE_FAILED);

  stop (pipelines[0]);
  fault_server_free (server);
}

GST_END_TEST;

static Suite *
media_suite (void)
{
  Suite *s = suite_create ("faults-media");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, kvs_test_keep_openssl_at_exit, NULL);
  tcase_add_test (tc, test_restart_video_keeps_flowing);
  tcase_add_test (tc, test_bus_transient_vs_fatal);
  return s;
}

GST_CHECK_MAIN (media);
