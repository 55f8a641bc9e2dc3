/* End to end through the real local service (kvs-signaling-server, started
 * here as a subprocess): a master pipeline streams VP8, a viewer pipeline
 * decodes it; several viewers through request-webrtcbin; bad channel and
 * bad credentials end in bus errors, never a hang.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gio/gio.h>
#include <gst/webrtc/webrtc.h>
#include <gst/sdp/sdp.h>
#include <gst/kvssignaling/kvssignaling.h>
#include <signal.h>
#include "../kvstestexit.h"
#include "elementutil.h"

#define CHANNEL "e2e-channel"
#define AK "AKIDEXAMPLEELEMENTS"
#define SK "elements-secret-key-for-tests"
#define VP8_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
  "payload=96,clock-rate=90000"
#define MIN_FRAMES 30

/* ---- the local service -------------------------------------------------- */

static void
server_start_with (const gchar * const *extra)
{
  elem_service_start (AK, SK, CHANNEL, extra);
}

static void
server_start (void)
{
  server_start_with (NULL);
}

/* ---- pipelines ---------------------------------------------------------- */

static gint frames;

/* @secret NULL: no secret-key in the description (set it through the API:
 * gst-launch's parser logs the description it parses). */
static gchar *
connection_props (const gchar * role, const gchar * channel,
    const gchar * secret, const gchar * extra)
{
  g_autofree gchar *secret_prop = secret ?
      g_strdup_printf ("secret-key=%s", secret) : g_strdup ("");

  return g_strdup_printf ("role=%s channel-name=%s aws-region=us-west-2 "
      "endpoint=%s access-key=" AK " %s local-addresses=127.0.0.1 %s", role,
      channel, elem_service_endpoint (), secret_prop, extra ? extra : "");
}

static void
set_secret (GstElement * pipeline, const gchar * secret)
{
  const gchar *names[] = { "ksink", "ksrc" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), names[i]);

    g_object_set (e, "secret-key", secret, NULL);
    gst_object_unref (e);
  }
}

static gchar *
master_description (const gchar * props)
{
  return g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! "
      "vp8enc deadline=1 ! rtpvp8pay ! " VP8_CAPS " ! "
      "webrtcbin name=wb bundle-policy=max-bundle "
      "kvssignalingsink name=ksink webrtcbin-name=wb %s "
      "kvssignalingsrc name=ksrc webrtcbin-name=wb %s", props, props);
}

static gchar *
viewer_description (const gchar * props)
{
  return g_strdup_printf ("webrtcbin name=wb bundle-policy=max-bundle "
      "wb. ! rtpvp8depay ! vp8dec ! "
      "fakesink name=frames signal-handoffs=true sync=false async=false "
      "kvssignalingsink name=ksink %s "
      "kvssignalingsrc name=ksrc recv-caps=\"" VP8_CAPS "\" %s", props, props);
}

/* @counter (if not NULL) counts the frames of the fakesink "frames". */
static GstElement *
launch (const gchar * desc, gint * counter)
{
  GstElement *pipeline = elem_launch (desc);

  if (counter)
    elem_count_frames (pipeline, "frames", counter);
  return pipeline;
}

/* Fails on any error of @pipelines; returns the first warning text seen
 * that contains @warning_needle, if asked. */
static void
check_buses (GstElement ** pipelines, gchar ** warning_out,
    const gchar * warning_needle)
{
  guint i;

  for (i = 0; pipelines[i]; i++) {
    gchar *found = elem_check_bus_find (pipelines[i], warning_needle, NULL);

    if (warning_out && *warning_out == NULL)
      *warning_out = found;
    else
      g_free (found);
  }
}

/* Waits until every counter reached MIN_FRAMES (bounded). */
static void
wait_frames (GstElement ** pipelines, gint ** counters, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;
  gboolean all = FALSE;
  guint i;

  while (!all && g_get_monotonic_time () < end) {
    check_buses (pipelines, NULL, NULL);
    all = TRUE;
    for (i = 0; counters[i]; i++)
      if (g_atomic_int_get (counters[i]) < MIN_FRAMES)
        all = FALSE;
    if (!all)
      g_usleep (20 * 1000);
  }
  for (i = 0; counters[i]; i++)
    fail_unless (g_atomic_int_get (counters[i]) >= MIN_FRAMES,
        "viewer %u decoded only %d frames in %u s", i,
        g_atomic_int_get (counters[i]), seconds);
}

static void
stop_all (GstElement ** pipelines)
{
  guint i;

  for (i = 0; pipelines[i]; i++)
    elem_stop (pipelines[i]);
}

/* ---- tests ------------------------------------------------------------ */

/* One gst-launch-style line per role, both elements of each pair present. */
GST_START_TEST (test_launch_lines_video_flows)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK,
      "stun-server=stun://127.0.0.1:9");
  g_autofree gchar *vprops = connection_props ("viewer", CHANNEL, SK,
      "client-id=viewer-launch");
  g_autofree gchar *mdesc = master_description (mprops);
  g_autofree gchar *vdesc = viewer_description (vprops);
  GstElement *pipelines[3] = { NULL, };
  gint *counters[2] = { &frames, NULL };
  GstElement *ksrc;
  GstStructure *stats = NULL;
  guint64 offers = 0, answers = 0;
  gint state = 0;
  guint i;

  g_atomic_int_set (&frames, 0);
  pipelines[0] = launch (mdesc, NULL);
  pipelines[1] = launch (vdesc, &frames);
  elem_play (pipelines[0]);
  elem_play (pipelines[1]);

  wait_frames (pipelines, counters, 25);

  /* The viewer's pair shares one connection: one offer, one answer. */
  ksrc = gst_bin_get_by_name (GST_BIN (pipelines[1]), "ksrc");
  g_object_get (ksrc, "stats", &stats, "state", &state, NULL);
  fail_unless_equals_int (state, 7);    /* connected */
  fail_unless (gst_structure_get_uint64 (stats, "offers-sent", &offers));
  fail_unless (gst_structure_get_uint64 (stats, "answers-received", &answers));
  fail_unless_equals_int ((gint) offers, 1);
  fail_unless_equals_int ((gint) answers, 1);
  gst_structure_free (stats);
  gst_object_unref (ksrc);

  /* The endpoint is the local service: no AWS STUN server by default (the
   * viewer); an explicit stun-server is applied (the master). UPnP is off
   * on both sides. */
  for (i = 0; i < 2; i++) {
    GstElement *wb = gst_bin_get_by_name (GST_BIN (pipelines[i]), "wb");
    GObject *ice = NULL, *nice = NULL;
    gboolean upnp = TRUE;
    gchar *stun = NULL;

    g_object_get (wb, "stun-server", &stun, "ice-agent", &ice, NULL);
    if (i == 0) {
      fail_unless_equals_string (stun, "stun://127.0.0.1:9");
    } else {
      fail_unless (stun == NULL, "viewer got STUN server %s", stun);
    }
    g_free (stun);
    g_object_get (ice, "agent", &nice, NULL);
    g_object_get (nice, "upnp", &upnp, NULL);
    fail_if (upnp, "UPnP left on in pipeline %u", i);
    g_object_unref (nice);
    g_object_unref (ice);
    gst_object_unref (wb);
  }

  stop_all (pipelines);
}

