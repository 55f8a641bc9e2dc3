/* kvssignaling: kvswebrtcsrc, a KVS channel's media as source pads.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-kvswebrtcsrc
 * @title: kvswebrtcsrc
 * @see_also: kvssignalingsrc, kvssignalingsink, webrtcbin
 *
 * kvswebrtcsrc brings the media of an Amazon Kinesis Video Streams
 * signaling channel into a pipeline. By default it is one of the channel's
 * viewers: it connects, offers to receive the codecs of
 * #GstKvsWebrtcSrc:video-codecs and #GstKvsWebrtcSrc:audio-codecs, and
 * exposes one sometimes source pad per stream the master sends, `video_%u`
 * and `audio_%u`, with encoded caps (`video/x-vp8`, `video/x-h264`,
 * `audio/x-opus`, …): link them to `decodebin`, a decoder or a muxer.
 *
 * Inside is a webrtcbin, one depayloader per stream and the
 * kvssignalingsrc/kvssignalingsink pair, which takes every connection
 * property of the bin (channel, region, credentials, endpoint, client id,
 * …; see kvssignalingsrc). A viewer without #GstKvsSignalingBase:client-id
 * gets a generated one, so two kvswebrtcsrc in one pipeline are two
 * viewers.
 *
 * ## When the session ends
 *
 * A camera restarts, a network drops. When the WebRTC session with the
 * master ends (its peer connection fails or closes, negotiation fails, or
 * no media arrived for #GstKvsWebrtcSrc:restart-timeout milliseconds), the
 * bin posts a warning, releases that webrtcbin, and offers again with a new
 * one, with a growing delay between attempts that bring no media. Its source
 * pads stay (across state changes too): the new session's streams flow
 * into the same pads (the n-th video stream into `video_n`), after new
 * stream-start, caps and segment events, so the elements downstream keep
 * running. The KVS service holds
 * the offer for a master that is not connected yet and hands it over when
 * the master connects, so video resumes about a second after a restarted
 * master is back (plus up to restart-timeout to notice that it was gone).
 * Errors of the signaling connection (unknown channel, refused credentials)
 * still end the pipeline.
 *
 * ## Sending too
 *
 * Request sink pads `video_sink_%u` and `audio_sink_%u`, linked before the
 * bin starts, take encoded media to send to the peer: the offer is then
 * send-receive for that kind of media, with the first codec of
 * #GstKvsWebrtcSrc:video-codecs (#GstKvsWebrtcSrc:audio-codecs), payloaded
 * inside the bin. What is linked there keeps running across sessions: each
 * session's webrtcbin gets the packets through an appsrc of its own, and
 * its key-unit requests go upstream to the encoder. A session that
 * connected but receives nothing (the peer only receives) is kept.
 *
 * With `role=master` the bin is the channel's master: it answers one viewer
 * at a time and exposes that viewer's streams; when that viewer's session
 * ends, the next viewer is answered.
 *
 * Source pads that are not linked drop their data: a viewer line that only
 * links the video keeps running when the master also sends audio. When
 * video is offered, an audio pad is added only after the first video pad
 * (or 1.5 s without video), so that gst-launch-1.0 links a line's
 * `kvswebrtcsrc ! decodebin ! videoconvert` to the video. To use both,
 * link the pads by name (`s.video_0`, `s.audio_0`).
 *
 * Offers: one receive-only transceiver per kind of media, with the codecs
 * in the order of the properties; the first video codec at payload type
 * 96, the first audio codec at 97 (as the documented gst-launch master
 * sends them), the others from 98.
 *
 * ## Example launch line
 *
 * Watch a channel's video:
 * |[
 * gst-launch-1.0 kvswebrtcsrc channel-name=cam1 ! decodebin ! videoconvert ! autovideosink
 * ]|
 *
 * Video and audio:
 * |[
 * gst-launch-1.0 kvswebrtcsrc name=s channel-name=cam1 \
 *   s.video_0 ! queue ! decodebin ! videoconvert ! autovideosink \
 *   s.audio_0 ! queue ! decodebin ! audioconvert ! autoaudiosink
 * ]|
 *
 * Two-way: send a camera's VP8 while watching the master:
 * |[
 * gst-launch-1.0 kvswebrtcsrc name=s channel-name=cam1 ! decodebin ! videoconvert ! autovideosink \
 *   v4l2src ! videoconvert ! vp8enc deadline=1 ! s.video_sink_0
 * ]|
 *
 * Against the local service, on one machine:
 * |[
 * gst-launch-1.0 kvswebrtcsrc channel-name=demo endpoint=http://127.0.0.1:4566 \
 *   aws-region=us-west-2 local-addresses=127.0.0.1 ! decodebin ! videoconvert ! autovideosink
 * ]|
 *
 * Since: 0.2
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>

#include "gstkvswebrtcsrc.h"
#include "gstkvssignalingbase.h"
#include "gstkvssignalingelements.h"
#include "gstkvsrtpcodecs.h"
#include "gstkvswebrtcsender.h"

GST_DEBUG_CATEGORY_STATIC (kvs_webrtc_src_debug);
#define GST_CAT_DEFAULT kvs_webrtc_src_debug

#define DEFAULT_ROLE GST_KVS_ROLE_VIEWER
#define DEFAULT_VIDEO_CODECS "VP8,H264"
#define DEFAULT_AUDIO_CODECS "OPUS"
#define DEFAULT_RESTART_TIMEOUT 3000
/* webrtcbin's own default jitter buffer latency, ms */
#define DEFAULT_LATENCY 200
/* How often the watchdog looks at the session. */
#define WATCHDOG_INTERVAL (200 * GST_MSECOND)
/* A session that never brought media is given up after this long at most. */
#define MAX_MEDIA_WAIT (30 * G_TIME_SPAN_SECOND)
/* The longest delay before offering again. */
#define MAX_RETRY_DELAY (5 * G_TIME_SPAN_SECOND)
/* How long an audio pad waits for the first video pad. */
#define HOLD_AUDIO_MAX (1500 * G_TIME_SPAN_MILLISECOND)
/* Payload types offered start here (dynamic range). */
#define FIRST_PAYLOAD_TYPE 96

enum
{
  PROP_0,
  PROP_ROLE,
  PROP_VIDEO_CODECS,
  PROP_AUDIO_CODECS,
  PROP_RESTART_TIMEOUT,
  PROP_LATENCY,
  PROP_STATS,
};

typedef enum
{
  KIND_VIDEO,
  KIND_AUDIO,
  N_KINDS
} Kind;

static const gchar *const kind_media[N_KINDS] = { "video", "audio" };

/* One webrtcbin and what was made for its streams. Refcounted: pad probes
 * and handlers of a retired session may still hold it. */
typedef struct
{
  GstElement *webrtcbin;
  guint number;                 /* 1, 2, ... */
  gint64 started;               /* monotonic µs */
  /* self->lock: */
  gint64 last_media;            /* monotonic µs; 0: none yet */
  guint n_streams[N_KINDS];
  GPtrArray *elements;          /* depayloaders, referenced */
  gboolean dead;                /* torn down */
  gboolean connected;           /* the peer connection was connected */
  gulong pad_handler, state_handler;
} Session;

