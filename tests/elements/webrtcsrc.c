/* kvswebrtcsrc end to end through the real local service
 * (kvs-signaling-server, started here as a subprocess) and real webrtcbin
 * sessions over 127.0.0.1, counting decoded frames: a gst-launch
 * description decodes; two bins in one pipeline are two viewers; the bin
 * survives a master restart with its pads and decoder; a viewer restarted
 * with the same client id gets video again; role=master exposes a viewer's
 * stream; bad codec lists are clear errors; the offer is made while the
 * connection is being set up and sent first once it is up.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>
#include <gst/kvssignaling/kvssignaling.h>
#include "../kvstestexit.h"
#include "elementutil.h"

#define CHANNEL "webrtcsrc-channel"
#define AK "AKIDEXAMPLEWEBRTCSRC"
#define SK "webrtcsrc-secret-key-for-tests"
#define VP8_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
  "payload=96,clock-rate=90000"
#define VIDEO "videotestsrc is-live=true ! " \
  "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1"
#define MIN_FRAMES 60

static void
server_start (void)
{
  elem_service_start (AK, SK, CHANNEL, NULL);
}

/* ---- pipelines ---------------------------------------------------------- */

static gchar *
props (const gchar * extra)
{
  return g_strdup_printf ("channel-name=" CHANNEL " aws-region=us-west-2 "
      "endpoint=%s access-key=" AK " local-addresses=127.0.0.1 %s",
      elem_service_endpoint (), extra ? extra : "");
}

/* The secret is set through the API: gst-launch's parser logs what it
 * parses. */
static void
set_secret (GstElement * pipeline, const gchar * name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);

  fail_unless (e != NULL, "no element %s", name);
  g_object_set (e, "secret-key", SK, NULL);
  gst_object_unref (e);
}

/* ---- the master ----------------------------------------------------------
 *
 * Until kvswebrtcsink lands, the master is the pair and one webrtcbin per
 * viewer (request-webrtcbin, as examples/multi-viewer-master.c), so that it
 * serves several viewers and viewers that come back. To test against
 * kvswebrtcsink instead, master_start() becomes
 *   VIDEO " ! kvswebrtcsink name=ksrc <props>"
 * and master_viewers_seen() reads its viewer-added signal. */

typedef struct
{
  GstElement *pipeline;
  GMutex lock;
  GPtrArray *viewers;           /* client ids, in order of arrival */
  gint received;                /* frames decoded from the viewers */
} Master;

/* Video a viewer sends: decoded and counted. */
static void
on_master_pad_added (GstElement * wb, GstPad * pad, Master * m)
{
  if (GST_PAD_DIRECTION (pad) == GST_PAD_SRC)
    elem_link_counted (m->pipeline, pad, "rtpvp8depay ! vp8dec ! "
        "fakesink name=got signal-handoffs=true sync=false async=false",
        "got", &m->received);
}

static GstElement *
on_request_webrtcbin (GstElement * src, const gchar * peer, Master * m)
{
  g_autoptr (GError) err = NULL;
  GstElement *branch, *wb;

  branch = gst_parse_bin_from_description (VIDEO " ! rtpvp8pay ! "
      "capsfilter caps=\"" VP8_CAPS "\"", TRUE, &err);
  fail_unless (branch != NULL, "%s", err ? err->message : "");
  wb = gst_element_factory_make ("webrtcbin", NULL);
  g_object_set (wb, "bundle-policy", 3 /* max-bundle */ , NULL);
  g_signal_connect (wb, "pad-added", G_CALLBACK (on_master_pad_added), m);
  gst_bin_add_many (GST_BIN (m->pipeline), branch, wb, NULL);
  fail_unless (gst_element_link (branch, wb));
  gst_element_sync_state_with_parent (wb);
  gst_element_sync_state_with_parent (branch);
  g_mutex_lock (&m->lock);
  g_ptr_array_add (m->viewers, g_strdup (peer));
  g_mutex_unlock (&m->lock);
  return gst_object_ref (wb);
}

static Master *
master_start (void)
{
  g_autofree gchar *p = props ("role=master");
  g_autofree gchar *desc = g_strdup_printf ("kvssignalingsrc name=ksrc %s",
      p);
  Master *m = g_new0 (Master, 1);
  GstElement *src;

  g_mutex_init (&m->lock);
  m->viewers = g_ptr_array_new_with_free_func (g_free);
  m->pipeline = gst_pipeline_new ("master");
  src = elem_launch (desc);
  gst_bin_add (GST_BIN (m->pipeline), src);
  set_secret (m->pipeline, "ksrc");
  g_signal_connect (src, "request-webrtcbin",
      G_CALLBACK (on_request_webrtcbin), m);
  elem_play (m->pipeline);
  return m;
}

