/* kvs-bench-session: one round of the session-setup benchmark.
 *
 * A master pipeline (live test pattern → VP8 → webrtcbin) and a viewer
 * pipeline (webrtcbin → VP8 decoder → fakesink) in this process. Measures
 * the time from setting both pipelines to PLAYING to the first frame the
 * viewer decodes:
 *
 * --mode service: the pipelines carry kvssignalingsink/kvssignalingsrc
 *   (local-addresses=127.0.0.1) and meet through kvs-signaling-server;
 * --mode direct: the same pipelines without our elements; this program
 *   hands the viewer's offer, the master's answer and every ICE candidate
 *   straight to the other webrtcbin (zero-cost signaling, the limit), with
 *   ICE restricted to 127.0.0.1 the same way.
 *
 * Prints one JSON object.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "benchutil.h"

#define VP8_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
  "payload=96,clock-rate=90000"

typedef struct
{
  GMutex lock;
  GCond cond;
  gint64 t0;
  gint64 t_first_frame;
  gint64 t_ice_connected;
  gint64 t_offer;
  gint64 t_answer;
  gchar *error;
  GstElement *mwb, *vwb;
} Session;

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Session * s)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&s->lock);
  if (!s->t_first_frame) {
    s->t_first_frame = now;
    g_cond_signal (&s->cond);
  }
  g_mutex_unlock (&s->lock);
}

static void
on_ice_state (GstElement * wb, GParamSpec * pspec, Session * s)
{
  GstWebRTCICEConnectionState state;
  gint64 now = g_get_monotonic_time ();

  g_object_get (wb, "ice-connection-state", &state, NULL);
  g_mutex_lock (&s->lock);
  if ((state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
          state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED) &&
      !s->t_ice_connected)
    s->t_ice_connected = now;
  g_mutex_unlock (&s->lock);
}

static void
on_offer_sent (GstElement * sink, const gchar * recipient,
    GstWebRTCSessionDescription * desc, const gchar * correlation_id,
    Session * s)
{
  if (!s->t_offer)
    s->t_offer = g_get_monotonic_time ();
}

static void
on_answer_received (GstElement * src, const gchar * sender,
    GstWebRTCSessionDescription * desc, Session * s)
{
  if (!s->t_answer)
    s->t_answer = g_get_monotonic_time ();
}

static void
set_error (Session * s, const gchar * text)
{
  g_mutex_lock (&s->lock);
  if (!s->error)
    s->error = g_strdup (text);
  g_cond_signal (&s->cond);
  g_mutex_unlock (&s->lock);
}

/* ---- direct signaling ---------------------------------------------------- */

static void
restrict_to_loopback (GstElement * wb)
{
  GObject *agent = NULL;
  gboolean ok = FALSE;

  g_object_get (wb, "ice-agent", &agent, NULL);
  g_signal_emit_by_name (agent, "add-local-ip-address", "127.0.0.1", &ok);
  /* webrtcbin keeps its agent; our reference is not needed */
  g_object_unref (agent);
}

static void
on_ice_candidate (GstElement * wb, guint mline, const gchar * candidate,
    Session * s)
{
  GstElement *other = wb == s->mwb ? s->vwb : s->mwb;

  g_signal_emit_by_name (other, "add-ice-candidate", mline, candidate);
}

static GstWebRTCSessionDescription *
promise_desc (GstPromise * promise, const gchar * field, Session * s)
{
  const GstStructure *reply = gst_promise_get_reply (promise);
  GstWebRTCSessionDescription *desc = NULL;

  if (!reply || gst_structure_has_field (reply, "error")) {
    set_error (s, "webrtcbin promise failed");
    return NULL;
  }
  gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc,
      NULL);
  return desc;
}