struct _GstKvsWebrtcSrc
{
  GstKvsWebrtcBase parent;

  GMutex lock;
  /* properties (lock) */
  gchar *codecs[N_KINDS];
  guint restart_timeout;        /* ms, 0: never on silence */
  guint latency;                /* ms, each new webrtcbin's */

  /* lock */
  GPtrArray *offered[N_KINDS];  /* const GstKvsRtpCodec *, at NULL→READY */
  Session *session;
  GPtrArray *src_pads[N_KINDS]; /* ghost pads by stream index (may be NULL) */
  GPtrArray *held_pads;         /* audio pads waiting for the first video pad */
  GPtrArray *senders;           /* GstKvsWebrtcSender, by request pad */
  guint sender_serial;
  gint64 held_since;            /* monotonic µs */
  gboolean running;             /* PAUSED or above */
  GstClockID watchdog;
  guint failures;               /* sessions in a row that brought no media */
  gint64 restart_at;            /* monotonic µs; 0: none scheduled */
  gchar *restart_reason;
  gboolean restarting;          /* a restart is queued or running */
  guint run;                    /* READY→PAUSED changes: tells a restart
                                 * queued in an earlier run */
  guint64 sessions, restarts;
  gchar *last_restart_reason;
};

G_DEFINE_TYPE (GstKvsWebrtcSrc, gst_kvs_webrtc_src, GST_TYPE_KVS_WEBRTC_BASE);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (kvswebrtcsrc, "kvswebrtcsrc",
    GST_RANK_NONE, GST_TYPE_KVS_WEBRTC_SRC,
    kvs_signaling_element_init (plugin));

static GstStaticPadTemplate video_src_template =
    GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("video/x-vp8; video/x-vp9; video/x-h264; "
        "video/x-h265"));
static GstStaticPadTemplate audio_src_template =
    GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS ("audio/x-opus; audio/x-mulaw; audio/x-alaw"));
static GstStaticPadTemplate video_sink_template =
    GST_STATIC_PAD_TEMPLATE ("video_sink_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-vp8; video/x-vp9; video/x-h264; "
        "video/x-h265"));
static GstStaticPadTemplate audio_sink_template =
    GST_STATIC_PAD_TEMPLATE ("audio_sink_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/x-opus; audio/x-mulaw; audio/x-alaw"));

static void schedule_restart (GstKvsWebrtcSrc * self, gboolean now,
    const gchar * reason);

static void
pad_unref (gpointer pad)
{
  if (pad)
    gst_object_unref (pad);
}

/* ------------------------------------------------------------------------ */
/* sessions */

static Session *
session_ref (Session * session)
{
  return g_atomic_rc_box_acquire (session);
}

static void
session_clear (Session * session)
{
  gst_object_unref (session->webrtcbin);
  g_ptr_array_unref (session->elements);
}

static void
session_unref (Session * session)
{
  g_atomic_rc_box_release_full (session, (GDestroyNotify) session_clear);
}

/* The current session if @webrtcbin is its webrtcbin (a new reference). */
static Session *
dup_session_of (GstKvsWebrtcSrc * self, GstElement * webrtcbin)
{
  Session *session = NULL;

  g_mutex_lock (&self->lock);
  if (self->session && self->session->webrtcbin == webrtcbin)
    session = session_ref (self->session);
  g_mutex_unlock (&self->lock);
  return session;
}

/* On webrtcbin's source pads (the probes hold no reference: they run
 * only while the webrtcbin streams, before its session is destroyed). */
static GstPadProbeReturn
on_media (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstKvsWebrtcSrc *self = data;
  GstObject *webrtcbin = GST_OBJECT_PARENT (pad);

  g_mutex_lock (&self->lock);
  if (self->session && GST_OBJECT (self->session->webrtcbin) == webrtcbin)
    self->session->last_media = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

/* Data for a source pad nobody linked is dropped: an unlinked audio pad
 * must not stop the video with a not-linked error. */
static GstPadProbeReturn
drop_if_unlinked (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstPad *ghost = data;

  return gst_pad_is_linked (ghost) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* Adds the audio pads held back until the first video pad. */
static void
add_held_pads (GstKvsWebrtcSrc * self)
{
  g_autoptr (GPtrArray) pads = NULL;
  guint i;

  g_mutex_lock (&self->lock);
  pads = self->held_pads;
  self->held_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  g_mutex_unlock (&self->lock);
  for (i = 0; i < pads->len; i++) {
    GST_INFO_OBJECT (self, "new pad %s", GST_PAD_NAME (pads->pdata[i]));
    gst_element_add_pad (GST_ELEMENT (self), pads->pdata[i]);
  }
}

static void
add_held_pads_async (GstElement * element, gpointer data)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (element);
  gboolean running;

  GST_STATE_LOCK (self);
  g_mutex_lock (&self->lock);
  running = self->running;
  if (!running)                 /* the next run adds them */
    self->held_since = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  if (running)
    add_held_pads (self);
  GST_STATE_UNLOCK (self);
}

/* Whether a new audio pad waits for the first video pad: gst-launch-1.0
 * links a line's "kvswebrtcsrc ! decodebin ! videoconvert" to the first
 * pad added, and audio often arrives first (self->lock). */
static gboolean
hold_back (GstKvsWebrtcSrc * self, Kind kind)
{
  guint i;

  if (kind != KIND_AUDIO || self->offered[KIND_VIDEO]->len == 0)
    return FALSE;
  for (i = 0; i < self->src_pads[KIND_VIDEO]->len; i++)
    if (g_ptr_array_index (self->src_pads[KIND_VIDEO], i))
      return FALSE;
  return TRUE;
}

/* The ghost pad for stream @index of @kind: the existing one retargeted to
 * @target, or a new one. */
static void
expose_pad (GstKvsWebrtcSrc * self, Kind kind, guint index, GstPad * target)
{
  GstPad *ghost = NULL;
  gboolean is_new;

  g_mutex_lock (&self->lock);
  if (index < self->src_pads[kind]->len
      && g_ptr_array_index (self->src_pads[kind], index))
    ghost = gst_object_ref (g_ptr_array_index (self->src_pads[kind], index));
  g_mutex_unlock (&self->lock);

  if (ghost) {
    GST_INFO_OBJECT (self, "%s stream %u: %s now fed by the new session",
        kind_media[kind], index, GST_PAD_NAME (ghost));
    gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), target);
  } else {
    g_autofree gchar *name = g_strdup_printf ("%s_%u", kind_media[kind],
        index);
    GstPadTemplate *templ =
        gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self),
        kind == KIND_VIDEO ? "video_%u" : "audio_%u");

    ghost = gst_ghost_pad_new_from_template (name, target, templ);
    gst_object_ref (ghost);
    gst_pad_set_active (ghost, TRUE);
    g_mutex_lock (&self->lock);
    if (self->src_pads[kind]->len <= index)
      g_ptr_array_set_size (self->src_pads[kind], index + 1);
    g_ptr_array_index (self->src_pads[kind], index) = gst_object_ref (ghost);
    g_mutex_unlock (&self->lock);
  }

  gst_pad_add_probe (target, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, drop_if_unlinked,
      gst_object_ref (ghost), gst_object_unref);
  /* Not added yet: new, or held back in an earlier run. */
  g_mutex_lock (&self->lock);
  is_new = GST_OBJECT_PARENT (ghost) == NULL
      && !g_ptr_array_find (self->held_pads, ghost, NULL);
  g_mutex_unlock (&self->lock);
  if (is_new) {
    gboolean held;

    g_mutex_lock (&self->lock);
    held = hold_back (self, kind);
    if (held) {
      if (self->held_pads->len == 0)
        self->held_since = g_get_monotonic_time ();
      g_ptr_array_add (self->held_pads, gst_object_ref (ghost));
    }
    g_mutex_unlock (&self->lock);
    if (held) {
      GST_INFO_OBJECT (self, "pad %s waits for the video",
          GST_PAD_NAME (ghost));
    } else {
      GST_INFO_OBJECT (self, "new pad %s", GST_PAD_NAME (ghost));
      gst_element_add_pad (GST_ELEMENT (self), ghost);
      if (kind == KIND_VIDEO)
        add_held_pads (self);
    }
  }
  gst_object_unref (ghost);
}