/* The client ids of the viewers the master served, comma-separated. */
static gchar *
master_viewers_seen (Master * m)
{
  gchar *ids;

  g_mutex_lock (&m->lock);
  g_ptr_array_add (m->viewers, NULL);
  ids = g_strjoinv (",", (gchar **) m->viewers->pdata);
  g_ptr_array_remove_index (m->viewers, m->viewers->len - 1);
  g_mutex_unlock (&m->lock);
  return ids;
}

static void
master_stop (Master * m)
{
  if (m == NULL)
    return;
  elem_stop (m->pipeline);
  g_ptr_array_unref (m->viewers);
  g_mutex_clear (&m->lock);
  g_free (m);
}

/* ---- viewers ------------------------------------------------------------ */

/* A kvswebrtcsrc viewer from a gst-launch description, decoding into the
 * fakesink "frames". */
static GstElement *
viewer_launch (const gchar * extra, gint * counter)
{
  g_autofree gchar *p = props (extra);
  g_autofree gchar *desc = g_strdup_printf ("kvswebrtcsrc name=src %s ! "
      "decodebin name=dec ! videoconvert ! fakesink name=frames "
      "signal-handoffs=true sync=false", p);
  GstElement *pipeline = elem_launch (desc);

  set_secret (pipeline, "src");
  elem_count_frames (pipeline, "frames", counter);
  return pipeline;
}

/* Warnings of kvswebrtcsrc saying it offers again, seen by check_buses. */
static gint restart_warnings;

static void
count_restart_warning (const GError * warning, gpointer data)
{
  if (strstr (warning->message, "offering again"))
    restart_warnings++;
}

/* Fails on any ERROR on the buses of @pipelines (NULL-terminated); counts
 * kvswebrtcsrc's restart warnings. */
static void
check_buses (GstElement ** pipelines)
{
  guint i;

  for (i = 0; pipelines[i]; i++)
    elem_check_bus (pipelines[i], count_restart_warning, NULL);
}

/* Waits until *@counter reaches @min (bounded), checking the buses. */
static void
wait_count (GstElement ** pipelines, gint * counter, gint min, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (g_atomic_int_get (counter) < min && g_get_monotonic_time () < end) {
    check_buses (pipelines);
    g_usleep (20 * 1000);
  }
  check_buses (pipelines);
  fail_unless (g_atomic_int_get (counter) >= min,
      "only %d of %d frames decoded in %u s", g_atomic_int_get (counter),
      min, seconds);
}

/* ---- tests -------------------------------------------------------------- */

/* The one-liner: kvswebrtcsrc ! decodebin ! videoconvert ! sink; its
 * latency property reaches the session's webrtcbin. */
GST_START_TEST (test_launch_line_decodes)
{
  Master *m = master_start ();
  gint frames = 0;
  GstElement *viewer = viewer_launch ("latency=77", &frames);
  GstElement *pipelines[] = { m->pipeline, viewer, NULL };
  GstStructure *stats;
  GstElement *webrtcbin;
  guint pads = 0, latency = 0;

  elem_play (viewer);
  wait_count (pipelines, &frames, MIN_FRAMES, 20);
  webrtcbin = gst_bin_get_by_name (GST_BIN (viewer), "webrtcbin1");
  fail_unless (webrtcbin != NULL);
  g_object_get (webrtcbin, "latency", &latency, NULL);
  fail_unless_equals_int (latency, 77);
  gst_object_unref (webrtcbin);

  stats = elem_dup_stats (viewer, "src");
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "sessions"), 1);
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "restarts"), 0);
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "offers-sent"), 1);
  fail_unless (gst_structure_get_uint (stats, "src-pads", &pads));
  fail_unless_equals_int (pads, 1);
  gst_structure_free (stats);

  elem_stop (viewer);
  master_stop (m);
}

GST_END_TEST;

/* A pipeline stopped (NULL, then READY) and played again: a new session
 * each time, through the same source pad (gst-launch-1.0 links a
 * sometimes pad only once; decodebin would not be linked again, vp8dec
 * is). */
GST_START_TEST (test_state_cycles)
{
  Master *m = master_start ();
  g_autofree gchar *p = props (NULL);
  g_autofree gchar *desc = g_strdup_printf ("kvswebrtcsrc name=src %s ! "
      "vp8dec ! fakesink name=frames signal-handoffs=true sync=false", p);
  GstElement *viewer = gst_parse_launch (desc, NULL);
  GstElement *pipelines[] = { m->pipeline, viewer, NULL };
  GstState down[] = { GST_STATE_NULL, GST_STATE_READY };
  GstElement *src;
  GstPad *pad;
  GstStructure *stats;
  gint frames = 0;
  guint i;

  fail_unless (viewer != NULL);
  set_secret (viewer, "src");
  elem_count_frames (viewer, "frames", &frames);
  elem_play (viewer);
  wait_count (pipelines, &frames, MIN_FRAMES, 20);
  src = gst_bin_get_by_name (GST_BIN (viewer), "src");
  pad = gst_element_get_static_pad (src, "video_0");
  fail_unless (pad != NULL);

  for (i = 0; i < G_N_ELEMENTS (down); i++) {
    GstPad *again;

    gst_element_set_state (viewer, down[i]);
    g_atomic_int_set (&frames, 0);
    elem_play (viewer);
    wait_count (pipelines, &frames, MIN_FRAMES, 20);
    again = gst_element_get_static_pad (src, "video_0");
    fail_unless (again == pad, "video_0 replaced after %s",
        gst_element_state_get_name (down[i]));
    gst_object_unref (again);
  }
  stats = elem_dup_stats (viewer, "src");
  /* Counted since NULL→READY: one session after READY. */
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "sessions"), 2);
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "restarts"), 0);
  gst_structure_free (stats);

  gst_object_unref (pad);
  gst_object_unref (src);
  elem_stop (viewer);
  master_stop (m);
}

