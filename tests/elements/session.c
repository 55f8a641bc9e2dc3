/* Tests of the webrtcbin binding (GstKvsWebrtcSession) without signaling:
 * two sessions wired to each other in-process, master answering, viewer
 * offering (made ready at once, or prepared first: the offer made while
 * the connection is set up, sent before its candidates once ready),
 * trickle ICE with mids only, early candidates held.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/webrtc/webrtc.h>
#include <gio/gio.h>
#include <gst/kvssignaling/kvssignaling.h>

#include "gstkvswebrtcsession.h"
#include "gstkvswebrtcbinutils.h"
#include "../kvstestexit.h"
#include "elementutil.h"

#define VP8_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
  "payload=96,clock-rate=90000"

static const gchar two_media_sdp[] =
    "v=0\r\n"
    "o=- 1 0 IN IP4 0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 97\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:audio0\r\n"
    "a=rtpmap:97 OPUS/48000/2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "c=IN IP4 0.0.0.0\r\n" "a=mid:video1\r\n" "a=rtpmap:96 VP8/90000\r\n";

GST_START_TEST (test_sdp_mid_helpers)
{
  g_autoptr (GError) err = NULL;
  GstWebRTCSessionDescription *desc;
  gchar *mid;

  desc = gst_kvs_webrtc_description_new (GST_WEBRTC_SDP_TYPE_OFFER,
      two_media_sdp, &err);
  fail_unless (desc != NULL);
  fail_unless_equals_int (gst_kvs_webrtc_sdp_find_mid (desc, "audio0"), 0);
  fail_unless_equals_int (gst_kvs_webrtc_sdp_find_mid (desc, "video1"), 1);
  fail_unless_equals_int (gst_kvs_webrtc_sdp_find_mid (desc, "0"), -1);
  mid = gst_kvs_webrtc_sdp_dup_mid (desc, 1);
  fail_unless_equals_string (mid, "video1");
  g_free (mid);
  fail_unless (gst_kvs_webrtc_sdp_dup_mid (desc, 2) == NULL);
  gst_webrtc_session_description_free (desc);

  desc = gst_kvs_webrtc_description_new (GST_WEBRTC_SDP_TYPE_ANSWER,
      "not sdp", &err);
  fail_unless (desc == NULL);
  fail_unless (g_error_matches (err, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING));
}

GST_END_TEST;

static const gchar fp_sdp_a[] =
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=mid:video0\r\na=fingerprint:sha-256 AA:BB:CC \r\n"
    "a=rtpmap:96 VP8/90000\r\n";
static const gchar fp_sdp_b[] =
    "v=0\r\no=- 8863457710231522207 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=mid:video0\r\na=fingerprint:sha-256 DD:EE:FF\r\n"
    "a=rtpmap:96 VP8/90000\r\n";

GST_START_TEST (test_sdp_origin)
{
  static const struct
  {
    const gchar *text;
    const gchar *origin;
  } cases[] = {
    {fp_sdp_a, "- 4611731400430051336"},
    {"v=0\no=alice 42 7 IN IP4 10.0.0.1\n", "alice 42"},
    {"v=0\r\no=x\r\n", NULL},
    {"v=0\r\ns=-\r\n", NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstSDPMessage *sdp = NULL;
    gchar *o;

    fail_unless (gst_sdp_message_new_from_text (cases[i].text, &sdp) ==
        GST_SDP_OK);
    o = gst_kvs_webrtc_sdp_dup_origin (sdp);
    fail_unless_equals_string (o, cases[i].origin);
    g_free (o);
    gst_sdp_message_free (sdp);
  }
}

GST_END_TEST;

static void
ignore_problem (GstKvsWebrtcSession * session, gboolean fatal,
    const gchar * what, const gchar * reason, gpointer owner)
{
}

/* A re-offer with the session id already negotiated (only the version
 * grows) is a renegotiation; another session id is a new peer connection. */