/* A stream of @session arrived on webrtcbin's @pad with RTP @caps:
 * depayload it and expose it. */
static void
expose_stream (GstKvsWebrtcSrc * self, Session * session, GstPad * pad,
    GstCaps * caps)
{
  const GstKvsRtpCodec *codec = gst_kvs_rtp_codec_from_caps (caps);
  GstElement *depay = NULL;
  g_autoptr (GstPad) depay_sink = NULL;
  g_autoptr (GstPad) depay_src = NULL;
  gboolean dead;
  Kind kind;
  guint index;

  if (codec)
    depay = gst_element_factory_make (codec->depayloader, NULL);
  if (depay == NULL) {
    GstElement *sink = gst_element_factory_make ("fakesink", NULL);

    GST_ELEMENT_WARNING (self, STREAM, CODEC_NOT_FOUND,
        ("The master sends a stream this element cannot depayload; it is "
            "dropped."), ("caps %" GST_PTR_FORMAT, caps));
    g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
    depay = sink;
  }
  gst_object_ref_sink (depay);

  g_mutex_lock (&self->lock);
  dead = session->dead;
  if (!dead)
    g_ptr_array_add (session->elements, gst_object_ref (depay));
  kind = codec && g_strcmp0 (codec->media, "audio") == 0 ?
      KIND_AUDIO : KIND_VIDEO;
  index = session->n_streams[kind]++;
  g_mutex_unlock (&self->lock);
  if (dead) {
    gst_object_unref (depay);
    return;
  }

  gst_bin_add (GST_BIN (self), depay);
  gst_object_unref (depay);
  depay_sink = gst_element_get_static_pad (depay, "sink");
  if (gst_pad_link (pad, depay_sink) != GST_PAD_LINK_OK)
    GST_WARNING_OBJECT (self, "could not link %" GST_PTR_FORMAT, pad);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, on_media, self, NULL);
  gst_element_sync_state_with_parent (depay);

  if (codec == NULL)
    return;
  GST_INFO_OBJECT (self, "session %u: %s stream %u, %s", session->number,
      kind_media[kind], index, codec->name);
  depay_src = gst_element_get_static_pad (depay, "src");
  expose_pad (self, kind, index, depay_src);
}

/* A webrtcbin pad added before its caps were known. */
static GstPadProbeReturn
on_caps_event (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstKvsWebrtcSrc *self = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  Session *session;
  GstCaps *caps;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  session = dup_session_of (self, GST_ELEMENT (GST_OBJECT_PARENT (pad)));
  if (session) {
    gst_event_parse_caps (event, &caps);
    expose_stream (self, session, pad, caps);
    session_unref (session);
  }
  return GST_PAD_PROBE_REMOVE;
}

/* webrtcbin's streaming thread. */
static void
on_webrtc_pad_added (GstElement * webrtcbin, GstPad * pad,
    GstKvsWebrtcSrc * self)
{
  Session *session;
  GstCaps *caps;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  session = dup_session_of (self, webrtcbin);
  if (session == NULL)
    return;

  caps = gst_pad_get_current_caps (pad);
  if (caps) {
    expose_stream (self, session, pad, caps);
    gst_caps_unref (caps);
  } else {
    GST_DEBUG_OBJECT (self, "%" GST_PTR_FORMAT " without caps yet", pad);
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        on_caps_event, self, NULL);
  }
  session_unref (session);
}

/* webrtcbin's thread. */
static void
on_connection_state (GstElement * webrtcbin, GParamSpec * pspec,
    GstKvsWebrtcSrc * self)
{
  GstWebRTCPeerConnectionState state;
  Session *session = dup_session_of (self, webrtcbin);

  if (session == NULL)
    return;
  g_object_get (webrtcbin, "connection-state", &state, NULL);
  GST_INFO_OBJECT (self, "session %u: connection state %d", session->number,
      state);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    g_mutex_lock (&self->lock);
    session->connected = TRUE;
    g_mutex_unlock (&self->lock);
  }
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    schedule_restart (self, FALSE, "the peer connection failed");
  else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED)
    schedule_restart (self, FALSE, "the peer connection closed");
  session_unref (session);
}

/* Per kind of media, in order (video, audio): the request pads' senders,
 * each a send-receive transceiver with its one codec, or else one
 * receive-only transceiver offering the codecs in order. The first video
 * and the first audio codec get 96 and 97, the numbers of the documented
 * gst-launch master (webrtcbin 1.22 sends with its own payload types,
 * whatever the offer says), the others 98 and up. The webrtcbin is in the
 * bin already. */