GST_END_TEST;

/* Two kvswebrtcsrc without client-id in one pipeline: two viewers, each
 * with its own generated client id, each decoding. */
GST_START_TEST (test_two_bins_are_two_viewers)
{
  Master *m = master_start ();
  g_autofree gchar *p = props (NULL);
  g_autofree gchar *desc =
      g_strdup_printf ("kvswebrtcsrc name=a %s ! decodebin ! videoconvert ! "
      "fakesink name=fa signal-handoffs=true sync=false "
      "kvswebrtcsrc name=b %s ! decodebin ! videoconvert ! "
      "fakesink name=fb signal-handoffs=true sync=false", p, p);
  GstElement *viewer = elem_launch (desc);
  GstElement *pipelines[] = { m->pipeline, viewer, NULL };
  GstElement *a, *b;
  gint fa = 0, fb = 0;
  g_autofree gchar *ida = NULL, *idb = NULL, *seen = NULL;

  set_secret (viewer, "a");
  set_secret (viewer, "b");
  elem_count_frames (viewer, "fa", &fa);
  elem_count_frames (viewer, "fb", &fb);
  elem_play (viewer);
  wait_count (pipelines, &fa, MIN_FRAMES, 25);
  wait_count (pipelines, &fb, MIN_FRAMES, 10);

  a = gst_bin_get_by_name (GST_BIN (viewer), "a");
  b = gst_bin_get_by_name (GST_BIN (viewer), "b");
  g_object_get (a, "client-id", &ida, NULL);
  g_object_get (b, "client-id", &idb, NULL);
  fail_unless (ida && idb && g_strcmp0 (ida, idb) != 0, "%s / %s", ida, idb);
  seen = master_viewers_seen (m);
  fail_unless (strstr (seen, ida) && strstr (seen, idb), "master saw %s", seen);
  gst_object_unref (a);
  gst_object_unref (b);

  elem_stop (viewer);
  master_stop (m);
}

GST_END_TEST;

/* The decoder decodebin plugged (the first element with Decoder in its
 * class), referenced. */
static GstElement *
find_decoder (GstElement * pipeline)
{
  GstElement *dec = gst_bin_get_by_name (GST_BIN (pipeline), "dec");
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (dec));
  GValue item = G_VALUE_INIT;
  GstElement *found = NULL;

  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    const gchar *klass = gst_element_get_metadata (e,
        GST_ELEMENT_METADATA_KLASS);

    if (klass && strstr (klass, "Decoder"))
      found = gst_object_ref (e);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  gst_object_unref (dec);
  return found;
}