GST_END_TEST;

/* ---- run-time metrics ---------------------------------------------------- */

static gint local_candidates;

static void
count_local_candidate (GstElement * wb, guint mline, const gchar * candidate,
    gint * counter)
{
  if (candidate && *candidate)
    g_atomic_int_inc (counter);
}

static void
check_duration (const GstStructure * s, const gchar * field)
{
  guint64 t = elem_stat_u64 (s, field);

  fail_unless (GST_CLOCK_TIME_IS_VALID (t) && t > 0 && t < 5 * GST_SECOND,
      "%s = %" G_GUINT64_FORMAT " ns", field, t);
}

/* The "kvssignaling-stats" messages of a pipeline, collected by a sync
 * handler (check_buses() drops element messages). */
typedef struct
{
  GMutex lock;
  GList *messages;
} Collected;

static GstBusSyncReply
collect_stats (GstBus * bus, GstMessage * msg, Collected * c)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
      && gst_message_has_name (msg, "kvssignaling-stats")) {
    g_mutex_lock (&c->lock);
    c->messages = g_list_append (c->messages, gst_message_ref (msg));
    g_mutex_unlock (&c->lock);
  }
  return GST_BUS_PASS;
}

/* After a negotiation through the service, both sides' stats hold the
 * control-plane and connect times, the offer/answer time and the message
 * counts, and the bus messages carry the same. */
GST_START_TEST (test_stats_after_negotiation)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK, NULL);
  g_autofree gchar *vprops = connection_props ("viewer", CHANNEL, SK,
      "client-id=viewer-stats");
  g_autofree gchar *mdesc = master_description (mprops);
  g_autofree gchar *vdesc = viewer_description (vprops);
  GstElement *pipelines[3] = { NULL, };
  gint *counters[2] = { &frames, NULL };
  GstStructure *vstats, *mstats;
  const GstStructure *peer;
  const GValue *peers;
  Collected collected = { 0, };
  GstBus *bus;
  GList *l;
  gboolean saw_connected = FALSE, saw_negotiated = FALSE;
  GstElement *wb;
  guint held = 99, npeers = 0;
  gint64 end;

  g_atomic_int_set (&frames, 0);
  g_atomic_int_set (&local_candidates, 0);
  pipelines[0] = launch (mdesc, NULL);
  pipelines[1] = launch (vdesc, &frames);
  wb = gst_bin_get_by_name (GST_BIN (pipelines[1]), "wb");
  g_signal_connect (wb, "on-ice-candidate",
      G_CALLBACK (count_local_candidate), &local_candidates);
  gst_object_unref (wb);
  g_mutex_init (&collected.lock);
  bus = gst_element_get_bus (pipelines[1]);
  gst_bus_set_sync_handler (bus, (GstBusSyncHandler) collect_stats,
      &collected, NULL);
  elem_play (pipelines[0]);
  elem_play (pipelines[1]);
  wait_frames (pipelines, counters, 25);

  /* Every local candidate went out and reached the master: the counts are
   * read once both agree (a candidate may still be on its way). */
  end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  for (;;) {
    vstats = elem_dup_stats (pipelines[1], "ksink");
    mstats = elem_dup_stats (pipelines[0], "ksrc");
    if ((elem_stat_u64 (vstats, "messages-sent-ice-candidate") ==
            (guint64) g_atomic_int_get (&local_candidates)
            && elem_stat_u64 (mstats, "messages-received-ice-candidate") ==
            (guint64) g_atomic_int_get (&local_candidates))
        || g_get_monotonic_time () > end)
      break;
    gst_structure_free (vstats);
    gst_structure_free (mstats);
    g_usleep (50 * 1000);
  }

  /* The viewer: control-plane calls and connect timed, one offer sent,
   * one answer received, offer->answer below 5 s. */
  check_duration (vstats, "describe-time");
  check_duration (vstats, "get-endpoint-time");
  check_duration (vstats, "get-ice-config-time");
  check_duration (vstats, "connect-time");
  check_duration (vstats, "offer-to-answer-time");
  fail_unless_equals_int ((gint) elem_stat_u64 (vstats,
          "messages-sent-sdp-offer"), 1);
  fail_unless_equals_int ((gint) elem_stat_u64 (vstats,
          "messages-received-sdp-answer"), 1);
  fail_unless_equals_int ((gint) elem_stat_u64 (vstats,
          "messages-sent-sdp-answer"), 0);
  fail_unless (g_atomic_int_get (&local_candidates) > 0);
  fail_unless_equals_int ((gint) elem_stat_u64 (vstats,
          "messages-sent-ice-candidate"), g_atomic_int_get (&local_candidates));
  fail_unless_equals_int ((gint) elem_stat_u64 (vstats, "negotiations"), 1);
  fail_unless_equals_int ((gint) elem_stat_u64 (vstats, "reconnects"), 0);
  fail_unless_equals_int ((gint) elem_stat_u64 (vstats,
          "messages-received-status-response"), 0);
  fail_unless (gst_structure_get_uint (vstats, "candidates-held", &held));
  fail_unless_equals_int (held, 0);
  fail_unless (gst_structure_get_uint (vstats, "queue-depth", &held));
  fail_unless_equals_int (held, 0);

  /* The master: the viewer's offer and candidates received, one answer
   * sent, one peer with its own offer->answer time. */
  check_duration (mstats, "describe-time");
  check_duration (mstats, "connect-time");
  check_duration (mstats, "offer-to-answer-time");
  fail_unless_equals_int ((gint) elem_stat_u64 (mstats,
          "messages-received-sdp-offer"), 1);
  fail_unless_equals_int ((gint) elem_stat_u64 (mstats,
          "messages-sent-sdp-answer"), 1);
  fail_unless_equals_int ((gint) elem_stat_u64 (mstats,
          "messages-received-ice-candidate"),
      g_atomic_int_get (&local_candidates));
  fail_unless (gst_structure_get_uint (mstats, "peers", &npeers));
  fail_unless_equals_int (npeers, 1);
  peers = gst_structure_get_value (mstats, "peer-stats");
  fail_unless (peers != NULL && GST_VALUE_HOLDS_ARRAY (peers));
  fail_unless_equals_int (gst_value_array_get_size (peers), 1);
  peer = gst_value_get_structure (gst_value_array_get_value (peers, 0));
  fail_unless_equals_string (gst_structure_get_string (peer, "client-id"),
      "viewer-stats");
  fail_unless_equals_uint64 (elem_stat_u64 (peer, "offer-to-answer-time"),
      elem_stat_u64 (mstats, "offer-to-answer-time"));

  /* The viewer's bus: a stats message at each state change (the last one
   * CONNECTED) and one after the exchange carrying its time. */
  g_mutex_lock (&collected.lock);
  for (l = collected.messages; l; l = l->next) {
    const GstStructure *s = gst_message_get_structure (l->data);
    const gchar *reason = gst_structure_get_string (s, "reason");
    gint state = 0;

    fail_unless (gst_structure_get_enum (s, "state",
            GST_TYPE_KVS_SIGNALING_STATE, &state));
    if (g_strcmp0 (reason, "state-changed") == 0
        && state == GST_KVS_SIGNALING_STATE_CONNECTED) {
      saw_connected = TRUE;
      check_duration (s, "connect-time");
      check_duration (s, "describe-time");
    } else if (g_strcmp0 (reason, "negotiated") == 0) {
      saw_negotiated = TRUE;
      fail_unless_equals_uint64 (elem_stat_u64 (s, "offer-to-answer-time"),
          elem_stat_u64 (vstats, "offer-to-answer-time"));
      fail_unless_equals_int ((gint) elem_stat_u64 (s,
              "messages-sent-sdp-offer"), 1);
      fail_unless_equals_int ((gint) elem_stat_u64 (s,
              "messages-received-sdp-answer"), 1);
    }
  }
  g_mutex_unlock (&collected.lock);
  fail_unless (saw_connected, "no stats message for CONNECTED");
  fail_unless (saw_negotiated, "no stats message after the exchange");

  gst_structure_free (vstats);
  gst_structure_free (mstats);
  stop_all (pipelines);
  gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
  gst_object_unref (bus);
  g_list_free_full (collected.messages, (GDestroyNotify) gst_message_unref);
  g_mutex_clear (&collected.lock);
}