static void
setup_media (GstKvsWebrtcSrc * self, Session * session)
{
  GstElement *webrtcbin = session->webrtcbin;
  GstCaps *caps[N_KINDS];
  GPtrArray *senders[N_KINDS];
  gint pt = FIRST_PAYLOAD_TYPE + N_KINDS;
  guint k, i;

  g_mutex_lock (&self->lock);
  for (k = 0; k < N_KINDS; k++) {
    caps[k] = gst_caps_new_empty ();
    for (i = 0; i < self->offered[k]->len; i++)
      gst_caps_append_structure (caps[k],
          gst_kvs_rtp_codec_rtp_structure (g_ptr_array_index (self->offered
                  [k], i), i == 0 ? FIRST_PAYLOAD_TYPE + (gint) k : pt++));
    senders[k] = g_ptr_array_new ();
  }
  for (i = 0; i < self->senders->len; i++) {
    GstKvsWebrtcSender *sender = g_ptr_array_index (self->senders, i);
    const GstKvsRtpCodec *codec = gst_kvs_webrtc_sender_get_codec (sender);

    g_ptr_array_add (senders[g_strcmp0 (codec->media, "audio") == 0 ?
            KIND_AUDIO : KIND_VIDEO], sender);
  }
  g_mutex_unlock (&self->lock);

  for (k = 0; k < N_KINDS; k++) {
    GstWebRTCRTPTransceiver *trans = NULL;

    /* A sender lives as long as its pad: only release_pad frees it, under
     * the state lock, as here (state change or restart). */
    for (i = 0; i < senders[k]->len; i++) {
      GstElement *appsrc =
          gst_kvs_webrtc_sender_attach (g_ptr_array_index (senders[k], i),
          webrtcbin);

      g_mutex_lock (&self->lock);
      g_ptr_array_add (session->elements, appsrc);
      g_mutex_unlock (&self->lock);
    }
    if (senders[k]->len == 0 && !gst_caps_is_empty (caps[k])) {
      g_signal_emit_by_name (webrtcbin, "add-transceiver",
          GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps[k], &trans);
      if (trans == NULL)
        GST_WARNING_OBJECT (self, "webrtcbin refused %" GST_PTR_FORMAT,
            caps[k]);
      gst_clear_object (&trans);
    }
    gst_caps_unref (caps[k]);
    g_ptr_array_unref (senders[k]);
  }
}

/* A new webrtcbin in the bin (not yet driven by the pair). */
static Session *
session_new (GstKvsWebrtcSrc * self)
{
  Session *session = g_atomic_rc_box_new0 (Session);
  g_autofree gchar *name = NULL;

  g_mutex_lock (&self->lock);
  session->number = ++self->sessions;
  g_mutex_unlock (&self->lock);
  session->started = g_get_monotonic_time ();
  session->elements = g_ptr_array_new_with_free_func (gst_object_unref);

  name = g_strdup_printf ("webrtcbin%u", session->number);
  session->webrtcbin = gst_element_factory_make ("webrtcbin", name);
  g_assert (session->webrtcbin);
  gst_object_ref_sink (session->webrtcbin);
  gst_util_set_object_arg (G_OBJECT (session->webrtcbin), "bundle-policy",
      "max-bundle");
  g_mutex_lock (&self->lock);
  g_object_set (session->webrtcbin, "latency", self->latency, NULL);
  g_mutex_unlock (&self->lock);
  session->pad_handler = g_signal_connect (session->webrtcbin, "pad-added",
      G_CALLBACK (on_webrtc_pad_added), self);
  session->state_handler = g_signal_connect (session->webrtcbin,
      "notify::connection-state", G_CALLBACK (on_connection_state), self);
  gst_bin_add (GST_BIN (self), session->webrtcbin);
  setup_media (self, session);
  GST_INFO_OBJECT (self, "session %u: %" GST_PTR_FORMAT, session->number,
      session->webrtcbin);
  return session;
}

/* Whether @pad's target belongs to @element. */
static gboolean
targets_element (GstPad * ghost, GstElement * element)
{
  g_autoptr (GstPad) target = gst_ghost_pad_get_target (GST_GHOST_PAD (ghost));

  return target && GST_OBJECT_PARENT (target) == GST_OBJECT (element);
}

/* Stops @session's webrtcbin and removes it and its depayloaders; the
 * source pads they fed stay, without a target until the next session. */
static void
session_destroy (GstKvsWebrtcSrc * self, Session * session)
{
  g_autoptr (GPtrArray) elements = NULL;
  g_autoptr (GPtrArray) pads = g_ptr_array_new_with_free_func
      (gst_object_unref);
  guint i, j, k;

  g_signal_handler_disconnect (session->webrtcbin, session->pad_handler);
  g_signal_handler_disconnect (session->webrtcbin, session->state_handler);
  g_mutex_lock (&self->lock);
  for (i = 0; i < self->senders->len; i++)
    gst_kvs_webrtc_sender_detach (g_ptr_array_index (self->senders, i));
  g_mutex_unlock (&self->lock);
  /* Stopped first: no more streams, and no not-linked errors upstream. */
  gst_element_set_locked_state (session->webrtcbin, TRUE);
  gst_element_set_state (session->webrtcbin, GST_STATE_NULL);

  g_mutex_lock (&self->lock);
  session->dead = TRUE;
  elements = g_steal_pointer (&session->elements);
  session->elements = g_ptr_array_new_with_free_func (gst_object_unref);
  for (k = 0; k < N_KINDS; k++)
    for (i = 0; i < self->src_pads[k]->len; i++)
      if (g_ptr_array_index (self->src_pads[k], i))
        g_ptr_array_add (pads,
            gst_object_ref (g_ptr_array_index (self->src_pads[k], i)));
  g_mutex_unlock (&self->lock);

  for (i = 0; i < elements->len; i++) {
    GstElement *element = g_ptr_array_index (elements, i);

    for (j = 0; j < pads->len; j++)
      if (targets_element (g_ptr_array_index (pads, j), element))
        gst_ghost_pad_set_target (g_ptr_array_index (pads, j), NULL);
    gst_element_set_locked_state (element, TRUE);
    gst_element_set_state (element, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), element);
  }
  gst_bin_remove (GST_BIN (self), session->webrtcbin);
  GST_INFO_OBJECT (self, "session %u removed", session->number);
}

static void
pair_release (GstKvsWebrtcSrc * self)
{
  GstKvsWebrtcBase *base = GST_KVS_WEBRTC_BASE (self);

  gst_kvs_signaling_base_release_webrtcbin (GST_KVS_SIGNALING_BASE
      (gst_kvs_webrtc_base_get_signaling_src (base)));
  gst_kvs_signaling_base_release_webrtcbin (GST_KVS_SIGNALING_BASE
      (gst_kvs_webrtc_base_get_signaling_sink (base)));
}

static gboolean
pair_use (GstKvsWebrtcSrc * self, GstElement * webrtcbin)
{
  GstKvsWebrtcBase *base = GST_KVS_WEBRTC_BASE (self);

  return gst_kvs_signaling_base_use_webrtcbin (GST_KVS_SIGNALING_BASE
      (gst_kvs_webrtc_base_get_signaling_src (base)), webrtcbin)
      && gst_kvs_signaling_base_use_webrtcbin (GST_KVS_SIGNALING_BASE
      (gst_kvs_webrtc_base_get_signaling_sink (base)), webrtcbin);
}

/* The session's appsrcs follow the bin's state. */
static void
sync_elements (GstKvsWebrtcSrc * self, Session * session)
{
  g_autoptr (GPtrArray) elements = g_ptr_array_new_with_free_func
      (gst_object_unref);
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; i < session->elements->len; i++)
    g_ptr_array_add (elements,
        gst_object_ref (g_ptr_array_index (session->elements, i)));
  g_mutex_unlock (&self->lock);
  for (i = 0; i < elements->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (elements, i));
}