static void
on_answer_created (GstPromise * promise, gpointer data)
{
  Session *s = data;
  GstWebRTCSessionDescription *answer = promise_desc (promise, "answer", s);

  gst_promise_unref (promise);
  if (!answer)
    return;
  s->t_answer = g_get_monotonic_time ();
  g_signal_emit_by_name (s->mwb, "set-local-description", answer, NULL);
  g_signal_emit_by_name (s->vwb, "set-remote-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
}

static void
on_offer_created (GstPromise * promise, gpointer data)
{
  Session *s = data;
  GstWebRTCSessionDescription *offer = promise_desc (promise, "offer", s);

  gst_promise_unref (promise);
  if (!offer)
    return;
  s->t_offer = g_get_monotonic_time ();
  g_signal_emit_by_name (s->vwb, "set-local-description", offer, NULL);
  g_signal_emit_by_name (s->mwb, "set-remote-description", offer, NULL);
  g_signal_emit_by_name (s->mwb, "create-answer", NULL,
      gst_promise_new_with_change_func (on_answer_created, s, NULL));
  gst_webrtc_session_description_free (offer);
}

static void
on_negotiation_needed (GstElement * wb, Session * s)
{
  g_signal_emit_by_name (wb, "create-offer", NULL,
      gst_promise_new_with_change_func (on_offer_created, s, NULL));
}

/* ---- pipelines ----------------------------------------------------------- */

static GstElement *
launch (const gchar * desc)
{
  g_autoptr (GError) err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);

  if (!p) {
    g_printerr ("%s: %s\n", desc, err ? err->message : "?");
    exit (1);
  }
  return p;
}