GST_END_TEST;

typedef struct
{
  gint offers_received;
  gint answers_sent;
  gint peers_added;
  gchar *peer;
} MasterEvents;

static void
on_offer_received (GstElement * src, const gchar * sender,
    GstWebRTCSessionDescription * offer, MasterEvents * ev)
{
  g_atomic_int_inc (&ev->offers_received);
  if (ev->peer == NULL)
    ev->peer = g_strdup (sender);
}

static void
on_answer_sent (GstElement * sink, const gchar * recipient,
    GstWebRTCSessionDescription * answer, const gchar * correlation_id,
    MasterEvents * ev)
{
  if (answer && correlation_id && *correlation_id)
    g_atomic_int_inc (&ev->answers_sent);
}

static void
on_peer_added (GstElement * src, const gchar * peer, MasterEvents * ev)
{
  g_atomic_int_inc (&ev->peers_added);
}

/* The application way: elements made one by one, webrtcbin property. */
GST_START_TEST (test_app_api_master_signals)
{
  g_autofree gchar *vprops = connection_props ("viewer", CHANNEL, SK,
      "client-id=viewer-app");
  g_autofree gchar *vdesc = viewer_description (vprops);
  GstElement *pipelines[3] = { NULL, };
  gint *counters[2] = { &frames, NULL };
  GstElement *master, *wb, *sink, *src, *tail;
  MasterEvents ev = { 0, };
  g_autoptr (GError) err = NULL;

  master = gst_pipeline_new ("master");
  tail = gst_parse_bin_from_description ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc deadline=1 ! "
      "rtpvp8pay ! capsfilter caps=\"" VP8_CAPS "\"", TRUE, &err);
  fail_unless (tail != NULL, "%s", err ? err->message : "");
  wb = gst_element_factory_make ("webrtcbin", NULL);
  sink = gst_element_factory_make ("kvssignalingsink", NULL);
  src = gst_element_factory_make ("kvssignalingsrc", NULL);
  gst_bin_add_many (GST_BIN (master), tail, wb, sink, src, NULL);
  fail_unless (gst_element_link (tail, wb));
  g_object_set (sink, "webrtcbin", wb, NULL);
  g_object_set (src, "webrtcbin", wb, NULL);
  {
    GstElement *both[] = { sink, src };
    guint i;

    for (i = 0; i < 2; i++) {
      g_object_set (both[i], "channel-name", CHANNEL, "aws-region",
          "us-west-2", "endpoint", elem_service_endpoint (), "access-key", AK,
          "secret-key", SK, "local-addresses", "127.0.0.1", NULL);
      gst_util_set_object_arg (G_OBJECT (both[i]), "role", "master");
    }
  }
  g_signal_connect (src, "offer-received", G_CALLBACK (on_offer_received), &ev);
  g_signal_connect (src, "peer-added", G_CALLBACK (on_peer_added), &ev);
  g_signal_connect (sink, "answer-sent", G_CALLBACK (on_answer_sent), &ev);

  g_atomic_int_set (&frames, 0);
  pipelines[0] = master;
  pipelines[1] = launch (vdesc, &frames);
  elem_play (master);
  elem_play (pipelines[1]);

  wait_frames (pipelines, counters, 25);
  fail_unless_equals_int (g_atomic_int_get (&ev.offers_received), 1);
  fail_unless_equals_int (g_atomic_int_get (&ev.answers_sent), 1);
  fail_unless_equals_int (g_atomic_int_get (&ev.peers_added), 1);
  fail_unless_equals_string (ev.peer, "viewer-app");

  stop_all (pipelines);
  g_free (ev.peer);
}

GST_END_TEST;

/* ---- several viewers: request-webrtcbin --------------------------------- */

static GstElement *
on_request_webrtcbin (GstElement * src, const gchar * peer,
    GstElement * pipeline)
{
  GstElement *branch, *wb;
  g_autoptr (GError) err = NULL;

  branch = gst_parse_bin_from_description ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc deadline=1 ! "
      "rtpvp8pay ! capsfilter caps=\"" VP8_CAPS "\"", TRUE, &err);
  wb = gst_element_factory_make ("webrtcbin", NULL);
  g_object_set (wb, "bundle-policy", 3 /* max-bundle */ , NULL);
  gst_bin_add_many (GST_BIN (pipeline), branch, wb, NULL);
  fail_unless (gst_element_link (branch, wb));
  gst_element_sync_state_with_parent (wb);
  gst_element_sync_state_with_parent (branch);
  return gst_object_ref (wb);
}

GST_START_TEST (test_several_viewers_request_webrtcbin)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK, NULL);
  GstElement *pipelines[4] = { NULL, };
  gint f1 = 0, f2 = 0;
  gint *counters[3] = { &f1, &f2, NULL };
  GstElement *master, *src;
  g_autofree gchar *mdesc = NULL;
  guint i;

  /* No webrtcbin at all: the application gives one per viewer. */
  mdesc = g_strdup_printf ("kvssignalingsrc name=ksrc %s", mprops);
  master = gst_pipeline_new ("master");
  src = launch (mdesc, NULL);
  gst_bin_add (GST_BIN (master), gst_object_ref (src));
  g_signal_connect (src, "request-webrtcbin",
      G_CALLBACK (on_request_webrtcbin), master);
  gst_object_unref (src);
  pipelines[0] = master;
  elem_play (master);

  for (i = 0; i < 2; i++) {
    g_autofree gchar *id = g_strdup_printf ("client-id=several-%u", i);
    g_autofree gchar *props = connection_props ("viewer", CHANNEL, SK, id);
    g_autofree gchar *desc = viewer_description (props);

    pipelines[i + 1] = launch (desc, counters[i]);
    elem_play (pipelines[i + 1]);
  }

  wait_frames (pipelines, counters, 30);
  stop_all (pipelines);
}