/* Takes the session away from the bin and destroys it. */
static void
drop_session (GstKvsWebrtcSrc * self)
{
  Session *session;

  g_mutex_lock (&self->lock);
  session = self->session;
  self->session = NULL;
  g_mutex_unlock (&self->lock);
  if (session == NULL)
    return;
  pair_release (self);
  session_destroy (self, session);
  session_unref (session);
}

/* ------------------------------------------------------------------------ */
/* restarts */

/* Runs on a thread of its own (gst_element_call_async), with the bin's
 * state lock: never during one of the bin's state changes. */
typedef struct
{
  gchar *reason;
  guint run;
} Restart;

static void
restart_free (Restart * restart)
{
  g_free (restart->reason);
  g_free (restart);
}

static void
do_restart (GstElement * element, gpointer data)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (element);
  Restart *restart = data;
  const gchar *reason = restart->reason;
  Session *session;
  gboolean running;

  GST_STATE_LOCK (self);
  g_mutex_lock (&self->lock);
  running = self->running && self->run == restart->run;
  if (running) {
    self->restarts++;
    g_free (self->last_restart_reason);
    self->last_restart_reason = g_strdup (reason);
    if (self->session && self->session->last_media)
      self->failures = 0;
    else
      self->failures++;
  }
  g_mutex_unlock (&self->lock);

  if (running) {
    GST_ELEMENT_WARNING (self, RESOURCE, READ,
        ("The WebRTC session with the %s ended (%s): offering again with a "
            "new webrtcbin.", gst_kvs_webrtc_base_get_role (GST_KVS_WEBRTC_BASE
                (self)) == GST_KVS_ROLE_VIEWER ? "master" : "viewer",
            reason), (NULL));
    drop_session (self);
    session = session_new (self);
    gst_element_sync_state_with_parent (session->webrtcbin);
    sync_elements (self, session);
    g_mutex_lock (&self->lock);
    self->session = session;
    g_mutex_unlock (&self->lock);
    if (!pair_use (self, session->webrtcbin))
      GST_WARNING_OBJECT (self, "the pair refused the new webrtcbin");
  }

  g_mutex_lock (&self->lock);
  if (self->run == restart->run) {
    self->restarting = FALSE;
    self->restart_at = 0;
  }
  g_mutex_unlock (&self->lock);
  GST_STATE_UNLOCK (self);
}

/* Delay before offering again after a session that brought no media. */
static gint64
retry_delay (guint failures)
{
  if (failures == 0)
    return 0;
  return MIN ((gint64) 250 * G_TIME_SPAN_MILLISECOND << MIN (failures, 6),
      MAX_RETRY_DELAY);
}

/* How long a new session may go without media (viewer). */
static gint64
media_wait (guint timeout_ms, guint failures)
{
  gint64 wait = (gint64) MAX (timeout_ms, 1000) * G_TIME_SPAN_MILLISECOND;

  return MIN (wait << (1 + MIN (failures, 5)), MAX_MEDIA_WAIT);
}

/* Any thread: the session is over; the watchdog restarts it (@now: at its
 * next tick, else after the retry delay). */
static void
schedule_restart (GstKvsWebrtcSrc * self, gboolean now, const gchar * reason)
{
  g_mutex_lock (&self->lock);
  if (self->running && !self->restarting && self->restart_at == 0) {
    gint64 delay = 0;

    if (!now && !(self->session && self->session->last_media))
      delay = retry_delay (self->failures + 1);
    self->restart_at = g_get_monotonic_time () + MAX (delay, 1);
    g_free (self->restart_reason);
    self->restart_reason = g_strdup (reason);
    GST_INFO_OBJECT (self, "restart in %" G_GINT64_FORMAT " ms: %s",
        delay / 1000, reason);
  }
  g_mutex_unlock (&self->lock);
}

/* The reason to restart the current session now, or NULL (self->lock). */
static gchar *
check_session (GstKvsWebrtcSrc * self, gint64 now)
{
  Session *session = self->session;
  gboolean viewer;

  if (self->restart_at)
    return now >= self->restart_at ? g_strdup (self->restart_reason) : NULL;
  if (session == NULL)
    return NULL;
  if (session->last_media) {
    if (self->restart_timeout > 0 && now - session->last_media >
        (gint64) self->restart_timeout * G_TIME_SPAN_MILLISECOND)
      return g_strdup_printf ("no media for %u ms", self->restart_timeout);
    return NULL;
  }
  /* No media yet: a viewer gives up a session that did not connect (a
   * connected one may legitimately only send). */
  viewer = gst_kvs_webrtc_base_get_role (GST_KVS_WEBRTC_BASE (self)) ==
      GST_KVS_ROLE_VIEWER;
  if (viewer && !session->connected && self->restart_timeout > 0
      && now - session->started > media_wait (self->restart_timeout,
          self->failures))
    return g_strdup_printf ("not connected %" G_GINT64_FORMAT " s after the "
        "offer", (now - session->started) / G_TIME_SPAN_SECOND);
  return NULL;
}