static GstPadProbeReturn
count_decoded (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

/* The master pipeline stops and a new one starts @away_ms later: the viewer
 * pipeline keeps running, offers again (more than once when the master is
 * away long), and decodes again within 5 s of the new master, through the
 * same source pad and the same decoder. */
static void
check_master_restart (guint away_ms, guint min_restarts)
{
  Master *m = master_start ();
  gint frames = 0, decoded = 0;
  GstElement *viewer = viewer_launch (NULL, &frames);
  GstElement *pipelines[] = { viewer, NULL };
  GstElement *src, *decoder, *decoder_after;
  GstPad *pad, *pad_after, *decoder_src;
  GstStructure *stats;
  gint64 up, back;
  gint before;

  elem_play (viewer);
  {
    GstElement *both[] = { m->pipeline, viewer, NULL };

    wait_count (both, &frames, MIN_FRAMES, 20);
  }
  src = gst_bin_get_by_name (GST_BIN (viewer), "src");
  pad = gst_element_get_static_pad (src, "video_0");
  fail_unless (pad != NULL);
  decoder = find_decoder (viewer);
  fail_unless (decoder != NULL);
  decoder_src = gst_element_get_static_pad (decoder, "src");
  gst_pad_add_probe (decoder_src, GST_PAD_PROBE_TYPE_BUFFER, count_decoded,
      &decoded, NULL);

  restart_warnings = 0;
  master_stop (m);
  g_usleep (away_ms * 1000);
  check_buses (pipelines);
  m = master_start ();
  up = g_get_monotonic_time ();
  before = g_atomic_int_get (&decoded);

  /* Video again within 5 s of the new master, then 60 frames more. */
  {
    GstElement *both[] = { m->pipeline, viewer, NULL };

    wait_count (both, &decoded, before + 1, 5);
    back = g_get_monotonic_time ();
    wait_count (both, &decoded, before + MIN_FRAMES, 10);
  }
  g_printerr ("master away %u ms: video back %" G_GINT64_FORMAT " ms after "
      "the new master started\n", away_ms, (back - up) / 1000);

  /* Same pad, same decoder, one restart, said on the bus as a warning. */
  pad_after = gst_element_get_static_pad (src, "video_0");
  fail_unless (pad_after == pad, "video_0 was replaced");
  decoder_after = find_decoder (viewer);
  fail_unless (decoder_after == decoder, "the decoder was replaced");
  stats = elem_dup_stats (viewer, "src");
  fail_unless (elem_stat_u64 (stats, "restarts") >= min_restarts);
  fail_unless (elem_stat_u64 (stats, "sessions") >= min_restarts + 1);
  gst_structure_free (stats);
  fail_unless (restart_warnings >= (gint) min_restarts,
      "%d 'offering again' warnings", restart_warnings);

  gst_object_unref (decoder_after);
  gst_object_unref (pad_after);
  gst_object_unref (decoder_src);
  gst_object_unref (decoder);
  gst_object_unref (pad);
  gst_object_unref (src);
  elem_stop (viewer);
  master_stop (m);
}

GST_START_TEST (test_master_restart)
{
  check_master_restart (1000, 1);
}

GST_END_TEST;

/* Away longer than a session waits for its answer: the bin offered again
 * meanwhile (the service holds the last offer for the absent master). */
GST_START_TEST (test_master_away_long)
{
  check_master_restart (10000, 2);
}

GST_END_TEST;

/* A viewer pipeline stopped and started again with the same client id: the
 * master serves the same viewer twice and each run decodes. */
GST_START_TEST (test_restarted_viewer_same_client_id)
{
  Master *m = master_start ();
  gint f1 = 0, f2 = 0;
  GstElement *viewer = viewer_launch ("client-id=returning-viewer", &f1);
  GstElement *pipelines[] = { m->pipeline, viewer, NULL };
  g_autofree gchar *seen = NULL;

  elem_play (viewer);
  wait_count (pipelines, &f1, MIN_FRAMES, 20);
  elem_stop (viewer);

  viewer = viewer_launch ("client-id=returning-viewer", &f2);
  pipelines[1] = viewer;
  elem_play (viewer);
  wait_count (pipelines, &f2, MIN_FRAMES, 20);

  seen = master_viewers_seen (m);
  fail_unless_equals_string (seen, "returning-viewer,returning-viewer");
  elem_stop (viewer);
  master_stop (m);
}

GST_END_TEST;

/* role=master: the bin answers a viewer (here the pair and a webrtcbin
 * that sends VP8) and exposes its stream. */
GST_START_TEST (test_role_master_exposes_viewer_stream)
{
  g_autofree gchar *mp = props ("role=master");
  g_autofree gchar *vp = props ("role=viewer client-id=sending-viewer");
  g_autofree gchar *mdesc = g_strdup_printf ("kvswebrtcsrc name=src %s ! "
      "decodebin ! videoconvert ! fakesink name=frames signal-handoffs=true "
      "sync=false", mp);
  g_autofree gchar *vdesc = g_strdup_printf (VIDEO " ! rtpvp8pay ! "
      VP8_CAPS " ! webrtcbin name=wb bundle-policy=max-bundle "
      "kvssignalingsink name=ksink %s kvssignalingsrc name=ksrc %s", vp, vp);
  GstElement *master = elem_launch (mdesc);
  GstElement *viewer = elem_launch (vdesc);
  GstElement *pipelines[] = { master, viewer, NULL };
  gint frames = 0;

  set_secret (master, "src");
  set_secret (viewer, "ksink");
  set_secret (viewer, "ksrc");
  elem_count_frames (master, "frames", &frames);
  elem_play (master);
  elem_play (viewer);
  wait_count (pipelines, &frames, MIN_FRAMES, 20);
  elem_stop (viewer);
  elem_stop (master);
}

GST_END_TEST;

/* A request sink pad linked before the start: the viewer sends VP8 too
 * (sendrecv), and goes on sending to a restarted master: the source and
 * encoder upstream never see the sessions change. */
GST_START_TEST (test_sendrecv)
{
  Master *m = master_start ();
  g_autofree gchar *p = props (NULL);
  g_autofree gchar *desc = g_strdup_printf ("kvswebrtcsrc name=src %s ! "
      "decodebin ! videoconvert ! fakesink name=frames signal-handoffs=true "
      "sync=false " VIDEO " ! src.video_sink_0", p);
  GstElement *viewer = gst_parse_launch (desc, NULL);
  GstElement *pipelines[] = { m->pipeline, viewer, NULL };
  GstElement *src;
  GstPad *sink_pad;
  gint frames = 0;

  fail_unless (viewer != NULL);
  set_secret (viewer, "src");
  elem_count_frames (viewer, "frames", &frames);
  src = gst_bin_get_by_name (GST_BIN (viewer), "src");
  sink_pad = gst_element_get_static_pad (src, "video_sink_0");
  fail_unless (sink_pad != NULL && gst_pad_is_linked (sink_pad));
  elem_play (viewer);
  wait_count (pipelines, &frames, MIN_FRAMES, 20);
  wait_count (pipelines, &m->received, MIN_FRAMES, 10);

  /* A new master: it receives the same upstream's video again. */
  master_stop (m);
  g_usleep (G_USEC_PER_SEC);
  m = master_start ();
  pipelines[0] = m->pipeline;
  wait_count (pipelines, &m->received, MIN_FRAMES, 15);

  gst_object_unref (sink_pad);
  gst_object_unref (src);
  elem_stop (viewer);
  master_stop (m);
}

GST_END_TEST;

/* A master (a library client) that answers every offer with an SDP
 * webrtcbin refuses to apply (no m-line). */
static void
on_offer_answer_badly (GstKvsSignalingClient * client, GstKvsMessage * msg,
    gint * offers)
{
  g_autoptr (GstKvsMessage) answer = NULL;

  g_atomic_int_inc (offers);
  answer = gst_kvs_message_new_sdp (GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
      msg->sender_client_id, "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n"
      "t=0 0\r\n", NULL);
  gst_kvs_signaling_client_send (client, answer, NULL);
}

/* The negotiation fails: for the pair alone a bus error; inside the bin a
 * warning, and the bin offers again (the pipeline goes on). */
GST_START_TEST (test_negotiation_failure_is_a_warning)
{
  GstKvsSignalingClient *master =
      gst_kvs_signaling_client_new (GST_KVS_ROLE_MASTER, CHANNEL);
  gint offers = 0, frames = 0, failed = 0;
  GstElement *viewer = viewer_launch (NULL, &frames);
  GstElement *pipelines[] = { viewer, NULL };
  GstBus *bus = gst_element_get_bus (viewer);
  gint64 end, failed_at = 0, offered_again_at = 0;

  g_object_set (master, "endpoint", elem_service_endpoint (), "region",
      "us-west-2", "access-key", AK, "secret-key", SK, NULL);
  g_signal_connect (master, "sdp-offer", G_CALLBACK (on_offer_answer_badly),
      &offers);
  fail_unless (gst_kvs_signaling_client_start (master, NULL));
  elem_play (viewer);

  /* Two offers, each failed: the warning, never an error. */
  end = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while ((g_atomic_int_get (&offers) < 2 || failed < 1)
      && g_get_monotonic_time () < end) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 20 * GST_MSECOND,
        GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
    g_autoptr (GError) err = NULL;

    if (offered_again_at == 0 && g_atomic_int_get (&offers) >= 2)
      offered_again_at = g_get_monotonic_time ();
    if (msg == NULL)
      continue;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error (msg, &err, NULL);
      fail ("error from %s: %s", GST_OBJECT_NAME (msg->src), err->message);
    }
    gst_message_parse_warning (msg, &err, NULL);
    if (strstr (err->message, "negotiation with the master failed")
        && failed++ == 0)
      failed_at = g_get_monotonic_time ();
    gst_message_unref (msg);
  }
  fail_unless (failed >= 1, "no warning about the failed negotiation");
  fail_unless (g_atomic_int_get (&offers) >= 2, "%d offers",
      g_atomic_int_get (&offers));
  /* At once (after the retry delay), not after a timeout. */
  if (offered_again_at == 0)
    offered_again_at = g_get_monotonic_time ();
  fail_unless (offered_again_at - failed_at < 3 * G_TIME_SPAN_SECOND,
      "offered again %" G_GINT64_FORMAT " ms after the failure",
      (offered_again_at - failed_at) / 1000);
  check_buses (pipelines);

  gst_object_unref (bus);
  elem_stop (viewer);
  gst_kvs_signaling_client_stop (master);
  g_object_unref (master);
}