GST_END_TEST;

/* One webrtcbin, no request-webrtcbin handler: a second viewer is refused
 * with a warning; the first keeps its video. */
GST_START_TEST (test_second_viewer_refused)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK, NULL);
  g_autofree gchar *mdesc = master_description (mprops);
  GstElement *pipelines[4] = { NULL, };
  gint f1 = 0, f2 = 0;
  gint *counters[2] = { &f1, NULL };
  gchar *warning = NULL;
  gint64 end;
  guint i;

  pipelines[0] = launch (mdesc, NULL);
  elem_play (pipelines[0]);
  for (i = 0; i < 2; i++) {
    g_autofree gchar *id = g_strdup_printf ("client-id=refused-%u", i);
    g_autofree gchar *props = connection_props ("viewer", CHANNEL, SK, id);
    g_autofree gchar *desc = viewer_description (props);

    pipelines[i + 1] = launch (desc, i == 0 ? &f1 : &f2);
    elem_play (pipelines[i + 1]);
    if (i == 0) {
      GstElement *first[] = { pipelines[0], pipelines[1], NULL };
      wait_frames (first, counters, 25);
    }
  }

  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (warning == NULL && g_get_monotonic_time () < end) {
    GstElement *master_only[] = { pipelines[0], NULL };

    check_buses (master_only, &warning, "Refusing the offer");
    g_usleep (20 * 1000);
  }
  fail_unless (warning != NULL, "no warning about the second viewer");
  fail_unless (strstr (warning, "refused-1") != NULL, "%s", warning);
  g_free (warning);
  fail_unless (g_atomic_int_get (&f2) == 0);
  stop_all (pipelines);
}

GST_END_TEST;

/* A viewer offering VP8 at another payload type than the pair's webrtcbin
 * sends (Firefox offers VP8 at 120): webrtcbin 1.22 would answer with its
 * own (no media, and no word of why); the master refuses that offer with a
 * warning naming the fix, and its webrtcbin then serves the next viewer. */
GST_START_TEST (test_offer_other_payload_type_refused)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK, NULL);
  g_autofree gchar *mdesc = master_description (mprops);
  g_autofree gchar *bprops = connection_props ("viewer", CHANNEL, SK,
      "client-id=pt-100");
  g_autofree gchar *bdesc = g_strdup_printf ("webrtcbin name=wb "
      "bundle-policy=max-bundle wb. ! fakesink async=false "
      "kvssignalingsink name=ksink %s kvssignalingsrc name=ksrc "
      "recv-caps=\"application/x-rtp,media=video,encoding-name=VP8,"
      "payload=100,clock-rate=90000\" %s", bprops, bprops);
  g_autofree gchar *gprops = connection_props ("viewer", CHANNEL, SK,
      "client-id=pt-96");
  g_autofree gchar *gdesc = viewer_description (gprops);
  GstElement *pipelines[4] = { NULL, };
  GstElement *master_only[] = { NULL, NULL };
  gint good = 0;
  gint *counters[] = { &good, NULL };
  gchar *warning = NULL;
  gint64 end;

  pipelines[0] = launch (mdesc, NULL);
  master_only[0] = pipelines[0];
  elem_play (pipelines[0]);
  pipelines[1] = launch (bdesc, NULL);
  elem_play (pipelines[1]);
  end = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (warning == NULL && g_get_monotonic_time () < end) {
    check_buses (master_only, &warning, "Refusing the offer");
    g_usleep (20 * 1000);
  }
  fail_unless (warning != NULL, "no warning about the offer at pt 100");
  fail_unless (strstr (warning, "pt-100") != NULL, "%s", warning);
  fail_unless (strstr (warning, "payload type 96 where the offer has 100")
      != NULL, "%s", warning);
  g_free (warning);
  elem_stop (pipelines[1]);
  pipelines[1] = NULL;

  pipelines[2] = launch (gdesc, &good);
  elem_play (pipelines[2]);
  {
    GstElement *both[] = { pipelines[0], pipelines[2], NULL };

    wait_frames (both, counters, 25);
  }
  elem_stop (pipelines[2]);
  elem_stop (pipelines[0]);
}

GST_END_TEST;

/* ---- signaling reconnects under an established session ----------------- */

static guint64
stats_of (GstElement * pipeline, const gchar * field)
{
  GstStructure *stats = elem_dup_stats (pipeline, "ksrc");
  guint64 v = elem_stat_u64 (stats, field);

  gst_structure_free (stats);
  return v;
}

/* The service drops both TCP connections: both sides reconnect (counted in
 * their stats), nobody offers again, and the video keeps flowing. */
GST_START_TEST (test_media_flows_across_signaling_reconnect)
{
  const gchar *const control[] = { "--control", NULL };
  g_autofree gchar *mprops = NULL, *vprops = NULL, *mdesc = NULL, *vdesc = NULL;
  GstElement *pipelines[3] = { NULL, };
  gint *counters[2] = { &frames, NULL };
  gint before;
  gint64 end;

  elem_service_stop ();
  server_start_with (control);
  mprops = connection_props ("master", CHANNEL, SK, NULL);
  vprops = connection_props ("viewer", CHANNEL, SK, "client-id=viewer-drop");
  mdesc = master_description (mprops);
  vdesc = viewer_description (vprops);

  g_atomic_int_set (&frames, 0);
  pipelines[0] = launch (mdesc, NULL);
  pipelines[1] = launch (vdesc, &frames);
  elem_play (pipelines[0]);
  elem_play (pipelines[1]);
  wait_frames (pipelines, counters, 25);

  elem_service_control_post ("drop", "{\"channelName\": \"" CHANNEL "\"}");
  end = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while ((stats_of (pipelines[0], "reconnects") < 1
          || stats_of (pipelines[1], "reconnects") < 1)
      && g_get_monotonic_time () < end) {
    check_buses (pipelines, NULL, NULL);
    g_usleep (50 * 1000);
  }
  fail_unless (stats_of (pipelines[0], "reconnects") >= 1,
      "the master did not reconnect");
  fail_unless (stats_of (pipelines[1], "reconnects") >= 1,
      "the viewer did not reconnect");

  /* Still the same session: 30 more frames, one offer, one answer. */
  before = g_atomic_int_get (&frames);
  g_atomic_int_set (&frames, 0);
  wait_frames (pipelines, counters, 15);
  fail_unless (before >= MIN_FRAMES);
  fail_unless_equals_int ((gint) stats_of (pipelines[1], "offers-sent"), 1);
  fail_unless_equals_int ((gint) stats_of (pipelines[0], "answers-sent"), 1);
  {
    GstStructure *stats = elem_dup_stats (pipelines[0], "ksrc");
    guint peers = 0;

    fail_unless (gst_structure_get_uint (stats, "peers", &peers));
    fail_unless_equals_int (peers, 1);
    gst_structure_free (stats);
  }
  stop_all (pipelines);
}

GST_END_TEST;

/* ---- a viewer that restarts and offers again ---------------------------- */

typedef struct
{
  gint requested;
  gint removed;
  GstElement *pipeline;
} Restart;