/* The clock's thread, every WATCHDOG_INTERVAL. */
static gboolean
watchdog_tick (GstClock * clock, GstClockTime time, GstClockID id,
    gpointer data)
{
  GstKvsWebrtcSrc *self = data;
  Restart *restart = NULL;
  gboolean add_held = FALSE;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  if (self->running && !self->restarting) {
    gchar *reason = check_session (self, now);

    if (reason) {
      self->restarting = TRUE;
      restart = g_new (Restart, 1);
      restart->reason = reason;
      restart->run = self->run;
    }
  }
  /* No video came: the audio pads wait no longer. */
  if (self->held_pads->len && now - self->held_since > HOLD_AUDIO_MAX) {
    self->held_since = G_MAXINT64 / 2;
    add_held = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (add_held)
    gst_element_call_async (GST_ELEMENT (self), add_held_pads_async, NULL,
        NULL);

  if (restart) {
    GST_INFO_OBJECT (self, "restarting: %s", restart->reason);
    gst_element_call_async (GST_ELEMENT (self), do_restart, restart,
        (GDestroyNotify) restart_free);
  }
  return TRUE;
}

static void
watchdog_start (GstKvsWebrtcSrc * self)
{
  GstClock *clock = gst_system_clock_obtain ();
  GstClockID id;

  id = gst_clock_new_periodic_id (clock, gst_clock_get_time (clock) +
      WATCHDOG_INTERVAL, WATCHDOG_INTERVAL);
  gst_clock_id_wait_async (id, watchdog_tick, gst_object_ref (self),
      gst_object_unref);
  g_mutex_lock (&self->lock);
  self->watchdog = id;
  g_mutex_unlock (&self->lock);
  gst_object_unref (clock);
}

static void
watchdog_stop (GstKvsWebrtcSrc * self)
{
  GstClockID id;

  g_mutex_lock (&self->lock);
  id = self->watchdog;
  self->watchdog = NULL;
  g_mutex_unlock (&self->lock);
  if (id) {
    gst_clock_id_unschedule (id);
    gst_clock_id_unref (id);
  }
}

/* ------------------------------------------------------------------------ */
/* messages of the children */

/* The child of the bin that @object is or is inside of (borrowed). */
static GstObject *
child_of (GstKvsWebrtcSrc * self, GstObject * object)
{
  for (; object; object = GST_OBJECT_PARENT (object))
    if (GST_OBJECT_PARENT (object) == GST_OBJECT (self))
      return object;
  return NULL;
}

static gboolean
is_webrtcbin (GstObject * object)
{
  GstElementFactory *factory;

  if (object == NULL || !GST_IS_ELEMENT (object))
    return FALSE;
  factory = gst_element_get_factory (GST_ELEMENT (object));
  return factory && g_strcmp0 (GST_OBJECT_NAME (factory), "webrtcbin") == 0;
}

typedef enum
{
  NOT_SESSION,                  /* a real error: the pipeline stops */
  CURRENT_SESSION,              /* ends the session: a warning and a restart */
  OLD_SESSION,                  /* from a webrtcbin being removed: a warning */
} ErrorKind;

/* Errors that end a session, not the pipeline: the pair's "negotiation
 * with the master failed" (the only RESOURCE FAILED error a connection
 * posts: gstkvsconnection.c session_problem), and errors from inside a
 * webrtcbin of the bin. */
static ErrorKind
classify_error (GstKvsWebrtcSrc * self, GstMessage * msg)
{
  GstKvsWebrtcBase *base = GST_KVS_WEBRTC_BASE (self);
  GstObject *src = GST_MESSAGE_SRC (msg);
  GstObject *child = child_of (self, src);
  GError *err = NULL;
  gboolean failed;

  if (is_webrtcbin (child)) {
    gboolean current;

    g_mutex_lock (&self->lock);
    current = self->session && GST_OBJECT (self->session->webrtcbin) == child;
    g_mutex_unlock (&self->lock);
    return current ? CURRENT_SESSION : OLD_SESSION;
  }
  if (src != GST_OBJECT (gst_kvs_webrtc_base_get_signaling_src (base))
      && src != GST_OBJECT (gst_kvs_webrtc_base_get_signaling_sink (base)))
    return NOT_SESSION;
  gst_message_parse_error (msg, &err, NULL);
  failed = err->domain == GST_RESOURCE_ERROR
      && err->code == GST_RESOURCE_ERROR_FAILED;
  g_error_free (err);
  return failed ? CURRENT_SESSION : NOT_SESSION;
}

static void
gst_kvs_webrtc_src_handle_message (GstBin * bin, GstMessage * msg)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (bin);

  ErrorKind kind = NOT_SESSION;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
    kind = classify_error (self, msg);
  if (kind != NOT_SESSION) {
    GError *err = NULL;
    gchar *debug = NULL;
    GstMessage *warning;

    gst_message_parse_error (msg, &err, &debug);
    GST_INFO_OBJECT (self, "session error, as a warning: %s", err->message);
    warning = gst_message_new_warning (GST_MESSAGE_SRC (msg), err, debug);
    if (kind == CURRENT_SESSION)
      schedule_restart (self, FALSE, err->message);
    g_error_free (err);
    g_free (debug);
    gst_message_unref (msg);
    msg = warning;
  }
  GST_BIN_CLASS (gst_kvs_webrtc_src_parent_class)->handle_message (bin, msg);
}

/* ------------------------------------------------------------------------ */
/* life cycle */

/* NULL→READY: the codecs to offer. */
static gboolean
parse_codecs (GstKvsWebrtcSrc * self)
{
  guint k;

  for (k = 0; k < N_KINDS; k++) {
    g_autoptr (GError) err = NULL;
    g_autofree gchar *list = NULL;
    GPtrArray *codecs;

    g_mutex_lock (&self->lock);
    list = g_strdup (self->codecs[k]);
    g_mutex_unlock (&self->lock);
    codecs = gst_kvs_rtp_codec_parse_list (kind_media[k], list, &err);
    if (codecs == NULL) {
      if (err->domain == GST_CORE_ERROR)
        GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
            ("Invalid %s-codecs '%s': %s", kind_media[k], list,
                err->message), (NULL));
      else
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            ("Invalid %s-codecs '%s': %s", kind_media[k], list,
                err->message), (NULL));
      return FALSE;
    }
    g_mutex_lock (&self->lock);
    g_ptr_array_unref (self->offered[k]);
    self->offered[k] = codecs;
    g_mutex_unlock (&self->lock);
  }
  if (self->offered[KIND_VIDEO]->len == 0
      && self->offered[KIND_AUDIO]->len == 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Nothing to receive: video-codecs and audio-codecs are both "
            "empty."), (NULL));
    return FALSE;
  }
  return TRUE;
}

/* A session for the pair to drive, made when the bin has none. */
static gboolean
ensure_session (GstKvsWebrtcSrc * self)
{
  Session *session;

  g_mutex_lock (&self->lock);
  session = self->session;
  g_mutex_unlock (&self->lock);
  if (session)
    return TRUE;
  session = session_new (self);
  g_mutex_lock (&self->lock);
  self->session = session;
  g_mutex_unlock (&self->lock);
  return pair_use (self, session->webrtcbin);
}