GST_START_TEST (test_same_peer_connection)
{
  GstKvsWebrtcSessionCallbacks cb = { NULL, NULL, ignore_problem, NULL };
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *wb = gst_element_factory_make ("webrtcbin", NULL);
  GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
  GstKvsWebrtcSession *session;

  if (wb == NULL) {
    gst_object_unref (pipeline);
    g_object_unref (owner);
    return;
  }
  gst_bin_add (GST_BIN (pipeline), wb);
  session = gst_kvs_webrtc_session_new (wb, FALSE, "v1", &cb, owner);
  fail_unless (gst_kvs_webrtc_session_is_same_peer_connection (session,
          fp_sdp_b));
  gst_kvs_webrtc_session_handle_offer (session, fp_sdp_a);
  fail_unless (gst_kvs_webrtc_session_is_same_peer_connection (session,
          fp_sdp_a));
  {
    g_autofree gchar *next = g_strdup (fp_sdp_a);

    /* The next version of the same session, from another address. */
    memcpy (strstr (next, " 2 IN IP4 127.0.0.1"), " 3 IN IP4 10.0.0.1", 18);
    fail_unless (gst_kvs_webrtc_session_is_same_peer_connection (session,
            next));
  }
  fail_if (gst_kvs_webrtc_session_is_same_peer_connection (session, fp_sdp_b));
  gst_kvs_webrtc_session_close (session);
  g_object_unref (session);
  g_object_unref (owner);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

GST_END_TEST;

GST_START_TEST (test_restrict_addresses_rejects_non_ip)
{
  GstElement *wb = gst_element_factory_make ("webrtcbin", NULL);
  g_autoptr (GError) err = NULL;

  fail_unless (wb != NULL);
  fail_unless (gst_kvs_webrtcbin_restrict_addresses (wb, "127.0.0.1", NULL));
  fail_if (gst_kvs_webrtcbin_restrict_addresses (wb, "localhost", &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  fail_unless (strstr (err->message, "'localhost'") != NULL);
  gst_object_unref (wb);
}

GST_END_TEST;

/* UPnP is turned off in the NiceAgent behind webrtcbin's ICE agent. */
GST_START_TEST (test_disable_upnp)
{
  GstElement *wb = gst_element_factory_make ("webrtcbin", NULL);
  GObject *ice = NULL, *nice = NULL;
  gboolean upnp = FALSE;

  if (wb == NULL)
    return;
  g_object_get (wb, "ice-agent", &ice, NULL);
  g_object_get (ice, "agent", &nice, NULL);
  g_object_get (nice, "upnp", &upnp, NULL);
  fail_unless (upnp, "libnice's default changed: the test proves nothing");
  fail_unless (gst_kvs_webrtcbin_disable_upnp (wb));
  g_object_get (nice, "upnp", &upnp, NULL);
  fail_if (upnp);
  g_object_unref (nice);
  g_object_unref (ice);
  gst_object_unref (wb);
}

GST_END_TEST;

GST_START_TEST (test_recv_transceivers_one_per_structure)
{
  GstElement *wb = gst_element_factory_make ("webrtcbin", NULL);
  GstCaps *caps = gst_caps_from_string (VP8_CAPS ";application/x-rtp,"
      "media=audio,encoding-name=OPUS,payload=97,clock-rate=48000");

  fail_unless_equals_int (gst_kvs_webrtcbin_count_transceivers (wb), 0);
  fail_unless_equals_int (gst_kvs_webrtcbin_add_recv_transceivers (wb, caps),
      2);
  fail_unless_equals_int (gst_kvs_webrtcbin_count_transceivers (wb), 2);
  gst_caps_unref (caps);
  gst_object_unref (wb);
}

GST_END_TEST;

/* ---- the SDP writer against gst_sdp_message_as_text() -------------------- */

static const gchar *const sdp_texts[] = {
  /* what webrtcbin writes: session attributes, two media, candidates */
  "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE video0 audio1\r\na=ice-options:trickle\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\n"
      "a=setup:actpass\r\na=ice-ufrag:Yf4r\r\na=ice-pwd:X9aYbQ\r\n"
      "a=rtcp-mux\r\na=rtcp-rsize\r\na=sendrecv\r\na=rtpmap:96 VP8/90000\r\n"
      "a=rtcp-fb:96 nack pli\r\na=fmtp:97 apt=96\r\n"
      "a=candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host\r\n"
      "a=end-of-candidates\r\na=mid:video0\r\n"
      "a=fingerprint:sha-256 AA:BB:CC\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
      "a=recvonly\r\na=rtpmap:111 OPUS/48000/2\r\na=mid:audio1\r\n",
  /* every other line RFC 4566 has; GStreamer's writer is the reference */
  "v=0\r\no=alice 1 2 IN IP4 10.0.0.1\r\ns=Session\r\ni=About it\r\n"
      "u=http://example.com/s\r\ne=a@example.com\r\np=+1 555 0100\r\n"
      "c=IN IP4 224.2.36.42/127/3\r\nb=AS:256\r\nt=2873397496 2873404696\r\n"
      "r=7d 1h 0 25h\r\nt=0 0\r\nz=2882844526 -1h 2898848070 0\r\n"
      "k=clear:secretish\r\na=recvonly\r\n"
      "m=audio 49170/2 RTP/AVP 0\r\ni=Audio\r\nc=IN IP6 ff15::101/3\r\n"
      "b=CT:64\r\nk=prompt\r\na=rtpmap:0 PCMU/8000\r\n",
  /* one extra each, so that every fallback is met alone */
  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\ne=x@example.com\r\nt=0 0\r\n",
  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\np=+1 555\r\nt=0 0\r\n",
  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=1 2\r\nr=1 2 3\r\n",
  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nz=1 -1h\r\n",
  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nk=base64:AAAA\r\n",
  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 232.1.1.1/5\r\n",
  "v=0\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\nc=IN IP4 239.0.0.1/2/4\r\n",
  "v=0\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\ni=Video\r\na=x\r\n",
  "v=0\r\ns=-\r\nt=0 0\r\nm=video 9 RTP/AVP 96\r\nk=clear:k\r\n",
  /* plain, with what the writer writes itself */
  "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\ni=info\r\nu=http://x/\r\n"
      "c=IN IP4 192.0.2.1\r\nb=AS:1\r\nb=TIAS:64000\r\nt=1 2\r\nt=3 4\r\n"
      "a=empty:\r\na=flag\r\nm=video 0/3 RTP/AVP\r\nc=IN IP6 ::1\r\n"
      "c=IN IP4 192.0.2.2\r\nb=AS:4294967295\r\na=mid:0\r\n",
  "v=0\r\no=- 1\r\ns=-\r\n",    /* an incomplete origin is not written */
  "v=0\r\n",                    /* no times: "t=0 0" */
};

static void
check_sdp_text (const GstSDPMessage * sdp, const gchar * what)
{
  g_autofree gchar *ours = gst_kvs_webrtc_sdp_to_text (sdp);
  g_autofree gchar *theirs = gst_sdp_message_as_text (sdp);

  if (g_strcmp0 (ours, theirs) != 0)
    fail ("%s: the SDP writer wrote\n%s\n---\ngst_sdp_message_as_text\n%s",
        what, ours, theirs);
}

GST_START_TEST (test_sdp_text_matches_gstreamer)
{
  GstSDPMessage *sdp;
  GstSDPMedia media = { 0 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sdp_texts); i++) {
    g_autofree gchar *what = g_strdup_printf ("SDP %u", i);

    fail_unless_equals_int (gst_sdp_message_new_from_text (sdp_texts[i], &sdp),
        GST_SDP_OK);
    check_sdp_text (sdp, what);
    gst_sdp_message_free (sdp);
  }

  /* built rather than parsed: fields the parser always fills left NULL */
  gst_sdp_message_new (&sdp);
  check_sdp_text (sdp, "empty message");
  gst_sdp_message_set_origin (sdp, NULL, "1", "2", "IN", "IP4", "0.0.0.0");
  gst_sdp_message_add_time (sdp, "0", "0", NULL);
  gst_sdp_message_add_attribute (sdp, "novalue", NULL);
  check_sdp_text (sdp, "origin without user name");
  /* add_media takes the contents of the media */
  gst_sdp_media_init (&media);
  gst_sdp_media_set_media (&media, "video");
  gst_sdp_media_set_port_info (&media, 9, 1);
  gst_sdp_media_set_proto (&media, "RTP/AVP");
  gst_sdp_message_add_media (sdp, &media);
  check_sdp_text (sdp, "media without formats");
  memset (&media, 0, sizeof media);
  gst_sdp_media_init (&media);
  gst_sdp_media_set_media (&media, "audio");
  gst_sdp_message_add_media (sdp, &media);
  check_sdp_text (sdp, "media without a protocol");
  gst_sdp_message_free (sdp);

  /* what webrtcbin itself offers */
  {
    GstElement *wb = gst_element_factory_make ("webrtcbin", NULL);
    GstCaps *caps = gst_caps_from_string (VP8_CAPS);
    GstWebRTCRTPTransceiver *trans = NULL;
    GstWebRTCSessionDescription *offer = NULL;
    GstPromise *promise;
    const GstStructure *reply;

    g_signal_emit_by_name (wb, "add-transceiver",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV, caps, &trans);
    gst_clear_object (&trans);
    gst_caps_unref (caps);
    fail_unless (gst_element_set_state (wb, GST_STATE_READY) !=
        GST_STATE_CHANGE_FAILURE);
    promise = gst_promise_new ();
    g_signal_emit_by_name (wb, "create-offer", NULL, promise);
    fail_unless_equals_int (gst_promise_wait (promise),
        GST_PROMISE_RESULT_REPLIED);
    reply = gst_promise_get_reply (promise);
    fail_unless (gst_structure_get (reply, "offer",
            GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL));
    fail_unless (gst_sdp_message_medias_len (offer->sdp) == 1);
    check_sdp_text (offer->sdp, "webrtcbin's offer");
    gst_webrtc_session_description_free (offer);
    gst_promise_unref (promise);
    gst_element_set_state (wb, GST_STATE_NULL);
    gst_object_unref (wb);
  }
}

GST_END_TEST;

/* ---- two sessions wired together ---------------------------------------- */

typedef struct
{
  GMutex lock;
  GCond cond;
  GstKvsWebrtcSession *master;
  GstKvsWebrtcSession *viewer;
  GstElement *master_wb;
  GstElement *viewer_wb;
  gchar *offer;                 /* held back by the test */
  guint offers;                 /* offers sent */
  guint candidates_before_offer;        /* the viewer's, sent before it */
  gboolean answer_seen;
  guint viewer_candidates;
  guint master_candidates;
  guint bad_mids;
  gchar *problem;
  guint frames;
} Wire;

static Wire wire;

static void
check_mid (GstElement * wb, guint mline, const gchar * mid)
{
  GstWebRTCSessionDescription *local = NULL;
  gchar *real;

  g_object_get (wb, "local-description", &local, NULL);
  real = gst_kvs_webrtc_sdp_dup_mid (local, mline);
  if (mid == NULL || g_strcmp0 (real, mid) != 0
      || g_str_has_prefix (mid, "video") == FALSE) {
    g_mutex_lock (&wire.lock);
    wire.bad_mids++;
    g_mutex_unlock (&wire.lock);
  }
  g_free (real);
  if (local)
    gst_webrtc_session_description_free (local);
}

static void
send_sdp (GstKvsWebrtcSession * session, GstWebRTCSDPType type,
    const gchar * sdp, gpointer owner)
{
  if (type == GST_WEBRTC_SDP_TYPE_OFFER) {
    fail_unless (session == wire.viewer);
    g_mutex_lock (&wire.lock);
    wire.offer = g_strdup (sdp);
    wire.offers++;
    g_cond_broadcast (&wire.cond);
    g_mutex_unlock (&wire.lock);
  } else {
    fail_unless (session == wire.master);
    g_mutex_lock (&wire.lock);
    wire.answer_seen = TRUE;
    g_mutex_unlock (&wire.lock);
    gst_kvs_webrtc_session_handle_answer (wire.viewer, sdp);
  }
}

static void
send_candidate (GstKvsWebrtcSession * session, guint mline,
    const gchar * mid, const gchar * candidate, gpointer owner)
{
  if (session == wire.viewer) {
    check_mid (wire.viewer_wb, mline, mid);
    /* Only the mid, as browsers may send: the master maps it. */
    gst_kvs_webrtc_session_handle_candidate (wire.master, -1, mid, candidate);
    g_mutex_lock (&wire.lock);
    wire.viewer_candidates++;
    if (wire.offers == 0)
      wire.candidates_before_offer++;
    g_cond_broadcast (&wire.cond);
    g_mutex_unlock (&wire.lock);
  } else {
    check_mid (wire.master_wb, mline, mid);
    gst_kvs_webrtc_session_handle_candidate (wire.viewer, mline, mid,
        candidate);
    g_mutex_lock (&wire.lock);
    wire.master_candidates++;
    g_mutex_unlock (&wire.lock);
  }
}

static void
problem (GstKvsWebrtcSession * session, gboolean fatal, const gchar * what,
    const gchar * reason, gpointer owner)
{
  g_mutex_lock (&wire.lock);
  if (wire.problem == NULL)
    wire.problem = g_strdup_printf ("%s: %s", what, reason);
  g_cond_broadcast (&wire.cond);
  g_mutex_unlock (&wire.lock);
}

static const GstKvsWebrtcSessionCallbacks callbacks = {
  send_sdp, send_candidate, problem, NULL
};

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer data)
{
  g_mutex_lock (&wire.lock);
  wire.frames++;
  g_cond_broadcast (&wire.cond);
  g_mutex_unlock (&wire.lock);
}

static void
on_viewer_pad (GstElement * wb, GstPad * pad, GstElement * pipeline)
{
  GstElement *bin;
  GstPad *sinkpad;
  GstElement *sink;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  bin = gst_parse_bin_from_description ("rtpvp8depay ! vp8dec ! "
      "fakesink name=frames signal-handoffs=true sync=false", TRUE, NULL);
  sink = gst_bin_get_by_name (GST_BIN (bin), "frames");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), NULL);
  gst_object_unref (sink);
  gst_bin_add (GST_BIN (pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  sinkpad = gst_element_get_static_pad (bin, "sink");
  fail_unless_equals_int (gst_pad_link (pad, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);
}

/* Waits (bounded) until @cond holds; the lock is held while checking. */
#define WAIT_FOR(cond_expr, seconds) G_STMT_START {                        \
  gint64 _end = g_get_monotonic_time () + (seconds) * G_TIME_SPAN_SECOND; \
  g_mutex_lock (&wire.lock);                                               \
  while (!(cond_expr) && wire.problem == NULL)                             \
    if (!g_cond_wait_until (&wire.cond, &wire.lock, _end))                 \
      break;                                                               \
  g_mutex_unlock (&wire.lock);                                             \
} G_STMT_END

/* Run twice: the viewer's session made ready at once (__i__ 0), and first
 * prepared (1): the offer is then made, its candidates gathered, nothing
 * sent until ready, and then the offer before any candidate. */
GST_START_TEST (test_viewer_offers_master_answers_video_flows)
{
  GstElement *master, *viewer;
  GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
  GstCaps *caps;
  gchar *offer;
  guint held;

  memset (&wire, 0, sizeof (wire));
  g_mutex_init (&wire.lock);
  g_cond_init (&wire.cond);

  master = gst_parse_launch ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! "
      "vp8enc deadline=1 ! rtpvp8pay ! " VP8_CAPS " ! "
      "webrtcbin name=wb bundle-policy=max-bundle", NULL);
  viewer = gst_pipeline_new ("viewer");
  gst_bin_add (GST_BIN (viewer), gst_element_factory_make_full ("webrtcbin",
          "name", "wb", "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
          NULL));
  fail_unless (master && viewer);
  wire.master_wb = gst_bin_get_by_name (GST_BIN (master), "wb");
  wire.viewer_wb = gst_bin_get_by_name (GST_BIN (viewer), "wb");
  fail_unless (gst_kvs_webrtcbin_restrict_addresses (wire.master_wb,
          "127.0.0.1", NULL));
  fail_unless (gst_kvs_webrtcbin_restrict_addresses (wire.viewer_wb,
          "127.0.0.1", NULL));
  g_signal_connect (wire.viewer_wb, "pad-added", G_CALLBACK (on_viewer_pad),
      viewer);

  wire.master = gst_kvs_webrtc_session_new (wire.master_wb, FALSE,
      "viewer-1", &callbacks, owner);
  wire.viewer = gst_kvs_webrtc_session_new (wire.viewer_wb, TRUE, NULL,
      &callbacks, owner);
  fail_unless_equals_string (gst_kvs_webrtc_session_get_peer_id
      (wire.master), "viewer-1");

  caps = gst_caps_from_string (VP8_CAPS);
  fail_unless_equals_int (gst_kvs_webrtcbin_add_recv_transceivers
      (wire.viewer_wb, caps), 1);
  gst_caps_unref (caps);

  fail_if (gst_element_set_state (master, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_if (gst_element_set_state (viewer, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);

  /* Nothing is offered before the signaling path is ready. */
  g_usleep (200 * 1000);
  g_mutex_lock (&wire.lock);
  fail_unless (wire.offer == NULL);
  g_mutex_unlock (&wire.lock);

  if (__i__ == 1) {
    gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

    /* The signaling connection is being set up: the offer is made, not
     * sent. */
    gst_kvs_webrtc_session_prepare (wire.viewer);
    while (!elem_has_local_description (wire.viewer_wb)
        && g_get_monotonic_time () < end)
      g_usleep (10 * 1000);
    fail_unless (elem_has_local_description (wire.viewer_wb),
        "no offer made while the connection was being set up");
    g_usleep (300 * 1000);      /* host candidates gathered meanwhile */
    g_mutex_lock (&wire.lock);
    fail_unless (wire.offer == NULL, "the offer went out before ready");
    fail_unless_equals_int (wire.viewer_candidates, 0);
    g_mutex_unlock (&wire.lock);
  }

  gst_kvs_webrtc_session_set_ready (wire.viewer);

  /* The offer is held back until the viewer's first candidates reached the
   * master: they must wait there for the offer. */
  WAIT_FOR (wire.offer != NULL && wire.viewer_candidates > 0, 10);
  fail_unless (wire.problem == NULL, "%s", wire.problem);
  fail_unless (wire.offer != NULL, "no offer");
  fail_unless (wire.viewer_candidates > 0, "no viewer candidate");
  fail_unless_equals_int (wire.candidates_before_offer, 0);
  held = gst_kvs_webrtc_session_get_held_candidates (wire.master);
  fail_unless (held > 0, "early candidates were not held");
  fail_if (wire.answer_seen);

  g_mutex_lock (&wire.lock);
  offer = g_steal_pointer (&wire.offer);
  g_mutex_unlock (&wire.lock);
  fail_unless (strstr (offer, "a=recvonly") != NULL);
  gst_kvs_webrtc_session_handle_offer (wire.master, offer);
  g_free (offer);

  WAIT_FOR (wire.frames >= 30, 20);
  fail_unless (wire.problem == NULL, "%s", wire.problem);
  fail_unless (wire.answer_seen, "no answer");
  fail_unless_equals_int (gst_kvs_webrtc_session_get_held_candidates
      (wire.master), 0);
  fail_unless (wire.master_candidates > 0);
  fail_unless_equals_int (wire.bad_mids, 0);
  fail_unless (wire.frames >= 30, "only %u frames decoded", wire.frames);

  gst_kvs_webrtc_session_close (wire.master);
  gst_kvs_webrtc_session_close (wire.viewer);
  gst_element_set_state (master, GST_STATE_NULL);
  gst_element_set_state (viewer, GST_STATE_NULL);
  g_object_unref (wire.master);
  g_object_unref (wire.viewer);
  gst_object_unref (wire.master_wb);
  gst_object_unref (wire.viewer_wb);
  gst_object_unref (master);
  gst_object_unref (viewer);
  g_object_unref (owner);
  g_free (wire.problem);
  g_mutex_clear (&wire.lock);
  g_cond_clear (&wire.cond);
}

GST_END_TEST;

GST_START_TEST (test_bad_remote_sdp_is_reported)
{
  GstElement *wb = gst_element_factory_make ("webrtcbin", NULL);
  GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
  GstKvsWebrtcSession *session;

  memset (&wire, 0, sizeof (wire));
  g_mutex_init (&wire.lock);
  g_cond_init (&wire.cond);

  session = gst_kvs_webrtc_session_new (wb, FALSE, "v", &callbacks, owner);
  wire.master = session;
  gst_kvs_webrtc_session_handle_offer (session, "garbage");
  fail_unless (wire.problem != NULL);
  fail_unless (strstr (wire.problem, "not an SDP") != NULL, "%s", wire.problem);

  /* A candidate with neither index nor mid is refused, not held. */
  g_clear_pointer (&wire.problem, g_free);
  gst_kvs_webrtc_session_handle_candidate (session, -1, NULL,
      "candidate:1 1 UDP 1 127.0.0.1 9 typ host");
  fail_unless (wire.problem != NULL);
  fail_unless_equals_int (gst_kvs_webrtc_session_get_held_candidates
      (session), 0);
  /* With a mid, it waits for the offer. */
  gst_kvs_webrtc_session_handle_candidate (session, -1, "video0",
      "candidate:1 1 UDP 1 127.0.0.1 9 typ host");
  fail_unless_equals_int (gst_kvs_webrtc_session_get_held_candidates
      (session), 1);

  /* After close no callback reaches the owner. */
  gst_kvs_webrtc_session_close (session);
  g_clear_pointer (&wire.problem, g_free);
  gst_kvs_webrtc_session_handle_offer (session, "garbage");
  fail_unless (wire.problem == NULL);

  g_object_unref (session);
  gst_object_unref (wb);
  g_object_unref (owner);
  g_mutex_clear (&wire.lock);
  g_cond_clear (&wire.cond);
}

GST_END_TEST;

/* webrtcbin drops the actions still queued when it stops, unanswered; a
 * promise freed unanswered is a critical warning (a failed test here). The
 * session keeps its promises until answered and interrupts the rest when
 * closed, without reporting a problem. webrtcbin's thread is kept busy in
 * the reply of a first action of ours, so the session's action is still
 * queued when the state change to NULL stops that thread. */
static void
on_slow_reply (GstPromise * promise, gpointer data)
{
  g_atomic_int_set ((gint *) data, 1);
  g_usleep (300 * 1000);
}

static void
count_problem (GstKvsWebrtcSession * session, gboolean fatal,
    const gchar * what, const gchar * reason, gpointer owner)
{
  g_atomic_int_inc ((gint *) g_object_get_data (owner, "problems"));
}

GST_START_TEST (test_close_interrupts_dropped_actions)
{
  GstKvsWebrtcSessionCallbacks cb = { NULL, NULL, count_problem, NULL };
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *wb = gst_element_factory_make ("webrtcbin", NULL);
  GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
  GstKvsWebrtcSession *session;
  GstPromise *busy;
  gint started = 0, problems = 0;

  fail_unless (wb != NULL);
  g_object_set_data (owner, "problems", &problems);
  gst_bin_add (GST_BIN (pipeline), wb);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_READY) ==
      GST_STATE_CHANGE_SUCCESS);
  session = gst_kvs_webrtc_session_new (wb, FALSE, "v1", &cb, owner);
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) & session);

  busy = gst_promise_new_with_change_func (on_slow_reply, &started, NULL);
  g_signal_emit_by_name (wb, "create-offer", NULL, busy);
  while (!g_atomic_int_get (&started))
    g_usleep (1000);
  /* queued behind the busy reply: set-remote-description */
  gst_kvs_webrtc_session_handle_offer (session, fp_sdp_a);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  fail_unless_equals_int (gst_promise_wait (busy), GST_PROMISE_RESULT_REPLIED);
  gst_promise_unref (busy);

  gst_kvs_webrtc_session_close (session);
  fail_unless_equals_int (g_atomic_int_get (&problems), 0);
  /* nothing keeps the session alive: no promise holds it any more */
  g_object_unref (session);
  fail_unless (session == NULL, "the closed session was not freed");
  g_object_unref (owner);
  gst_object_unref (pipeline);
}