static GstElement *
on_request_counted (GstElement * src, const gchar * peer, Restart * r)
{
  g_atomic_int_inc (&r->requested);
  return on_request_webrtcbin (src, peer, r->pipeline);
}

static void
on_peer_removed_counted (GstElement * src, const gchar * peer, Restart * r)
{
  if (g_strcmp0 (peer, "restarting") == 0)
    g_atomic_int_inc (&r->removed);
}

/* The viewer "restarting" streams, stops, and a new pipeline with the same
 * client id offers again: a new peer connection. */
static GstElement *
restart_viewer (GstElement * master, gint * f1, gint * f2)
{
  g_autofree gchar *props = connection_props ("viewer", CHANNEL, SK,
      "client-id=restarting");
  g_autofree gchar *desc = viewer_description (props);
  GstElement *first[3] = { master, NULL, NULL };
  gint *counters[2] = { f1, NULL };
  GstElement *second;

  first[1] = launch (desc, f1);
  elem_play (first[1]);
  wait_frames (first, counters, 25);
  gst_element_set_state (first[1], GST_STATE_NULL);
  gst_object_unref (first[1]);

  second = launch (desc, f2);
  elem_play (second);
  return second;
}

/* With request-webrtcbin, the old session is torn down (peer-removed, its
 * webrtcbin released) and the new offer gets a new webrtcbin. */
GST_START_TEST (test_restarted_viewer_replaces_session)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK, NULL);
  g_autofree gchar *mdesc = g_strdup_printf ("kvssignalingsink name=ksink %s "
      "kvssignalingsrc name=ksrc %s", mprops, mprops);
  GstElement *pipelines[3] = { NULL, };
  gint f1 = 0, f2 = 0;
  gint *counters[2] = { &f2, NULL };
  Restart r = { 0, };
  GstElement *src;
  GstStructure *stats;
  guint peers = 0;

  pipelines[0] = launch (mdesc, NULL);
  r.pipeline = pipelines[0];
  src = gst_bin_get_by_name (GST_BIN (pipelines[0]), "ksrc");
  g_signal_connect (src, "request-webrtcbin",
      G_CALLBACK (on_request_counted), &r);
  g_signal_connect (src, "peer-removed",
      G_CALLBACK (on_peer_removed_counted), &r);
  elem_play (pipelines[0]);

  pipelines[1] = restart_viewer (pipelines[0], &f1, &f2);
  wait_frames (pipelines, counters, 25);
  fail_unless_equals_int (g_atomic_int_get (&r.requested), 2);
  fail_unless_equals_int (g_atomic_int_get (&r.removed), 1);
  g_object_get (src, "stats", &stats, NULL);
  fail_unless (gst_structure_get_uint (stats, "peers", &peers));
  fail_unless_equals_int (peers, 1);
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "refused-offers"), 0);
  gst_structure_free (stats);
  gst_object_unref (src);
  stop_all (pipelines);
}

GST_END_TEST;

/* With the element's single webrtcbin (1.22 cannot reset it), the new peer
 * connection's offer is refused with a warning saying why. */
GST_START_TEST (test_restarted_viewer_refused_single_webrtcbin)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK, NULL);
  g_autofree gchar *mdesc = master_description (mprops);
  GstElement *pipelines[3] = { NULL, };
  gint f1 = 0, f2 = 0;
  gchar *warning = NULL;
  GstStructure *stats;
  GstElement *src;
  gint64 end;

  pipelines[0] = launch (mdesc, NULL);
  elem_play (pipelines[0]);
  pipelines[1] = restart_viewer (pipelines[0], &f1, &f2);

  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (warning == NULL && g_get_monotonic_time () < end) {
    GstElement *master_only[] = { pipelines[0], NULL };

    check_buses (master_only, &warning, "Refusing the new offer");
    g_usleep (20 * 1000);
  }
  fail_unless (warning != NULL, "no warning about the new offer");
  fail_unless (strstr (warning, "'restarting'") != NULL, "%s", warning);
  fail_unless (strstr (warning, "request-webrtcbin") != NULL, "%s", warning);
  g_free (warning);
  src = gst_bin_get_by_name (GST_BIN (pipelines[0]), "ksrc");
  g_object_get (src, "stats", &stats, NULL);
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "refused-offers"), 1);
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "answers-sent"), 1);
  gst_structure_free (stats);
  gst_object_unref (src);
  fail_unless_equals_int (g_atomic_int_get (&f2), 0);
  stop_all (pipelines);
}

GST_END_TEST;

/* ---- auto-negotiate=false: the application negotiates ----------------- */

typedef struct
{
  GstElement *wb;
  GstElement *ksink;
  gint needed;
  gint offering;
  gint offers_queued;
  gint offers_sent;
  gint answers;
  gint remote_candidates;
  gint local_candidates_queued;
} Manual;

static void
manual_offer_created (GstPromise * promise, Manual * m)
{
  const GstStructure *reply = gst_promise_get_reply (promise);
  GstWebRTCSessionDescription *offer = NULL;
  gboolean queued = FALSE;

  gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
      &offer, NULL);
  gst_promise_unref (promise);
  fail_unless (offer != NULL);
  g_signal_emit_by_name (m->wb, "set-local-description", offer, NULL);
  g_signal_emit_by_name (m->ksink, "send-offer", NULL, offer, &queued);
  if (queued)
    g_atomic_int_inc (&m->offers_queued);
  gst_webrtc_session_description_free (offer);
}

/* Offer once webrtcbin asked for negotiation and the signaling connection
 * is up, whichever comes last. */
static void
manual_try_offer (Manual * m)
{
  GstPromise *promise;
  gint state = 0;

  g_object_get (m->ksink, "state", &state, NULL);
  if (!g_atomic_int_get (&m->needed) || state != 7
      || !g_atomic_int_compare_and_exchange (&m->offering, 0, 1))
    return;
  promise = gst_promise_new_with_change_func ((GstPromiseChangeFunc)
      manual_offer_created, m, NULL);
  g_signal_emit_by_name (m->wb, "create-offer", NULL, promise);
}

static void
manual_negotiation_needed (GstElement * wb, Manual * m)
{
  g_atomic_int_set (&m->needed, 1);
  manual_try_offer (m);
}

static void
manual_state_changed (GstElement * ksink, GParamSpec * pspec, Manual * m)
{
  manual_try_offer (m);
}

static void
manual_local_candidate (GstElement * wb, guint mline, const gchar * cand,
    Manual * m)
{
  gboolean queued = FALSE;

  g_signal_emit_by_name (m->ksink, "send-ice-candidate", NULL, mline, NULL,
      cand, &queued);
  if (queued)
    g_atomic_int_inc (&m->local_candidates_queued);
}

static void
manual_offer_sent (GstElement * sink, const gchar * recipient,
    GstWebRTCSessionDescription * offer, const gchar * correlation_id,
    Manual * m)
{
  if (offer && correlation_id && *correlation_id)
    g_atomic_int_inc (&m->offers_sent);
}