static GstStateChangeReturn
gst_kvs_webrtc_src_change_state (GstElement * element,
    GstStateChange transition)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      g_mutex_lock (&self->lock);
      self->failures = 0;
      self->restarts = 0;
      self->sessions = 0;
      g_clear_pointer (&self->last_restart_reason, g_free);
      g_mutex_unlock (&self->lock);
      /* The pair finds it at NULL→READY, as the bin's only webrtcbin. */
      if (!parse_codecs (self) || !ensure_session (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!ensure_session (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      g_mutex_lock (&self->lock);
      self->running = FALSE;
      self->restart_at = 0;
      g_mutex_unlock (&self->lock);
      watchdog_stop (self);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (gst_kvs_webrtc_src_parent_class)->change_state
      (element, transition);

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (ret == GST_STATE_CHANGE_FAILURE)
        drop_session (self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (ret == GST_STATE_CHANGE_FAILURE)
        break;
      g_mutex_lock (&self->lock);
      self->running = TRUE;
      self->run++;
      self->restarting = FALSE;
      self->restart_at = 0;
      self->failures = 0;
      g_mutex_unlock (&self->lock);
      watchdog_start (self);
      /* Live: no preroll. */
      if (ret == GST_STATE_CHANGE_SUCCESS)
        ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      if (ret == GST_STATE_CHANGE_SUCCESS)
        ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
    case GST_STATE_CHANGE_READY_TO_NULL:
      /* webrtcbin 1.22 cannot be used for a second session. The source
       * pads stay, for the next run (gst-launch-1.0 links a sometimes pad
       * once). */
      drop_session (self);
      break;
    default:
      break;
  }
  return ret;
}

/* ------------------------------------------------------------------------ */
/* request sink pads: media to send */

/* Before the bin starts: the offer is made with the pads it has. The bin
 * sends with the first codec of video-codecs (audio-codecs). */
static GstPad *
gst_kvs_webrtc_src_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (element);
  Kind kind = g_str_has_prefix (GST_PAD_TEMPLATE_NAME_TEMPLATE (templ),
      "audio") ? KIND_AUDIO : KIND_VIDEO;
  g_autoptr (GPtrArray) codecs = NULL;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *list = NULL;
  g_autofree gchar *pad_name = NULL;
  GstKvsWebrtcSender *sender;
  GstState state;

  GST_OBJECT_LOCK (self);
  state = GST_STATE (self);
  GST_OBJECT_UNLOCK (self);
  if (state > GST_STATE_READY) {
    GST_ELEMENT_WARNING (self, CORE, PAD,
        ("Sink pads must be requested before the bin starts: the offer is "
            "made with the pads it has."), (NULL));
    return NULL;
  }

  g_mutex_lock (&self->lock);
  list = g_strdup (self->codecs[kind]);
  pad_name = name ? g_strdup (name) : g_strdup_printf ("%s_sink_%u",
      kind_media[kind], self->sender_serial++);
  g_mutex_unlock (&self->lock);
  codecs = gst_kvs_rtp_codec_parse_list (kind_media[kind], list, &err);
  if (codecs == NULL || codecs->len == 0) {
    GST_ELEMENT_WARNING (self, CORE, PAD,
        ("Cannot send %s: %s-codecs '%s' %s.", kind_media[kind],
            kind_media[kind], GST_STR_NULL (list),
            err ? err->message : "is empty"), (NULL));
    return NULL;
  }

  GST_STATE_LOCK (self);
  sender = gst_kvs_webrtc_sender_new (GST_BIN (self), templ, pad_name,
      g_ptr_array_index (codecs, 0), FIRST_PAYLOAD_TYPE + (gint) kind);
  if (sender) {
    g_mutex_lock (&self->lock);
    g_ptr_array_add (self->senders, sender);
    g_mutex_unlock (&self->lock);
    gst_pad_set_active (gst_kvs_webrtc_sender_get_pad (sender), TRUE);
    gst_element_add_pad (element, gst_kvs_webrtc_sender_get_pad (sender));
  }
  GST_STATE_UNLOCK (self);
  if (sender == NULL) {
    GST_ELEMENT_WARNING (self, CORE, MISSING_PLUGIN,
        ("Cannot send %s: its payloader is not installed.",
            ((const GstKvsRtpCodec *) g_ptr_array_index (codecs, 0))->name),
        (NULL));
    return NULL;
  }
  GST_INFO_OBJECT (self, "sending %s on %s",
      gst_kvs_webrtc_sender_get_codec (sender)->name, pad_name);
  return gst_kvs_webrtc_sender_get_pad (sender);
}

static void
gst_kvs_webrtc_src_release_pad (GstElement * element, GstPad * pad)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (element);
  GstKvsWebrtcSender *sender = NULL;
  guint i;

  /* Restarts and state changes use the senders under the state lock. */
  GST_STATE_LOCK (self);
  g_mutex_lock (&self->lock);
  for (i = 0; i < self->senders->len; i++) {
    if (gst_kvs_webrtc_sender_get_pad (g_ptr_array_index (self->senders,
                i)) == pad) {
      sender = g_ptr_array_steal_index (self->senders, i);
      break;
    }
  }
  g_mutex_unlock (&self->lock);
  if (sender)
    gst_kvs_webrtc_sender_free (sender);
  GST_STATE_UNLOCK (self);
}

/* ------------------------------------------------------------------------ */
/* properties */

static GstStructure *
dup_stats (GstKvsWebrtcSrc * self)
{
  GstElement *src =
      gst_kvs_webrtc_base_get_signaling_src (GST_KVS_WEBRTC_BASE (self));
  GstStructure *s = NULL;
  GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
  g_autoptr (GstElement) webrtcbin = NULL;
  guint pads = 0, k, i;

  g_object_get (src, "stats", &s, NULL);
  if (s == NULL)
    s = gst_structure_new_empty ("application/x-kvs-webrtcsrc-stats");
  gst_structure_set_name (s, "application/x-kvs-webrtcsrc-stats");

  g_mutex_lock (&self->lock);
  if (self->session)
    webrtcbin = gst_object_ref (self->session->webrtcbin);
  for (k = 0; k < N_KINDS; k++)
    for (i = 0; i < self->src_pads[k]->len; i++)
      if (g_ptr_array_index (self->src_pads[k], i))
        pads++;
  gst_structure_set (s,
      "sessions", G_TYPE_UINT64, self->sessions,
      "restarts", G_TYPE_UINT64, self->restarts,
      "last-restart-reason", G_TYPE_STRING, self->last_restart_reason,
      "src-pads", G_TYPE_UINT, pads, NULL);
  g_mutex_unlock (&self->lock);

  if (webrtcbin)
    g_object_get (webrtcbin, "connection-state", &state, NULL);
  gst_structure_set (s, "connection-state",
      GST_TYPE_WEBRTC_PEER_CONNECTION_STATE, state, NULL);
  return s;
}

static gboolean
can_change (GstKvsWebrtcSrc * self, GParamSpec * pspec)
{
  GstState state;

  GST_OBJECT_LOCK (self);
  state = GST_STATE (self);
  GST_OBJECT_UNLOCK (self);
  if (state > GST_STATE_READY && !(pspec->flags & GST_PARAM_MUTABLE_PLAYING)) {
    g_warning ("%s: property '%s' can only be set in the NULL or READY state",
        GST_OBJECT_NAME (self), pspec->name);
    return FALSE;
  }
  return TRUE;
}