GST_END_TEST;

/* ---- the offer is made while the connection is set up (issue 16) ------ */

/* A TCP gate in front of the service: it accepts connections and holds
 * them until released, then splices each to the service. */
typedef struct
{
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GSocketListener *listener;
  GSocketClient *client;
  guint port, target_port;
  GMutex lock;
  gboolean released;            /* (lock) */
  guint accepted;               /* (lock) */
  guint open;                   /* (lock) connections not closed yet */
  GPtrArray *held;              /* GSocketConnection, the gate's thread */
} Gate;

static void
gate_closed (Gate * gate)
{
  g_mutex_lock (&gate->lock);
  gate->open--;
  g_mutex_unlock (&gate->lock);
}

static void
gate_spliced (GObject * source, GAsyncResult * res, gpointer data)
{
  g_io_stream_splice_finish (res, NULL);
  gate_closed (data);
}

typedef struct
{
  Gate *gate;
  GIOStream *down;
} GateOpening;

static void
gate_connected (GObject * source, GAsyncResult * res, gpointer data)
{
  GateOpening *opening = data;
  GSocketConnection *up =
      g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, NULL);

  if (up) {
    g_io_stream_splice_async (opening->down, G_IO_STREAM (up),
        G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
        G_PRIORITY_DEFAULT, NULL, gate_spliced, opening->gate);
  } else {
    g_io_stream_close (opening->down, NULL, NULL);
    gate_closed (opening->gate);
  }
  g_clear_object (&up);
  g_object_unref (opening->down);
  g_free (opening);
}