static void
manual_answer (GstElement * src, const gchar * sender,
    GstWebRTCSessionDescription * answer, Manual * m)
{
  /* The service does not name the master to a viewer. */
  fail_unless (sender == NULL);
  g_signal_emit_by_name (m->wb, "set-remote-description", answer, NULL);
  g_atomic_int_inc (&m->answers);
}

static void
manual_remote_candidate (GstElement * src, const gchar * sender, guint mline,
    const gchar * mid, const gchar * cand, Manual * m)
{
  /* Our master sends the real a=mid with the index. */
  fail_unless (mline != G_MAXUINT);
  fail_unless (mid != NULL && g_str_has_prefix (mid, "video"));
  g_signal_emit_by_name (m->wb, "add-ice-candidate", mline, cand);
  g_atomic_int_inc (&m->remote_candidates);
}

static void
manual_pad_added (GstElement * wb, GstPad * pad, GstElement * pipeline)
{
  if (GST_PAD_DIRECTION (pad) == GST_PAD_SRC)
    elem_link_counted (pipeline, pad, "rtpvp8depay ! vp8dec ! "
        "fakesink signal-handoffs=true sync=false name=frames", "frames",
        &frames);
}

GST_START_TEST (test_manual_negotiation_viewer)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK, NULL);
  g_autofree gchar *mdesc = master_description (mprops);
  g_autofree gchar *vprops = connection_props ("viewer", CHANNEL, SK,
      "client-id=manual-viewer auto-negotiate=false");
  g_autofree gchar *vdesc = g_strdup_printf ("webrtcbin name=wb "
      "bundle-policy=max-bundle kvssignalingsink name=ksink %s "
      "kvssignalingsrc name=ksrc %s", vprops, vprops);
  GstElement *pipelines[3] = { NULL, };
  gint *counters[2] = { &frames, NULL };
  Manual m = { 0, };
  GstElement *ksrc;
  GObject *agent = NULL;
  GstCaps *caps;
  GstWebRTCRTPTransceiver *trans = NULL;
  gboolean ok = FALSE;

  g_atomic_int_set (&frames, 0);
  pipelines[0] = launch (mdesc, NULL);
  pipelines[1] = launch (vdesc, NULL);
  m.wb = gst_bin_get_by_name (GST_BIN (pipelines[1]), "wb");
  m.ksink = gst_bin_get_by_name (GST_BIN (pipelines[1]), "ksink");
  ksrc = gst_bin_get_by_name (GST_BIN (pipelines[1]), "ksrc");

  /* The elements leave webrtcbin alone: the application does it all. */
  g_object_get (m.wb, "ice-agent", &agent, NULL);
  g_signal_emit_by_name (agent, "add-local-ip-address", "127.0.0.1", &ok);
  fail_unless (ok);
  g_object_unref (agent);
  g_signal_connect (m.wb, "on-negotiation-needed",
      G_CALLBACK (manual_negotiation_needed), &m);
  g_signal_connect (m.wb, "on-ice-candidate",
      G_CALLBACK (manual_local_candidate), &m);
  g_signal_connect (m.wb, "pad-added", G_CALLBACK (manual_pad_added),
      pipelines[1]);
  g_signal_connect (m.ksink, "offer-sent", G_CALLBACK (manual_offer_sent), &m);
  g_signal_connect (ksrc, "answer-received", G_CALLBACK (manual_answer), &m);
  g_signal_connect (ksrc, "ice-candidate-received",
      G_CALLBACK (manual_remote_candidate), &m);

  g_signal_connect (m.ksink, "notify::state",
      G_CALLBACK (manual_state_changed), &m);
  caps = gst_caps_from_string (VP8_CAPS);
  g_signal_emit_by_name (m.wb, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  gst_caps_unref (caps);
  gst_object_unref (trans);

  elem_play (pipelines[0]);
  elem_play (pipelines[1]);

  wait_frames (pipelines, counters, 25);
  fail_unless_equals_int (g_atomic_int_get (&m.offers_queued), 1);
  fail_unless_equals_int (g_atomic_int_get (&m.offers_sent), 1);
  fail_unless_equals_int (g_atomic_int_get (&m.answers), 1);
  fail_unless (g_atomic_int_get (&m.remote_candidates) > 0);
  fail_unless (g_atomic_int_get (&m.local_candidates_queued) > 0);

  gst_object_unref (ksrc);
  gst_object_unref (m.ksink);
  gst_object_unref (m.wb);
  stop_all (pipelines);
}

GST_END_TEST;

/* ---- the pair shares one connection ----------------------------------- */

static gchar *
wait_generated_id (GstElement * pipeline, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  gint state = 0;
  gchar *id = NULL;

  while (state != 7 && g_get_monotonic_time () < end) {
    g_object_get (e, "state", &state, NULL);
    g_usleep (20 * 1000);
  }
  fail_unless_equals_int (state, 7);
  g_object_get (e, "client-id", &id, NULL);
  gst_object_unref (e);
  return id;
}

/* A viewer pair without client-id: one connection, so one generated id for
 * both elements; another pipeline gets another connection and id. */
GST_START_TEST (test_pair_shares_connection)
{
  g_autofree gchar *props = connection_props ("viewer", CHANNEL, SK, NULL);
  g_autofree gchar *desc = viewer_description (props);
  GstElement *pipelines[3] = { NULL, };
  gchar *a_sink, *a_src, *b_src;

  pipelines[0] = launch (desc, NULL);
  pipelines[1] = launch (desc, NULL);
  elem_play (pipelines[0]);
  elem_play (pipelines[1]);

  a_sink = wait_generated_id (pipelines[0], "ksink");
  a_src = wait_generated_id (pipelines[0], "ksrc");
  b_src = wait_generated_id (pipelines[1], "ksrc");
  fail_unless (a_sink != NULL && *a_sink);
  fail_unless_equals_string (a_sink, a_src);
  fail_unless (b_src != NULL);
  fail_if (g_str_equal (a_src, b_src), "two pipelines share %s", a_src);
  g_free (a_sink);
  g_free (a_src);
  g_free (b_src);
  stop_all (pipelines);
}

GST_END_TEST;

/* ---- the service's refusals: status-response ------------------------- */

typedef struct
{
  GMutex lock;
  GPtrArray *correlation_ids;   /* gchar*, in arrival order */
  GPtrArray *error_types;
  GArray *status_codes;         /* guint */
} Status;

static void
on_status_response (GstElement * src, const gchar * correlation_id,
    const gchar * error_type, guint status_code, const gchar * description,
    Status * st)
{
  g_mutex_lock (&st->lock);
  g_ptr_array_add (st->correlation_ids, g_strdup (correlation_id));
  g_ptr_array_add (st->error_types, g_strdup (error_type));
  g_array_append_val (st->status_codes, status_code);
  g_mutex_unlock (&st->lock);
}

static guint
status_count (Status * st)
{
  guint n;

  g_mutex_lock (&st->lock);
  n = st->correlation_ids->len;
  g_mutex_unlock (&st->lock);
  return n;
}

/* The service holds at most --max-queue=2 messages for an absent
 * recipient: of 4 candidates to "nobody" the 3rd and 4th are refused with a
 * STATUS_RESPONSE carrying their own correlation ids, reported as a signal
 * and as a bus warning. (The client paces SDP and ICE below the service's
 * rate limits, so throttling cannot provoke a refusal.) */