GST_END_TEST;

static Suite *
session_suite (void)
{
  Suite *s = suite_create ("session");
  TCase *tc = tcase_create ("general");
  const gchar *const media[] = { "nicesrc", "dtlssrtpenc", "vp8enc", "vp8dec",
    "rtpvp8pay", "rtpvp8depay", "videotestsrc", NULL
  };

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, kvs_test_keep_openssl_at_exit, NULL);
  tcase_add_test (tc, test_sdp_mid_helpers);
  tcase_add_test (tc, test_sdp_text_matches_gstreamer);
  tcase_add_test (tc, test_restrict_addresses_rejects_non_ip);
  tcase_add_test (tc, test_recv_transceivers_one_per_structure);
  tcase_add_test (tc, test_disable_upnp);
  tcase_add_test (tc, test_sdp_origin);
  tcase_add_test (tc, test_same_peer_connection);
  tcase_add_test (tc, test_close_interrupts_dropped_actions);
  tcase_add_test (tc, test_bad_remote_sdp_is_reported);
  if (elem_have_factories (media))
    tcase_add_loop_test (tc, test_viewer_offers_master_answers_video_flows, 0,
        2);
  else
    g_printerr ("nicesrc/dtlssrtpenc/vp8 missing: skipping media tests\n");
  return s;
}

GST_CHECK_MAIN (session);