/* The gate's thread: @conn (taken) to the service. */
static void
gate_open (Gate * gate, GSocketConnection * conn)
{
  GateOpening *opening = g_new (GateOpening, 1);

  opening->gate = gate;
  opening->down = G_IO_STREAM (conn);
  g_socket_client_connect_to_host_async (gate->client, "127.0.0.1",
      gate->target_port, NULL, gate_connected, opening);
}

static void
gate_accepted (GObject * source, GAsyncResult * res, gpointer data)
{
  Gate *gate = data;
  GSocketConnection *conn =
      g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), res, NULL,
      NULL);
  gboolean released;

  if (conn == NULL)
    return;                     /* closed */
  g_mutex_lock (&gate->lock);
  gate->accepted++;
  gate->open++;
  released = gate->released;
  g_mutex_unlock (&gate->lock);
  if (released)
    gate_open (gate, conn);
  else
    g_ptr_array_add (gate->held, conn);
  g_socket_listener_accept_async (gate->listener, NULL, gate_accepted, gate);
}

static gboolean
gate_release_cb (gpointer data)
{
  Gate *gate = data;
  guint i;

  g_mutex_lock (&gate->lock);
  gate->released = TRUE;
  g_mutex_unlock (&gate->lock);
  for (i = 0; i < gate->held->len; i++)
    gate_open (gate, g_object_ref (g_ptr_array_index (gate->held, i)));
  g_ptr_array_set_size (gate->held, 0);
  return G_SOURCE_REMOVE;
}

static gpointer
gate_thread (gpointer data)
{
  Gate *gate = data;

  g_main_context_push_thread_default (gate->context);
  g_socket_listener_accept_async (gate->listener, NULL, gate_accepted, gate);
  g_main_loop_run (gate->loop);
  g_socket_listener_close (gate->listener);
  g_ptr_array_set_size (gate->held, 0);
  /* what the closed listener and the splices still have to say */
  while (g_main_context_iteration (gate->context, FALSE));
  g_main_context_pop_thread_default (gate->context);
  return NULL;
}

static Gate *
gate_new (void)
{
  Gate *gate = g_new0 (Gate, 1);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *bound = NULL;
  const gchar *service = elem_service_endpoint ();

  fail_unless (service && strrchr (service, ':'));
  gate->target_port = (guint) g_ascii_strtoull (strrchr (service, ':') + 1,
      NULL, 10);
  g_mutex_init (&gate->lock);
  gate->held = g_ptr_array_new_with_free_func (g_object_unref);
  gate->context = g_main_context_new ();
  gate->loop = g_main_loop_new (gate->context, FALSE);
  gate->client = g_socket_client_new ();
  gate->listener = g_socket_listener_new ();
  fail_unless (g_socket_listener_add_address (gate->listener, addr,
          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL));
  gate->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  gate->thread = g_thread_new ("gate", gate_thread, gate);
  return gate;
}

static void
gate_release (Gate * gate)
{
  g_main_context_invoke (gate->context, gate_release_cb, gate);
}

static guint
gate_accepted_count (Gate * gate)
{
  guint n;

  g_mutex_lock (&gate->lock);
  n = gate->accepted;
  g_mutex_unlock (&gate->lock);
  return n;
}

/* After the viewer stopped: its connections end (bounded wait), then the
 * gate. */
static void
gate_free (Gate * gate)
{
  gint64 end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  guint open = 1;

  while (g_get_monotonic_time () < end) {
    g_mutex_lock (&gate->lock);
    open = gate->open;
    g_mutex_unlock (&gate->lock);
    if (open == 0)
      break;
    g_usleep (20 * 1000);
  }
  fail_unless_equals_int (open, 0);
  g_main_loop_quit (gate->loop);
  g_thread_join (gate->thread);
  g_ptr_array_unref (gate->held);
  g_object_unref (gate->listener);
  g_object_unref (gate->client);
  g_main_loop_unref (gate->loop);
  g_main_context_unref (gate->context);
  g_mutex_clear (&gate->lock);
  g_free (gate);
}

/* What a master receives from the viewer, in order: "offer,candidate,...". */
typedef struct
{
  GMutex lock;
  GString *got;
  guint candidates;
} Received;