static gboolean
check_bus (GstElement * pipe, Session * s)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipe);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    g_autoptr (GError) err = NULL;
    g_autofree gchar *dbg = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    set_error (s, err->message);
    gst_message_unref (msg);
    return FALSE;
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *mode = NULL, *endpoint = NULL, *channel = NULL,
      *ak = NULL, *sk = NULL, *client_id = NULL;
  gint timeout_s = 20;
  gboolean create = FALSE, warm = FALSE;
  GOptionEntry entries[] = {
    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode, "service or direct", "M"},
    {"endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint, "service URL", "URL"},
    {"channel", 0, 0, G_OPTION_ARG_STRING, &channel, "channel name", "NAME"},
    {"client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, "viewer id", "ID"},
    {"access-key", 0, 0, G_OPTION_ARG_STRING, &ak, "access key", "AK"},
    {"secret-key", 0, 0, G_OPTION_ARG_STRING, &sk, "secret key", "SK"},
    {"create-channel", 0, 0, G_OPTION_ARG_NONE, &create,
        "create the channel if missing", NULL},
    {"warm", 0, 0, G_OPTION_ARG_NONE, &warm,
          "generate the process's DTLS certificate before the clock starts",
        NULL},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "seconds", "S"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- session round");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  g_autofree gchar *mdesc = NULL, *vdesc = NULL, *mprops = NULL, *vprops = NULL;
  GstElement *master, *viewer, *frames;
  gboolean service;
  gint64 deadline;
  Session s = { 0 };

  gst_init (&argc, &argv);
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !mode) {
    g_printerr ("usage: --mode service|direct [--endpoint URL --channel N]\n");
    return 2;
  }
  service = g_str_equal (mode, "service");
  g_mutex_init (&s.lock);
  g_cond_init (&s.cond);

  if (service) {
    const gchar *common = "channel-name=%s aws-region=us-west-2 endpoint=%s "
        "access-key=%s secret-key=%s local-addresses=127.0.0.1 "
        "webrtcbin-name=wb create-channel=%s";
    g_autofree gchar *c = g_strdup_printf (common, channel, endpoint,
        ak ? ak : "AKIDBENCH", sk ? sk : "bench-secret",
        create ? "true" : "false");

    mprops = g_strdup_printf ("kvssignalingsink role=master %s "
        "kvssignalingsrc role=master %s", c, c);
    vprops = g_strdup_printf ("kvssignalingsink name=vsink role=viewer "
        "client-id=%s %s kvssignalingsrc name=vsrc role=viewer client-id=%s "
        "recv-caps=\"" VP8_CAPS
        "\" %s", client_id ? client_id : "bench-viewer", c,
        client_id ? client_id : "bench-viewer", c);
  }
  mdesc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 ! rtpvp8pay ! " VP8_CAPS " ! "
      "webrtcbin name=wb bundle-policy=max-bundle %s", mprops ? mprops : "");
  vdesc = g_strdup_printf ("webrtcbin name=wb bundle-policy=max-bundle "
      "wb. ! rtpvp8depay ! vp8dec ! "
      "fakesink name=frames signal-handoffs=true sync=false async=false %s",
      vprops ? vprops : "");
  master = launch (mdesc);
  viewer = launch (vdesc);
  s.mwb = gst_bin_get_by_name (GST_BIN (master), "wb");
  s.vwb = gst_bin_get_by_name (GST_BIN (viewer), "wb");
  frames = gst_bin_get_by_name (GST_BIN (viewer), "frames");
  g_signal_connect (frames, "handoff", G_CALLBACK (on_handoff), &s);
  g_signal_connect (s.vwb, "notify::ice-connection-state",
      G_CALLBACK (on_ice_state), &s);

  if (service) {
    GstElement *vsink = gst_bin_get_by_name (GST_BIN (viewer), "vsink");
    GstElement *vsrc = gst_bin_get_by_name (GST_BIN (viewer), "vsrc");

    g_signal_connect (vsink, "offer-sent", G_CALLBACK (on_offer_sent), &s);
    g_signal_connect (vsrc, "answer-received", G_CALLBACK (on_answer_received),
        &s);
    gst_object_unref (vsink);
    gst_object_unref (vsrc);
  } else {
    GstWebRTCRTPTransceiver *trans = NULL;
    g_autoptr (GstCaps) caps = gst_caps_from_string (VP8_CAPS);

    restrict_to_loopback (s.mwb);
    restrict_to_loopback (s.vwb);
    g_signal_emit_by_name (s.vwb, "add-transceiver",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
    gst_clear_object (&trans);
    g_signal_connect (s.mwb, "on-ice-candidate",
        G_CALLBACK (on_ice_candidate), &s);
    g_signal_connect (s.vwb, "on-ice-candidate",
        G_CALLBACK (on_ice_candidate), &s);
    g_signal_connect (s.vwb, "on-negotiation-needed",
        G_CALLBACK (on_negotiation_needed), &s);
  }

  if (warm) {
    /* dtlsdec makes the process-wide certificate (an RSA key) when the
     * first one is created; webrtcbin reuses it for every later session */
    GstElement *dec = gst_element_factory_make ("dtlsdec", NULL);

    if (dec)
      gst_object_unref (dec);
  }

  /* everything is built: the clock starts now */
  s.t0 = g_get_monotonic_time ();
  gst_element_set_state (master, GST_STATE_PLAYING);
  gst_element_set_state (viewer, GST_STATE_PLAYING);

  deadline = s.t0 + timeout_s * G_USEC_PER_SEC;
  g_mutex_lock (&s.lock);
  while (!s.t_first_frame && !s.error) {
    gint64 wake = MIN (deadline, g_get_monotonic_time () + 20000);

    g_cond_wait_until (&s.cond, &s.lock, wake);
    if (g_get_monotonic_time () >= deadline)
      break;
    g_mutex_unlock (&s.lock);
    check_bus (master, &s);
    check_bus (viewer, &s);
    g_mutex_lock (&s.lock);
  }
  g_mutex_unlock (&s.lock);

  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "mode");
  json_builder_add_string_value (jb, mode);
  json_builder_set_member_name (jb, "warm");
  json_builder_add_boolean_value (jb, warm);
  if (s.t_first_frame) {
    json_builder_set_member_name (jb, "first_frame_us");
    json_builder_add_int_value (jb, s.t_first_frame - s.t0);
  }
  if (s.t_ice_connected) {
    json_builder_set_member_name (jb, "ice_connected_us");
    json_builder_add_int_value (jb, s.t_ice_connected - s.t0);
  }
  if (s.t_offer) {
    json_builder_set_member_name (jb, "offer_us");
    json_builder_add_int_value (jb, s.t_offer - s.t0);
  }
  if (s.t_answer) {
    json_builder_set_member_name (jb, "answer_us");
    json_builder_add_int_value (jb, s.t_answer - s.t0);
  }
  if (s.error || !s.t_first_frame) {
    json_builder_set_member_name (jb, "error");
    json_builder_add_string_value (jb, s.error ? s.error :
        "no decoded frame before the timeout");
  }
  json_builder_end_object (jb);
  bench_print_json (jb);

  gst_element_set_state (viewer, GST_STATE_NULL);
  gst_element_set_state (master, GST_STATE_NULL);
  gst_object_unref (frames);
  gst_object_unref (s.mwb);
  gst_object_unref (s.vwb);
  gst_object_unref (viewer);
  gst_object_unref (master);
  return s.t_first_frame ? 0 : 1;
}