GST_START_TEST (test_status_response)
{
  const gchar *const extra[] = { "--max-queue=2", NULL };
  g_autofree gchar *props = NULL, *desc = NULL;
  GstElement *pipeline;
  GstElement *pipelines[2] = { NULL, NULL };
  GstElement *bin, *ksink, *ksrc;
  Status st;
  gchar *warning = NULL;
  gint state = 0, i;
  gint64 end;

  elem_service_stop ();
  server_start_with (extra);
  props = connection_props ("master", CHANNEL, SK, "auto-negotiate=false");
  desc = g_strdup_printf ("kvssignalingsink name=ksink %s "
      "kvssignalingsrc name=ksrc %s", props, props);
  g_mutex_init (&st.lock);
  st.correlation_ids = g_ptr_array_new_with_free_func (g_free);
  st.error_types = g_ptr_array_new_with_free_func (g_free);
  st.status_codes = g_array_new (FALSE, FALSE, sizeof (guint));

  pipeline = pipelines[0] = gst_pipeline_new (NULL);
  bin = gst_parse_bin_from_description (desc, FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), bin);
  ksink = gst_bin_get_by_name (GST_BIN (bin), "ksink");
  ksrc = gst_bin_get_by_name (GST_BIN (bin), "ksrc");
  g_signal_connect (ksrc, "status-response", G_CALLBACK (on_status_response),
      &st);
  elem_play (pipeline);

  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (state != 7 && g_get_monotonic_time () < end) {
    g_object_get (ksink, "state", &state, NULL);
    g_usleep (20 * 1000);
  }
  fail_unless_equals_int (state, 7);

  for (i = 0; i < 4; i++) {
    g_autofree gchar *cand = g_strdup_printf ("candidate:%d 1 udp 2122260223 "
        "127.0.0.1 %d typ host", i + 1, 50000 + i);
    gboolean queued = FALSE;

    g_signal_emit_by_name (ksink, "send-ice-candidate", "nobody", 0, "0",
        cand, &queued);
    fail_unless (queued);
  }

  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while ((status_count (&st) < 2 || warning == NULL)
      && g_get_monotonic_time () < end) {
    check_buses (pipelines, &warning, "ClientLimitExceededException");
    g_usleep (20 * 1000);
  }
  /* Nothing more comes: the first two were held, not refused. */
  g_usleep (200 * 1000);
  fail_unless_equals_int (status_count (&st), 2);
  g_mutex_lock (&st.lock);
  for (i = 0; i < 2; i++) {
    /* This element sends nothing else: the refused candidates are the
     * connection's 3rd and 4th correlation ids ("<prefix>.3", "<prefix>.4"). */
    g_autofree gchar *suffix = g_strdup_printf (".%d", i + 3);
    const gchar *corr = g_ptr_array_index (st.correlation_ids, i);

    fail_unless (corr != NULL && g_str_has_suffix (corr, suffix),
        "status %d has correlation id '%s', not '*%s'", i, GST_STR_NULL (corr),
        suffix);
    fail_unless_equals_string (g_ptr_array_index (st.error_types, i),
        "ClientLimitExceededException");
    fail_unless_equals_int (g_array_index (st.status_codes, guint, i), 400);
  }
  g_mutex_unlock (&st.lock);
  fail_unless (warning != NULL, "no bus warning");
  g_free (warning);
  gst_object_unref (ksink);
  gst_object_unref (ksrc);
  stop_all (pipelines);
  g_ptr_array_unref (st.correlation_ids);
  g_ptr_array_unref (st.error_types);
  g_array_unref (st.status_codes);
  g_mutex_clear (&st.lock);
}

GST_END_TEST;

/* ---- life cycle ------------------------------------------------------- */

/* Start and stop in quick succession, mid-connect, then a full restart of
 * the same pipeline: no hang, no crash, and the restarted pipeline works. */
GST_START_TEST (test_restart_cycles)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, SK, NULL);
  g_autofree gchar *mdesc = master_description (mprops);
  g_autofree gchar *vprops = connection_props ("viewer", CHANNEL, SK,
      "client-id=cycling-viewer");
  g_autofree gchar *vdesc = viewer_description (vprops);
  GstElement *pipelines[3] = { NULL, };
  gint *counters[2] = { &frames, NULL };
  guint i;

  pipelines[0] = launch (mdesc, NULL);
  pipelines[1] = launch (vdesc, &frames);
  for (i = 0; i < 5; i++) {
    elem_play (pipelines[0]);
    g_usleep (i * 20 * 1000);
    fail_unless (gst_element_set_state (pipelines[0], GST_STATE_READY) ==
        GST_STATE_CHANGE_SUCCESS);
  }
  fail_unless (gst_element_set_state (pipelines[0], GST_STATE_NULL) ==
      GST_STATE_CHANGE_SUCCESS);

  /* The same master pipeline, from NULL again, serves a viewer. */
  g_atomic_int_set (&frames, 0);
  elem_play (pipelines[0]);
  elem_play (pipelines[1]);
  wait_frames (pipelines, counters, 25);
  stop_all (pipelines);
}

GST_END_TEST;

/* ---- TURN from GetIceServerConfig ------------------------------------ */

#define TURN_SECRET "turn-shared-secret"

static guint
free_udp_port (void)
{
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *bound;
  guint port;

  fail_unless (g_socket_bind (sock, addr, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  g_object_unref (sock);
  return port;
}

static void
force_relay (GstElement * pipeline)
{
  GstElement *wb = gst_bin_get_by_name (GST_BIN (pipeline), "wb");
  GObject *ice = NULL, *agent = NULL;

  g_object_get (wb, "ice-agent", &ice, NULL);
  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "force-relay", TRUE, NULL);
  g_object_unref (agent);
  g_object_unref (ice);
  gst_object_unref (wb);
}

/* A real TURN server (coturn) and relay-only ICE on both sides: video only
 * flows if the TURN URIs of GetIceServerConfig reached webrtcbin with their
 * <expiry>:<name> user and base64 password correctly escaped. */
GST_START_TEST (test_turn_relay_only)
{
  g_autofree gchar *turn_port = g_strdup_printf ("%u", free_udp_port ());
  g_autofree gchar *listen = g_strdup_printf ("--listening-port=%s",
      turn_port);
  g_autofree gchar *turn_uri = g_strdup_printf ("--turn-uri=turn:127.0.0.1:"
      "%s?transport=udp", turn_port);
  const gchar *extra[] = { turn_uri, "--turn-secret", TURN_SECRET, NULL };
  g_autoptr (GError) err = NULL;
  GSubprocess *turn;
  g_autofree gchar *mprops = NULL, *vprops = NULL, *mdesc = NULL, *vdesc = NULL;
  GstElement *pipelines[3] = { NULL, };
  gint *counters[2] = { &frames, NULL };

  turn = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
      G_SUBPROCESS_FLAGS_STDERR_SILENCE, &err, "turnserver", "-n",
      "--listening-ip=127.0.0.1", listen, "--relay-ip=127.0.0.1",
      "--use-auth-secret", "--static-auth-secret=" TURN_SECRET,
      "--realm=kvs.test", "--allow-loopback-peers", "--no-cli", "--no-tls",
      "--no-dtls", "--no-tcp", "--log-file=stdout", NULL);
  fail_unless (turn != NULL, "turnserver: %s", err ? err->message : "");

  /* This test's service hands out TURN credentials. */
  elem_service_stop ();
  server_start_with (extra);
  g_usleep (300 * 1000);        /* coturn opens its port */

  mprops = connection_props ("master", CHANNEL, SK, NULL);
  vprops = connection_props ("viewer", CHANNEL, SK, "client-id=relayed");
  mdesc = master_description (mprops);
  vdesc = viewer_description (vprops);
  g_atomic_int_set (&frames, 0);
  pipelines[0] = launch (mdesc, NULL);
  pipelines[1] = launch (vdesc, &frames);
  force_relay (pipelines[0]);
  force_relay (pipelines[1]);
  elem_play (pipelines[0]);
  elem_play (pipelines[1]);
  wait_frames (pipelines, counters, 25);
  stop_all (pipelines);

  g_subprocess_send_signal (turn, SIGTERM);
  g_subprocess_wait (turn, NULL, NULL);
  g_object_unref (turn);
}