static void
on_received_offer (GstKvsSignalingClient * client, GstKvsMessage * msg,
    Received * r)
{
  g_mutex_lock (&r->lock);
  g_string_append (r->got, r->got->len ? ",offer" : "offer");
  g_mutex_unlock (&r->lock);
}

static void
on_received_candidate (GstKvsSignalingClient * client, GstKvsMessage * msg,
    Received * r)
{
  g_mutex_lock (&r->lock);
  g_string_append (r->got, r->got->len ? ",candidate" : "candidate");
  r->candidates++;
  g_mutex_unlock (&r->lock);
}

/* A viewer makes its offer (webrtcbin's DTLS certificate, the local
 * description, its host candidates) while its connection is being set up,
 * not after: the service is behind a gate that holds the viewer's first
 * REST call, and the offer is made meanwhile. Released, the viewer sends
 * it first, then the candidates found meanwhile (a master receives them
 * in that order). */
GST_START_TEST (test_offer_made_while_connecting)
{
  Gate *gate = gate_new ();
  GstKvsSignalingClient *master =
      gst_kvs_signaling_client_new (GST_KVS_ROLE_MASTER, CHANNEL);
  Received r = { 0, };
  g_autofree gchar *desc = g_strdup_printf ("kvswebrtcsrc name=src "
      "channel-name=" CHANNEL " aws-region=us-west-2 "
      "endpoint=http://127.0.0.1:%u access-key=" AK " "
      "local-addresses=127.0.0.1 client-id=early-offer video-codecs=VP8 "
      "audio-codecs=\"\" ! fakesink", gate->port);
  GstElement *viewer, *src, *webrtcbin;
  GstElement *pipelines[2] = { NULL, NULL };
  GstKvsSignalingState state = GST_KVS_SIGNALING_STATE_NEW;
  gint64 end;

  g_mutex_init (&r.lock);
  r.got = g_string_new (NULL);
  g_object_set (master, "endpoint", elem_service_endpoint (), "region",
      "us-west-2", "access-key", AK, "secret-key", SK, NULL);
  g_signal_connect (master, "sdp-offer", G_CALLBACK (on_received_offer), &r);
  g_signal_connect (master, "ice-candidate",
      G_CALLBACK (on_received_candidate), &r);
  fail_unless (gst_kvs_signaling_client_start (master, NULL));
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (state != GST_KVS_SIGNALING_STATE_CONNECTED
      && g_get_monotonic_time () < end) {
    g_usleep (20 * 1000);
    g_object_get (master, "state", &state, NULL);
  }
  fail_unless_equals_int (state, GST_KVS_SIGNALING_STATE_CONNECTED);

  viewer = elem_launch (desc);
  pipelines[0] = viewer;
  set_secret (viewer, "src");
  src = gst_bin_get_by_name (GST_BIN (viewer), "src");
  elem_play (viewer);
  /* made at NULL→READY */
  webrtcbin = gst_bin_get_by_name (GST_BIN (src), "webrtcbin1");
  fail_unless (webrtcbin != NULL);

  /* The first REST call is held at the gate: the offer is made anyway. */
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while ((gate_accepted_count (gate) == 0 || !elem_has_local_description
          (webrtcbin)) && g_get_monotonic_time () < end) {
    check_buses (pipelines);
    g_usleep (20 * 1000);
  }
  fail_unless (gate_accepted_count (gate) >= 1,
      "the viewer did not call the service");
  fail_unless (elem_has_local_description (webrtcbin),
      "no offer made while the connection was being set up");
  g_object_get (src, "state", &state, NULL);
  fail_unless (state < GST_KVS_SIGNALING_STATE_CONNECTED, "state %d", state);
  g_mutex_lock (&r.lock);
  fail_unless_equals_int ((gint) r.got->len, 0);
  g_mutex_unlock (&r.lock);

  /* Connected: the offer goes first, then the candidates. */
  gate_release (gate);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < end) {
    gboolean done;

    check_buses (pipelines);
    g_mutex_lock (&r.lock);
    done = r.candidates > 0;
    g_mutex_unlock (&r.lock);
    if (done)
      break;
    g_usleep (20 * 1000);
  }
  g_mutex_lock (&r.lock);
  fail_unless (g_str_has_prefix (r.got->str, "offer,candidate"),
      "the master received: %s", r.got->str);
  fail_unless (strstr (r.got->str + 1, "offer") == NULL,
      "the master received: %s", r.got->str);
  g_mutex_unlock (&r.lock);

  gst_object_unref (webrtcbin);
  gst_object_unref (src);
  elem_stop (viewer);
  gst_kvs_signaling_client_stop (master);
  g_object_unref (master);
  gate_free (gate);
  g_string_free (r.got, TRUE);
  g_mutex_clear (&r.lock);
}

GST_END_TEST;

/* What gst-inspect-1.0 and gi see: a viewer by default, the codecs, the
 * pad templates, the pair's properties, stats before the start. */