static void
gst_kvs_webrtc_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (object);

  if (!can_change (self, pspec))
    return;

  switch (prop_id) {
    case PROP_ROLE:
      gst_kvs_webrtc_base_set_role (GST_KVS_WEBRTC_BASE (self),
          g_value_get_enum (value));
      break;
    case PROP_VIDEO_CODECS:
    case PROP_AUDIO_CODECS:{
      Kind k = prop_id == PROP_VIDEO_CODECS ? KIND_VIDEO : KIND_AUDIO;

      g_mutex_lock (&self->lock);
      g_free (self->codecs[k]);
      self->codecs[k] = g_value_dup_string (value);
      g_mutex_unlock (&self->lock);
      break;
    }
    case PROP_RESTART_TIMEOUT:
      g_mutex_lock (&self->lock);
      self->restart_timeout = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_LATENCY:
      g_mutex_lock (&self->lock);
      self->latency = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_kvs_webrtc_src_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (object);

  switch (prop_id) {
    case PROP_ROLE:
      g_value_set_enum (value,
          gst_kvs_webrtc_base_get_role (GST_KVS_WEBRTC_BASE (self)));
      break;
    case PROP_VIDEO_CODECS:
    case PROP_AUDIO_CODECS:
      g_mutex_lock (&self->lock);
      g_value_set_string (value, self->codecs[prop_id == PROP_VIDEO_CODECS ?
              KIND_VIDEO : KIND_AUDIO]);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_RESTART_TIMEOUT:
      g_mutex_lock (&self->lock);
      g_value_set_uint (value, self->restart_timeout);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_LATENCY:
      g_mutex_lock (&self->lock);
      g_value_set_uint (value, self->latency);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, dup_stats (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_kvs_webrtc_src_dispose (GObject * object)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (object);

  watchdog_stop (self);
  G_OBJECT_CLASS (gst_kvs_webrtc_src_parent_class)->dispose (object);
}

static void
gst_kvs_webrtc_src_finalize (GObject * object)
{
  GstKvsWebrtcSrc *self = GST_KVS_WEBRTC_SRC (object);
  guint k;

  for (k = 0; k < N_KINDS; k++) {
    g_free (self->codecs[k]);
    g_ptr_array_unref (self->offered[k]);
    g_ptr_array_unref (self->src_pads[k]);
  }
  if (self->session)
    session_unref (self->session);
  g_ptr_array_unref (self->held_pads);
  g_ptr_array_unref (self->senders);
  g_free (self->restart_reason);
  g_free (self->last_restart_reason);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_kvs_webrtc_src_parent_class)->finalize (object);
}

static void
gst_kvs_webrtc_src_class_init (GstKvsWebrtcSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);
  GstKvsWebrtcBaseClass *base_class = GST_KVS_WEBRTC_BASE_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT (kvs_webrtc_src_debug, "kvswebrtcsrc", 0,
      "KVS WebRTC source bin");

  gobject_class->set_property = gst_kvs_webrtc_src_set_property;
  gobject_class->get_property = gst_kvs_webrtc_src_get_property;
  gobject_class->dispose = gst_kvs_webrtc_src_dispose;
  gobject_class->finalize = gst_kvs_webrtc_src_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_src_change_state);
  bin_class->handle_message =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_src_handle_message);
  base_class->default_role = DEFAULT_ROLE;

  gst_element_class_add_static_pad_template (element_class,
      &video_src_template);
  gst_element_class_add_static_pad_template (element_class,
      &audio_src_template);
  gst_element_class_add_static_pad_template (element_class,
      &video_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &audio_sink_template);
  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_src_request_new_pad);
  element_class->release_pad =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_src_release_pad);
  gst_element_class_set_static_metadata (element_class,
      "KVS WebRTC source", "Source/Network/WebRTC",
      "Receives the media of an Amazon Kinesis Video Streams WebRTC "
      "signaling channel (as a viewer, or as its master) and exposes each "
      "stream, encoded, on a source pad", "kvssignaling developers");

  /**
   * GstKvsWebrtcSrc:role:
   *
   * A viewer (the default) offers to the channel's master and receives what
   * it sends; a master answers one viewer at a time and receives what that
   * viewer sends.
   */
  g_object_class_install_property (gobject_class, PROP_ROLE,
      g_param_spec_enum ("role", "Role",
          "Whether the bin connects as a viewer of the channel (offers to "
          "its master and receives its media) or as its master (answers "
          "one viewer at a time and receives that viewer's media).",
          GST_TYPE_KVS_ROLE, DEFAULT_ROLE, rw));

  /**
   * GstKvsWebrtcSrc:video-codecs:
   *
   * The video codecs offered, in order of preference, comma-separated;
   * empty: no video. Each one needs its depayloader installed (VP8
   * rtpvp8depay, VP9 rtpvp9depay, H264 rtph264depay, H265 rtph265depay);
   * an unknown codec is an error at the NULL to READY change.
   */
  g_object_class_install_property (gobject_class, PROP_VIDEO_CODECS,
      g_param_spec_string ("video-codecs", "Video codecs",
          "The video codecs to offer, in order of preference, "
          "comma-separated (known: VP8, VP9, H264, H265); empty means no "
          "video.", DEFAULT_VIDEO_CODECS, rw));

  /**
   * GstKvsWebrtcSrc:audio-codecs:
   *
   * The audio codecs offered, in order of preference, comma-separated;
   * empty: no audio.
   */
  g_object_class_install_property (gobject_class, PROP_AUDIO_CODECS,
      g_param_spec_string ("audio-codecs", "Audio codecs",
          "The audio codecs to offer, in order of preference, "
          "comma-separated (known: OPUS, PCMU, PCMA); empty means no "
          "audio.", DEFAULT_AUDIO_CODECS, rw));

  /**
   * GstKvsWebrtcSrc:restart-timeout:
   *
   * Milliseconds without any media after media flowed before the session
   * is given up and a new one offered (a master that stopped sends nothing,
   * and says nothing; webrtcbin 1.22 with libnice 0.1.21 does not report
   * its peer connection as failed, even minutes later). A viewer's new session whose peer connection does not connect
   * is given up after twice as long, then four times, up to 30 s. 0: only
   * a failed or closed peer connection ends a session.
   */
  g_object_class_install_property (gobject_class, PROP_RESTART_TIMEOUT,
      g_param_spec_uint ("restart-timeout", "Restart timeout",
          "Milliseconds without media after which the session is given up "
          "and a new one offered with a new webrtcbin (0: only when the "
          "peer connection fails or closes).", 0, 600000,
          DEFAULT_RESTART_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstKvsWebrtcSrc:latency:
   *
   * The jitter buffer latency of each session's webrtcbin, in milliseconds
   * (webrtcbin's #GstWebRTCBin:latency, default 200 as there): the first
   * packet of each stream is held this long before it leaves, so it is
   * part of the time to the first picture; lower it for a faster start on
   * a steady network, raise it for a jittery one. A change applies to the
   * sessions started after it.
   */
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Jitter buffer latency of each session's webrtcbin in "
          "milliseconds (the first packet waits this long; applies to "
          "sessions started after a change).", 0, 60000, DEFAULT_LATENCY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstKvsWebrtcSrc:stats:
   *
   * The fields of kvssignalingsrc's `stats` (the signaling connection),
   * in a structure named `application/x-kvs-webrtcsrc-stats`, plus:
   * `sessions` (guint64): webrtcbins used since the NULL to READY change;
   * `restarts` (guint64): sessions given up and offered again;
   * `last-restart-reason` (string, NULL before the first restart);
   * `src-pads` (guint): source pads exposed; `connection-state`
   * (#GstWebRTCPeerConnectionState) of the current session.
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Metrics of the signaling connection and of the WebRTC sessions: "
          "sessions, restarts and the last restart's reason, source pads, "
          "the peer connection's state (see the documentation for every "
          "field).", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
gst_kvs_webrtc_src_init (GstKvsWebrtcSrc * self)
{
  guint k;

  g_mutex_init (&self->lock);
  self->codecs[KIND_VIDEO] = g_strdup (DEFAULT_VIDEO_CODECS);
  self->codecs[KIND_AUDIO] = g_strdup (DEFAULT_AUDIO_CODECS);
  self->restart_timeout = DEFAULT_RESTART_TIMEOUT;
  self->latency = DEFAULT_LATENCY;
  self->held_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  self->senders = g_ptr_array_new ();
  for (k = 0; k < N_KINDS; k++) {
    self->offered[k] = g_ptr_array_new ();
    self->src_pads[k] = g_ptr_array_new_with_free_func (pad_unref);
  }
}