GST_END_TEST;

/* ---- secrets stay out of the logs ------------------------------------- */

static gint secret_seen;

static void
scan_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text = gst_debug_message_get (message);

  if (text && (strstr (text, SK) || strstr (text, "not-the-secret")
          || strstr (text, "the-session-token")))
    g_atomic_int_inc (&secret_seen);
}

/* Every category at level 9, a full session and a refused connect: neither
 * the secret key nor the session token is ever printed. */
GST_START_TEST (test_secrets_not_logged)
{
  g_autofree gchar *mprops = connection_props ("master", CHANNEL, NULL, NULL);
  g_autofree gchar *mdesc = master_description (mprops);
  g_autofree gchar *vprops = connection_props ("viewer", CHANNEL, NULL,
      "client-id=secret-viewer");
  g_autofree gchar *vdesc = viewer_description (vprops);
  g_autofree gchar *bad = connection_props ("viewer", CHANNEL, NULL,
      "client-id=bad-secret");
  g_autofree gchar *bdesc = viewer_description (bad);
  GstElement *pipelines[4] = { NULL, };
  gint *counters[2] = { &frames, NULL };
  GstElement *ksink;
  GstMessage *msg;
  GstBus *bus;

  g_atomic_int_set (&frames, 0);
  g_atomic_int_set (&secret_seen, 0);
  pipelines[0] = launch (mdesc, NULL);
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (scan_log, NULL, NULL);
  gst_debug_set_threshold_from_string ("*:9", TRUE);

  pipelines[1] = launch (vdesc, &frames);
  set_secret (pipelines[0], SK);
  set_secret (pipelines[1], SK);
  ksink = gst_bin_get_by_name (GST_BIN (pipelines[0]), "ksink");
  g_object_set (ksink, "session-token", "the-session-token", NULL);
  elem_play (pipelines[0]);
  elem_play (pipelines[1]);
  /* Replaced while playing (used by the next connect). */
  g_object_set (ksink, "session-token", "the-session-token", NULL);
  gst_object_unref (ksink);
  wait_frames (pipelines, counters, 25);

  gst_debug_set_threshold_from_string ("*:0", TRUE);
  pipelines[2] = launch (bdesc, NULL);
  gst_debug_set_threshold_from_string ("*:9", TRUE);
  set_secret (pipelines[2], "not-the-secret");
  bus = gst_element_get_bus (pipelines[2]);
  gst_element_set_state (pipelines[2], GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  gst_object_unref (bus);
  stop_all (pipelines);

  gst_debug_set_threshold_from_string ("*:0", TRUE);
  gst_debug_remove_log_function (scan_log);
  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);
  fail_unless_equals_int (g_atomic_int_get (&secret_seen), 0);
}

GST_END_TEST;

/* ---- failures: bus errors, bounded ------------------------------------- */

static void
expect_bus_error (const gchar * desc, gint code, const gchar * needle)
{
  GstElement *pipeline = launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *err = NULL;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error within 20 s for %s", desc);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (err->domain == GST_RESOURCE_ERROR);
  fail_unless_equals_int (err->code, code);
  fail_unless (strstr (err->message, needle) != NULL, "'%s' lacks '%s'",
      err->message, needle);
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_unknown_channel)
{
  g_autofree gchar *props = connection_props ("viewer", "no-such-channel",
      SK, "client-id=lost");
  g_autofree gchar *desc = viewer_description (props);

  expect_bus_error (desc, GST_RESOURCE_ERROR_NOT_FOUND, "no-such-channel");
}

GST_END_TEST;

GST_START_TEST (test_wrong_credentials)
{
  g_autofree gchar *props = connection_props ("master", CHANNEL,
      "not-the-secret", NULL);
  g_autofree gchar *desc = master_description (props);

  expect_bus_error (desc, GST_RESOURCE_ERROR_NOT_AUTHORIZED, CHANNEL);
}

GST_END_TEST;

static Suite *
e2e_suite (void)
{
  Suite *s = suite_create ("e2e");
  TCase *tc = tcase_create ("general");
  g_autofree gchar *turnserver = NULL;
  const gchar *const media[] = { "nicesrc", "dtlssrtpenc", "vp8enc", "vp8dec",
    "rtpvp8pay", "rtpvp8depay", "videotestsrc", NULL
  };

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, kvs_test_keep_openssl_at_exit, NULL);
  tcase_add_checked_fixture (tc, server_start, elem_service_stop);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_unknown_channel);
  tcase_add_test (tc, test_wrong_credentials);
  tcase_add_test (tc, test_pair_shares_connection);
  tcase_add_test (tc, test_status_response);
  if (elem_have_factories (media)) {
    tcase_add_test (tc, test_launch_lines_video_flows);
    tcase_add_test (tc, test_stats_after_negotiation);
    tcase_add_test (tc, test_media_flows_across_signaling_reconnect);
    tcase_add_test (tc, test_app_api_master_signals);
    tcase_add_test (tc, test_several_viewers_request_webrtcbin);
    tcase_add_test (tc, test_second_viewer_refused);
    tcase_add_test (tc, test_offer_other_payload_type_refused);
    tcase_add_test (tc, test_restarted_viewer_replaces_session);
    tcase_add_test (tc, test_restarted_viewer_refused_single_webrtcbin);
    tcase_add_test (tc, test_manual_negotiation_viewer);
    tcase_add_test (tc, test_secrets_not_logged);
    tcase_add_test (tc, test_restart_cycles);
    turnserver = g_find_program_in_path ("turnserver");
    if (turnserver)
      tcase_add_test (tc, test_turn_relay_only);
    else
      g_printerr ("turnserver (coturn) missing: skipping the TURN test\n");
  } else {
    g_printerr ("nicesrc/dtlssrtpenc/vp8 missing: skipping media tests\n");
  }
  return s;
}

GST_CHECK_MAIN (e2e);