GST_START_TEST (test_defaults)
{
  GstElement *e = gst_element_factory_make ("kvswebrtcsrc", NULL);
  GstElementClass *klass;
  const gchar *templates[] = { "video_%u", "audio_%u", "video_sink_%u",
    "audio_sink_%u"
  };
  const gchar *forwarded[] = { "channel-name", "channel-arn", "aws-region",
    "client-id", "access-key", "secret-key", "endpoint", "ca-file",
    "local-addresses", "stun-server", "state"
  };
  g_autofree gchar *video = NULL, *audio = NULL;
  GstStructure *stats = NULL;
  guint timeout = 0, latency = 0, i;
  gint role = -1;

  fail_unless (e != NULL);
  klass = GST_ELEMENT_GET_CLASS (e);
  g_object_get (e, "role", &role, "video-codecs", &video, "audio-codecs",
      &audio, "restart-timeout", &timeout, "stats", &stats, NULL);
  fail_unless_equals_int (role, 1);     /* viewer */
  g_object_get (e, "latency", &latency, NULL);
  fail_unless_equals_int (latency, 200);        /* webrtcbin's */
  fail_unless_equals_string (video, "VP8,H264");
  fail_unless_equals_string (audio, "OPUS");
  fail_unless_equals_int (timeout, 3000);
  fail_unless (stats != NULL);
  fail_unless_equals_int ((gint) elem_stat_u64 (stats, "restarts"), 0);
  gst_structure_free (stats);
  for (i = 0; i < G_N_ELEMENTS (templates); i++)
    fail_unless (gst_element_class_get_pad_template (klass, templates[i])
        != NULL, "no pad template %s", templates[i]);
  for (i = 0; i < G_N_ELEMENTS (forwarded); i++)
    fail_unless (g_object_class_find_property (G_OBJECT_GET_CLASS (e),
            forwarded[i]) != NULL, "no property %s", forwarded[i]);
  gst_object_unref (e);
}

GST_END_TEST;

/* Reaches READY (or fails to); returns the first bus error, if any. */
static GError *
ready_error (const gchar * extra, GstStateChangeReturn * ret)
{
  g_autofree gchar *p = props (extra);
  g_autofree gchar *desc = g_strdup_printf ("kvswebrtcsrc name=src %s ! "
      "fakesink", p);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *err = NULL;

  *ret = gst_element_set_state (pipeline, GST_STATE_READY);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (msg) {
    gst_message_parse_error (msg, &err, NULL);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  elem_stop (pipeline);
  return err;
}

/* An unknown codec, a codec of the other media, an empty offer: the state
 * change fails with an error naming the property and the known codecs. */
GST_START_TEST (test_bad_codecs)
{
  GstStateChangeReturn ret;
  GError *err;

  err = ready_error ("video-codecs=VP8,FOO", &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (err != NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", err->message);
  fail_unless (strstr (err->message, "video-codecs") &&
      strstr (err->message, "'FOO'") && strstr (err->message, "VP8, VP9"),
      "%s", err->message);
  g_error_free (err);

  err = ready_error ("audio-codecs=VP8", &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (err && strstr (err->message, "audio-codecs")
      && strstr (err->message, "'VP8'"), "%s", err ? err->message : "");
  g_error_free (err);

  err = ready_error ("video-codecs=\"\" audio-codecs=\"\"", &ret);
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  fail_unless (err && strstr (err->message, "Nothing to receive"), "%s",
      err ? err->message : "");
  g_error_free (err);

  /* Case and spaces do not matter. */
  err = ready_error ("video-codecs=\"vp8, h264\" audio-codecs=opus", &ret);
  fail_unless (err == NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (ret, GST_STATE_CHANGE_SUCCESS);
}

GST_END_TEST;

static Suite *
webrtcsrc_suite (void)
{
  Suite *s = suite_create ("webrtcsrc");
  TCase *tc = tcase_create ("general");
  const gchar *const media[] = { "nicesrc", "dtlssrtpenc", "vp8enc", "vp8dec",
    "rtpvp8pay", "rtpvp8depay", "videotestsrc", "decodebin", NULL
  };

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, kvs_test_keep_openssl_at_exit, NULL);
  tcase_add_checked_fixture (tc, server_start, elem_service_stop);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_bad_codecs);
  if (elem_have_factories (media)) {
    tcase_add_test (tc, test_launch_line_decodes);
    tcase_add_test (tc, test_state_cycles);
    tcase_add_test (tc, test_two_bins_are_two_viewers);
    tcase_add_test (tc, test_master_restart);
    tcase_add_test (tc, test_master_away_long);
    tcase_add_test (tc, test_restarted_viewer_same_client_id);
    tcase_add_test (tc, test_role_master_exposes_viewer_stream);
    tcase_add_test (tc, test_sendrecv);
    tcase_add_test (tc, test_negotiation_failure_is_a_warning);
    tcase_add_test (tc, test_offer_made_while_connecting);
  } else {
    g_printerr ("nicesrc/dtlssrtpenc/vp8 missing: skipping media tests\n");
  }
  return s;
}

GST_CHECK_MAIN (webrtcsrc);
