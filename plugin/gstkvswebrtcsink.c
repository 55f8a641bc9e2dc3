/* kvssignaling: kvswebrtcsink, a bin that puts encoded media on a KVS
 * signaling channel, for every viewer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-kvswebrtcsink
 * @title: kvswebrtcsink
 * @see_also: kvswebrtcsrc, kvssignalingsink, kvssignalingsrc, webrtcbin
 *
 * kvswebrtcsink sends encoded media to the viewers of an Amazon Kinesis
 * Video Streams signaling channel: link an encoder to it and every viewer
 * that connects gets the stream, from one pipeline line.
 *
 * As the channel's master (the default role), it gives each viewer its own
 * webrtcbin, created when the viewer's offer arrives and released (set to
 * NULL, unlinked, removed) when its connection fails or closes, or when the
 * viewer offers again from a new peer connection (a reloaded browser page:
 * it then gets a new webrtcbin). Up to #GstKvsWebrtcSink:max-viewers viewers
 * at once (the service allows ten); the offer of one more is refused with a
 * warning on the bus.
 *
 * The media is encoded once, upstream, and fanned out: each request sink
 * pad (`video_%u`, `audio_%u`) feeds a tee, and each viewer gets, per
 * stream, a short leaky queue, a payloader and a sink pad of its webrtcbin.
 * A viewer that stalls loses frames on its own branch; it never stalls the
 * other viewers or the encoder. Each viewer is payloaded with the payload
 * types its offer uses (browsers and AWS's SDKs number the same codec
 * differently: Opus at 111, H.264 at 102 or 125, …); a stream whose codec
 * the offer lacks is not sent to that viewer (with a warning). Each stream
 * of each viewer has a random SSRC chosen before the answer is made, so the
 * answer always names it (`a=ssrc`): browsers, which get no MID header
 * extension from webrtcbin 1.22, find the stream by it.
 *
 * Input: VP8, VP9, H.264 (byte-stream or avc, whole access units) and Opus,
 * or RTP of those for applications that payload themselves (it is
 * depayloaded and payloaded again per viewer).
 *
 * Keyframes: when a viewer's connection is up, and when a viewer asks for
 * one (RTCP PLI/FIR), a force-key-unit event goes upstream to the encoder,
 * at most one per #GstKvsWebrtcSink:min-keyframe-interval: requests within
 * the interval are merged into one sent at its end, so ten viewers joining
 * together cause one or two keyframes, not ten.
 *
 * Media that viewers send back (two-way audio) is dropped inside the bin,
 * or exposed on sometimes pads with #GstKvsWebrtcSink:receive-media=expose.
 * An exposed pad left unlinked drops its data: it never stops the pipeline.
 *
 * With role=viewer the element connects as one viewer and sends its media to
 * the channel's master (one session, one webrtcbin).
 *
 * With #GstKvsWebrtcSink:join-storage-session the master also sends its
 * media to the channel's storage session (WebRTC ingestion: Kinesis Video
 * Streams records it into the stream of the channel's media storage
 * configuration). Once the signaling connection is up, the bin calls
 * JoinStorageSession on the channel's WEBRTC endpoint (from its own thread:
 * no network call blocks the signaling, webrtcbin or streaming threads);
 * the first offer from a new peer after it is the storage peer's, answered
 * like a viewer's. The storage session takes no viewer slot (neither
 * #GstKvsWebrtcSink:max-viewers nor the service's ten). The bin joins
 * again after every reconnect of the signaling connection and when the
 * storage session ends or fails (its connection closes, or it falls silent
 * for #GstKvsWebrtcSink:viewer-timeout), after a backoff (100 ms doubling
 * to 10 s, with jitter); and when no offer comes within 30 s of a join.
 * The service stores H.264 video with Opus audio, both present: other
 * media (VP8 or VP9 only, no audio, ...) end in an error naming what to
 * fix before anything is sent (at the start when upstream already says its
 * codecs, else before the first join). A channel without media storage
 * (the service's InvalidArgumentException), or credentials without the
 * permission, give one warning naming it, and no further join until the
 * next reconnect; the viewers are served all the same. Each step posts an
 * element message `kvswebrtcsink-storage` with `event` (string): "joined"
 * (the service accepted a JoinStorageSession), "offer" (the storage peer
 * offered; `client-id` names it), "ended" (that session ended; `client-id`)
 * or "failed" (no further join until the next reconnect).
 *
 * Every connection property of kvssignalingsink/kvssignalingsrc (channel,
 * region, credentials, endpoint, ca-file, client ids, …) is a property of
 * this bin under the same name; bus messages and errors of the signaling
 * pair inside come out unchanged.
 *
 * ## Example launch line
 *
 * A camera (here a test pattern) for every viewer of channel cam1:
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! vp8enc deadline=1 ! \
 *   kvswebrtcsink channel-name=cam1
 * ]|
 *
 * H.264 with Opus audio:
 * |[
 * gst-launch-1.0 kvswebrtcsink name=s channel-name=cam1 \
 *   videotestsrc is-live=true ! video/x-raw,width=640,height=480 ! \
 *     openh264enc ! s.video_0 \
 *   audiotestsrc is-live=true ! opusenc ! s.audio_0
 * ]|
 *
 * The same, also recorded into the channel's Kinesis video stream (media
 * storage configured for cam1):
 * |[
 * gst-launch-1.0 kvswebrtcsink name=s channel-name=cam1 \
 *     join-storage-session=true \
 *   videotestsrc is-live=true ! video/x-raw,width=640,height=480 ! \
 *     openh264enc ! s.video_0 \
 *   audiotestsrc is-live=true ! opusenc ! s.audio_0
 * ]|
 *
 * Against the local service (tools/kvs-signaling-server), on loopback only:
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! vp8enc deadline=1 ! \
 *   kvswebrtcsink channel-name=cam1 endpoint=http://127.0.0.1:8443 \
 *     aws-region=us-west-2 access-key=AKID secret-key=SECRET \
 *     create-channel=true local-addresses=127.0.0.1
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
#include <gst/video/video.h>
#include <string.h>

#include "gstkvswebrtcsink.h"
#include "gstkvswebrtcviewer.h"
#include "gstkvswebrtccodec.h"
#include "gstkvssignalingelements.h"
#include "gstkvssignalingbase.h"
#include "gstkvsconnection.h"
#include "gstkvsstoragesession.h"

GST_DEBUG_CATEGORY_STATIC (kvs_webrtc_sink_debug);
#define GST_CAT_DEFAULT kvs_webrtc_sink_debug

#define DEFAULT_ROLE GST_KVS_ROLE_MASTER
#define DEFAULT_MAX_VIEWERS GST_KVS_AWS_MAX_VIEWERS
#define MAX_VIEWERS GST_KVS_AWS_MAX_VIEWERS     /* the service's limit */
#define DEFAULT_MIN_KEYFRAME_INTERVAL GST_SECOND
#define DEFAULT_QUEUE_TIME (500 * GST_MSECOND)
#define DEFAULT_RECEIVE_MEDIA GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_DISCARD
#define DEFAULT_VIEWER_TIMEOUT (15 * GST_SECOND)
/* How often viewers are checked for silence. */
#define CHECK_INTERVAL (GST_SECOND / 2)
#define DEFAULT_JOIN_STORAGE_SESSION FALSE

enum
{
  PROP_0,
  PROP_ROLE,
  PROP_MAX_VIEWERS,
  PROP_MIN_KEYFRAME_INTERVAL,
  PROP_QUEUE_TIME,
  PROP_RECEIVE_MEDIA,
  PROP_VIEWER_TIMEOUT,
  PROP_JOIN_STORAGE_SESSION,
  PROP_STATS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_WEBRTCBIN_READY,
  SIGNAL_VIEWER_ADDED,
  SIGNAL_VIEWER_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One input stream: a request sink pad and its tee. */
typedef struct
{
  GstKvsWebrtcSink *sink;       /* not owned */
  gboolean audio;
  GstPad *ghost;                /* the bin's sink pad (ref) */
  GstElement *tee;              /* ref */
  GstElement *depay;            /* ref, RTP input only */
  const GstKvsRtpCodec *codec;  /* sink lock; from the caps */
  /* keyframe requests (sink lock) */
  gint64 last_keyframe;         /* monotonic µs of the last one sent on */
  GstClockID deferred;          /* the merged one, due at the interval's end */
  GThread *forwarding;          /* the thread sending the merged one */
  gboolean eos;                 /* sink lock */
} Stream;

struct _GstKvsWebrtcSink
{
  GstKvsWebrtcBase parent;

  GMutex lock;
  GPtrArray *streams;           /* Stream * */
  guint next_video, next_audio;
  GHashTable *viewers;          /* client id -> GstKvsWebrtcViewer (ref) */
  GHashTable *offers;           /* client id -> GstSDPMessage, until bound */
  GstKvsWebrtcViewer *session;  /* role=viewer: the session with the master */
  guint webrtcbin_seq;
  guint recv_seq;
  guint64 viewers_served, viewers_refused;
  guint64 keyframes_sent, keyframe_requests_merged;
  guint64 viewers_timed_out;
  GstClockID check;             /* periodic, while PAUSED or PLAYING */

  /* the storage session (WebRTC ingestion): made at construction, started
   * from READY→PAUSED to PAUSED→READY with the property */
  GstKvsStorageSession *storage;

  /* properties (lock) */
  guint max_viewers;
  GstClockTime min_keyframe_interval;
  GstClockTime queue_time;
  GstKvsWebrtcSinkReceiveMedia receive_media;
  GstClockTime viewer_timeout;
  gboolean join_storage_session;
};

G_DEFINE_TYPE (GstKvsWebrtcSink, gst_kvs_webrtc_sink, GST_TYPE_KVS_WEBRTC_BASE);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (kvswebrtcsink, "kvswebrtcsink",
    GST_RANK_NONE, GST_TYPE_KVS_WEBRTC_SINK,
    kvs_signaling_element_init (plugin);
    gst_type_mark_as_plugin_api (GST_TYPE_KVS_WEBRTC_SINK_RECEIVE_MEDIA, 0));

GType
gst_kvs_webrtc_sink_receive_media_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    {GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_DISCARD,
        "GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_DISCARD", "discard"},
    {GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_EXPOSE,
        "GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_EXPOSE", "expose"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        g_enum_register_static ("GstKvsWebrtcSinkReceiveMedia", values));
  return type;
}

#define VIDEO_CAPS \
  "video/x-vp8; video/x-vp9; " \
  "video/x-h264, stream-format = (string) { byte-stream, avc }, " \
  "alignment = (string) au; " \
  "application/x-rtp, media = (string) video, " \
  "encoding-name = (string) { VP8, VP9, H264 }"
#define AUDIO_CAPS \
  "audio/x-opus; " \
  "application/x-rtp, media = (string) audio, encoding-name = (string) OPUS"

static GstStaticPadTemplate video_template =
GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS (VIDEO_CAPS));
static GstStaticPadTemplate audio_template =
GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS (AUDIO_CAPS));
static GstStaticPadTemplate recv_video_template =
GST_STATIC_PAD_TEMPLATE ("recv_video_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate recv_audio_template =
GST_STATIC_PAD_TEMPLATE ("recv_audio_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS_ANY);

/* ------------------------------------------------------------------------ */
/* keyframes */

static GstEvent *
new_keyframe_request (void)
{
  return gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
      TRUE, 0);
}

static gboolean
on_deferred_keyframe (GstClock * clock, GstClockTime time, GstClockID id,
    gpointer data)
{
  Stream *stream = data;
  GstKvsWebrtcSink *self = stream->sink;
  GstPad *tee_sink = NULL;

  g_mutex_lock (&self->lock);
  if (stream->deferred == id) {
    gst_clock_id_unref (stream->deferred);
    stream->deferred = NULL;
    stream->forwarding = g_thread_self ();
    tee_sink = gst_element_get_static_pad (stream->tee, "sink");
  }
  g_mutex_unlock (&self->lock);

  if (tee_sink) {
    GST_DEBUG_OBJECT (self, "sending the merged keyframe request");
    gst_pad_push_event (tee_sink, new_keyframe_request ());
    g_mutex_lock (&self->lock);
    stream->forwarding = NULL;
    g_mutex_unlock (&self->lock);
    gst_object_unref (tee_sink);
  }
  return TRUE;
}

/* Upstream events leaving the tee (viewers' PLI/FIR through their
 * payloaders, and ours when a viewer joins): at most one force-key-unit per
 * interval; the ones in between become one at the interval's end. */
static GstPadProbeReturn
limit_keyframe_requests (GstPad * pad, GstPadProbeInfo * info, Stream * stream)
{
  GstKvsWebrtcSink *self = stream->sink;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstClockTime interval;
  gint64 now = g_get_monotonic_time ();
  gboolean pass;

  if (!gst_video_event_is_force_key_unit (event))
    return GST_PAD_PROBE_OK;

  g_mutex_lock (&self->lock);
  interval = self->min_keyframe_interval;
  pass = stream->forwarding == g_thread_self () || interval == 0
      || stream->last_keyframe == 0
      || (GstClockTime) (now - stream->last_keyframe) * GST_USECOND >= interval;
  if (pass) {
    stream->last_keyframe = now;
    self->keyframes_sent++;
  } else {
    self->keyframe_requests_merged++;
    if (stream->deferred == NULL) {
      GstClock *clock = gst_system_clock_obtain ();
      GstClockTime due = gst_clock_get_time (clock) + interval -
          (now - stream->last_keyframe) * GST_USECOND;

      stream->deferred = gst_clock_new_single_shot_id (clock, due);
      gst_clock_id_wait_async (stream->deferred, on_deferred_keyframe,
          stream, NULL);
      gst_object_unref (clock);
    }
  }
  g_mutex_unlock (&self->lock);

  GST_LOG_OBJECT (self, "keyframe request %s", pass ? "sent on" : "merged");
  return pass ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* A keyframe for a viewer that just connected, from every video stream. */
static void
request_keyframes (GstKvsWebrtcSink * self)
{
  GPtrArray *pads = g_ptr_array_new_with_free_func (gst_object_unref);
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; i < self->streams->len; i++) {
    Stream *stream = g_ptr_array_index (self->streams, i);

    if (!stream->audio)
      g_ptr_array_add (pads, gst_element_get_static_pad (stream->tee, "sink"));
  }
  g_mutex_unlock (&self->lock);

  for (i = 0; i < pads->len; i++)
    gst_pad_push_event (g_ptr_array_index (pads, i), new_keyframe_request ());
  g_ptr_array_unref (pads);
}

static void
on_connection_state (GstElement * webrtcbin, GParamSpec * pspec,
    GstKvsWebrtcSink * self)
{
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtcbin, "connection-state", &state, NULL);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    GST_INFO_OBJECT (self, "%s connected: asking for a keyframe",
        GST_OBJECT_NAME (webrtcbin));
    request_keyframes (self);
  }
}

/* ------------------------------------------------------------------------ */
/* input streams */

static const gchar *
media_name (Stream * stream)
{
  return stream->audio ? "audio" : "video";
}

/* RTP in: a depayloader between the pad and the tee, so that each viewer
 * is payloaded with its own payload type. */
static gboolean
insert_depayloader (Stream * stream, const GstKvsRtpCodec * codec)
{
  GstKvsWebrtcSink *self = stream->sink;
  GstElement *depay = gst_element_factory_make (codec->depayloader, NULL);
  GstPad *tee_sink;

  if (depay == NULL) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        ("The depayloader %s is missing (gst-plugins-good).",
            codec->depayloader), (NULL));
    return FALSE;
  }
  gst_bin_add (GST_BIN (self), depay);
  gst_element_sync_state_with_parent (depay);
  gst_ghost_pad_set_target (GST_GHOST_PAD (stream->ghost), NULL);
  tee_sink = gst_element_get_static_pad (stream->tee, "sink");
  gst_element_link (depay, stream->tee);
  gst_object_unref (tee_sink);
  {
    GstPad *depay_sink = gst_element_get_static_pad (depay, "sink");

    gst_ghost_pad_set_target (GST_GHOST_PAD (stream->ghost), depay_sink);
    gst_object_unref (depay_sink);
  }
  g_mutex_lock (&self->lock);
  stream->depay = gst_object_ref (depay);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self, "%s: RTP input, depayloaded by %s",
      GST_PAD_NAME (stream->ghost), codec->depayloader);
  return TRUE;
}

static gboolean
stream_caps (Stream * stream, GstCaps * caps)
{
  GstKvsWebrtcSink *self = stream->sink;
  gboolean is_rtp = FALSE;
  const GstKvsRtpCodec *codec =
      gst_kvs_rtp_codec_sent_from_caps (caps, &is_rtp);
  gboolean have_depay;

  if (codec == NULL || g_strcmp0 (codec->media, media_name (stream)) != 0) {
    g_autofree gchar *str = gst_caps_to_string (caps);

    GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
        ("%s of %s cannot send %s: a %s pad takes %s.",
            GST_PAD_NAME (stream->ghost), GST_OBJECT_NAME (self), str,
            media_name (stream), stream->audio ? "Opus (audio/x-opus) or "
            "its RTP" : "VP8, VP9 or H.264 (video/x-vp8, video/x-vp9, "
            "video/x-h264), or their RTP; encode first (e.g. vp8enc)"),
        ("caps %s", str));
    return FALSE;
  }

  g_mutex_lock (&self->lock);
  if (stream->codec && stream->codec != codec)
    GST_WARNING_OBJECT (self, "%s: codec changed from %s to %s; viewers "
        "already connected keep their payloader", GST_PAD_NAME (stream->ghost),
        stream->codec->name, codec->name);
  stream->codec = codec;
  have_depay = stream->depay != NULL;
  g_mutex_unlock (&self->lock);

  if (is_rtp && !have_depay)
    return insert_depayloader (stream, codec);
  return TRUE;
}

static Stream *
stream_of_pad (GstPad * pad)
{
  return g_object_get_data (G_OBJECT (pad), "kvs-stream");
}

/* EOS on every input: the bin is done (the webrtcbins inside never say
 * so, and there may be none), so that gst-launch-1.0 -e ends. */
static void
stream_eos (Stream * stream, guint32 seqnum)
{
  GstKvsWebrtcSink *self = stream->sink;
  gboolean all = TRUE;
  guint i;

  g_mutex_lock (&self->lock);
  stream->eos = TRUE;
  for (i = 0; i < self->streams->len; i++)
    if (!((Stream *) g_ptr_array_index (self->streams, i))->eos)
      all = FALSE;
  g_mutex_unlock (&self->lock);
  if (all) {
    GstMessage *msg = gst_message_new_eos (GST_OBJECT (self));

    GST_INFO_OBJECT (self, "EOS on every input");
    gst_message_set_seqnum (msg, seqnum);
    gst_element_post_message (GST_ELEMENT (self), msg);
  }
}

static gboolean
stream_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  Stream *stream = stream_of_pad (pad);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
    stream_eos (stream, gst_event_get_seqnum (event));
  else if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    g_mutex_lock (&stream->sink->lock);
    stream->eos = FALSE;
    g_mutex_unlock (&stream->sink->lock);
  }

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    GstCaps *caps;

    gst_event_parse_caps (event, &caps);
    if (!stream_caps (stream, caps)) {
      gst_event_unref (event);
      return FALSE;
    }
  }
  return gst_pad_event_default (pad, parent, event);
}

/* The pad offers what its template says whatever the viewers are (viewers
 * come and go; the encoder should not renegotiate for them). */
static gboolean
stream_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_CAPS:{
      GstCaps *filter, *templ = gst_pad_get_pad_template_caps (pad);
      GstCaps *result;

      gst_query_parse_caps (query, &filter);
      result = filter ? gst_caps_intersect_full (filter, templ,
          GST_CAPS_INTERSECT_FIRST) : gst_caps_ref (templ);
      gst_query_set_caps_result (query, result);
      gst_caps_unref (result);
      gst_caps_unref (templ);
      return TRUE;
    }
    case GST_QUERY_ACCEPT_CAPS:
      /* Anything: caps that do not fit end in a clear error from the
       * CAPS event, not in a bare not-negotiated. */
      gst_query_set_accept_caps_result (query, TRUE);
      return TRUE;
    default:
      return gst_pad_query_default (pad, parent, query);
  }
}

/* The codec of @stream: from its caps, else from what upstream can send. */
static const GstKvsRtpCodec *
stream_dup_codec (Stream * stream)
{
  GstKvsWebrtcSink *self = stream->sink;
  const GstKvsRtpCodec *codec;
  gboolean is_rtp;

  g_mutex_lock (&self->lock);
  codec = stream->codec;
  g_mutex_unlock (&self->lock);
  if (codec == NULL) {
    GstCaps *caps = gst_pad_peer_query_caps (stream->ghost, NULL);

    codec = gst_kvs_rtp_codec_sent_from_caps (caps, &is_rtp);
    gst_caps_unref (caps);
  }
  return codec;
}

static void
stream_free (Stream * stream)
{
  if (stream->deferred) {
    gst_clock_id_unschedule (stream->deferred);
    gst_clock_id_unref (stream->deferred);
  }
  gst_clear_object (&stream->ghost);
  gst_clear_object (&stream->tee);
  gst_clear_object (&stream->depay);
  g_free (stream);
}

static GstPad *
gst_kvs_webrtc_sink_request_new_pad (GstElement * element,
    GstPadTemplate * templ, const gchar * name, const GstCaps * caps)
{
  GstKvsWebrtcSink *self = GST_KVS_WEBRTC_SINK (element);
  gboolean audio = templ->name_template[0] == 'a';
  g_autofree gchar *pad_name = NULL;
  GstPad *tee_sink, *existing;
  Stream *stream;
  guint index;

  if (name) {
    const gchar *digits = name + (audio ? 6 : 6);

    if (!g_str_has_prefix (name, audio ? "audio_" : "video_") || !*digits
        || !g_ascii_isdigit (*digits)) {
      GST_ELEMENT_ERROR (self, CORE, PAD, ("No pad named '%s': the sink pads "
              "of %s are video_%%u and audio_%%u.", name,
              GST_OBJECT_NAME (self)), (NULL));
      return NULL;
    }
    index = (guint) g_ascii_strtoull (digits, NULL, 10);
  } else {
    g_mutex_lock (&self->lock);
    index = audio ? self->next_audio : self->next_video;
    g_mutex_unlock (&self->lock);
  }
  pad_name = g_strdup_printf ("%s_%u", audio ? "audio" : "video", index);
  existing = gst_element_get_static_pad (element, pad_name);
  if (existing) {
    gst_object_unref (existing);
    GST_ELEMENT_ERROR (self, CORE, PAD, ("%s already has a pad %s.",
            GST_OBJECT_NAME (self), pad_name), (NULL));
    return NULL;
  }
  if (gst_kvs_webrtc_base_get_role (GST_KVS_WEBRTC_BASE (self)) ==
      GST_KVS_ROLE_VIEWER && GST_STATE (self) > GST_STATE_NULL)
    GST_ELEMENT_WARNING (self, CORE, PAD, ("%s: pad %s requested while "
            "running as a viewer: the session with the master already has "
            "its streams; this one is sent from the next start.",
            GST_OBJECT_NAME (self), pad_name), (NULL));

  stream = g_new0 (Stream, 1);
  stream->sink = self;
  stream->audio = audio;
  stream->tee = gst_element_factory_make ("tee", NULL);
  gst_object_ref_sink (stream->tee);
  g_object_set (stream->tee, "allow-not-linked", TRUE, NULL);
  gst_bin_add (GST_BIN (self), stream->tee);

  tee_sink = gst_element_get_static_pad (stream->tee, "sink");
  stream->ghost = gst_ghost_pad_new_from_template (pad_name, tee_sink, templ);
  gst_object_ref_sink (stream->ghost);
  gst_object_unref (tee_sink);
  g_object_set_data (G_OBJECT (stream->ghost), "kvs-stream", stream);
  gst_pad_set_event_function (stream->ghost, stream_event);
  gst_pad_set_query_function (stream->ghost, stream_query);

  tee_sink = gst_element_get_static_pad (stream->tee, "sink");
  gst_pad_add_probe (tee_sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      (GstPadProbeCallback) limit_keyframe_requests, stream, NULL);
  gst_object_unref (tee_sink);

  gst_element_sync_state_with_parent (stream->tee);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->streams, stream);
  if (audio)
    self->next_audio = MAX (self->next_audio, index + 1);
  else
    self->next_video = MAX (self->next_video, index + 1);
  g_mutex_unlock (&self->lock);

  gst_pad_set_active (stream->ghost, TRUE);
  gst_element_add_pad (element, stream->ghost);
  GST_INFO_OBJECT (self, "new stream %s", pad_name);
  return stream->ghost;
}

static void
remove_child (GstKvsWebrtcSink * self, GstElement * element)
{
  gst_element_set_state (element, GST_STATE_NULL);
  /* at dispose the bin has already removed its children */
  if (GST_OBJECT_PARENT (element) == GST_OBJECT_CAST (self))
    gst_bin_remove (GST_BIN (self), element);
}

static void
gst_kvs_webrtc_sink_release_pad (GstElement * element, GstPad * pad)
{
  GstKvsWebrtcSink *self = GST_KVS_WEBRTC_SINK (element);
  Stream *stream = stream_of_pad (pad);

  if (stream == NULL)
    return;
  g_mutex_lock (&self->lock);
  g_ptr_array_remove (self->streams, stream);
  g_mutex_unlock (&self->lock);

  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
  remove_child (self, stream->tee);
  if (stream->depay)
    remove_child (self, stream->depay);
  stream_free (stream);
}

/* ------------------------------------------------------------------------ */
/* media viewers send back */

/* Drops what an exposed pad nobody linked carries (no not-linked error). */
static GstPadProbeReturn
drop_unlinked (GstPad * pad, GstPadProbeInfo * info, GstPad * ghost)
{
  return gst_pad_is_linked (ghost) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

static void
expose_received (GstKvsWebrtcSink * self, GstKvsWebrtcViewer * viewer,
    GstPad * pad)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const GstKvsRtpCodec *codec;
  GstElement *depay = NULL;
  GstPad *target, *ghost;
  GstPadTemplate *templ;
  gboolean audio, is_rtp;
  gchar *name;
  guint n;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  codec = gst_kvs_rtp_codec_sent_from_caps (caps, &is_rtp);
  if (!is_rtp)
    codec = NULL;
  audio = codec ? g_str_equal (codec->media, "audio") :
      gst_structure_has_field_typed (gst_caps_get_structure (caps, 0),
      "media", G_TYPE_STRING)
      && g_strcmp0 (gst_structure_get_string (gst_caps_get_structure (caps,
              0), "media"), "audio") == 0;
  gst_caps_unref (caps);

  if (codec)
    depay = gst_element_factory_make (codec->depayloader, NULL);
  if (depay) {
    gst_bin_add (GST_BIN (self), depay);
    gst_kvs_webrtc_viewer_own_element (viewer, depay);
    gst_element_sync_state_with_parent (depay);
    target = gst_element_get_static_pad (depay, "sink");
    gst_pad_link (pad, target);
    gst_object_unref (target);
    target = gst_element_get_static_pad (depay, "src");
  } else {
    target = gst_object_ref (pad);
  }

  g_mutex_lock (&self->lock);
  n = self->recv_seq++;
  g_mutex_unlock (&self->lock);
  templ = gst_static_pad_template_get (audio ? &recv_audio_template :
      &recv_video_template);
  name = g_strdup_printf (audio ? "recv_audio_%u" : "recv_video_%u", n);
  ghost = gst_ghost_pad_new_from_template (name, target, templ);
  g_free (name);
  gst_object_unref (templ);
  gst_pad_add_probe (target, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, (GstPadProbeCallback) drop_unlinked,
      ghost, NULL);
  gst_object_unref (target);
  gst_pad_set_active (ghost, TRUE);
  gst_kvs_webrtc_viewer_own_pad (viewer, ghost);
  gst_element_add_pad (GST_ELEMENT (self), ghost);
}

static void
discard_received (GstKvsWebrtcSink * self, GstKvsWebrtcViewer * viewer,
    GstPad * pad)
{
  GstElement *fakesink = gst_element_factory_make ("fakesink", NULL);
  GstPad *sinkpad;

  g_object_set (fakesink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (self), fakesink);
  gst_kvs_webrtc_viewer_own_element (viewer, fakesink);
  gst_element_sync_state_with_parent (fakesink);
  sinkpad = gst_element_get_static_pad (fakesink, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static void
on_received (GstKvsWebrtcViewer * viewer, GstPad * pad, gpointer data)
{
  GstKvsWebrtcSink *self = data;
  GstKvsWebrtcSinkReceiveMedia mode;

  g_mutex_lock (&self->lock);
  mode = self->receive_media;
  g_mutex_unlock (&self->lock);
  if (mode == GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_EXPOSE)
    expose_received (self, viewer, pad);
  else
    discard_received (self, viewer, pad);
}

/* ------------------------------------------------------------------------ */
/* viewers */

static GstKvsWebrtcViewer *steal_viewer (GstKvsWebrtcSink * self,
    const gchar * client_id);
static GstKvsConnection *dup_connection (GstKvsWebrtcSink * self);
static void release_viewer (GstKvsWebrtcSink * self,
    GstKvsWebrtcViewer * viewer);

static gchar *
next_webrtcbin_name (GstKvsWebrtcSink * self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->webrtcbin_seq++;
  g_mutex_unlock (&self->lock);
  return g_strdup_printf ("webrtcbin%u", n);
}

static GPtrArray *
dup_streams (GstKvsWebrtcSink * self)
{
  GPtrArray *streams = g_ptr_array_new ();
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; i < self->streams->len; i++)
    g_ptr_array_add (streams, g_ptr_array_index (self->streams, i));
  g_mutex_unlock (&self->lock);
  return streams;
}

/* Whether @offer has an m-line of @media ("video", "audio"). */
static gboolean
offer_has_media (const GstSDPMessage * offer, const gchar * media)
{
  guint i;

  for (i = 0; offer && i < gst_sdp_message_medias_len (offer); i++)
    if (g_strcmp0 (gst_sdp_media_get_media (gst_sdp_message_get_media (offer,
                    i)), media) == 0)
      return TRUE;
  return FALSE;
}

/* A viewer for @client_id with the payload types of its @offer (NULL: ours,
 * as the offerer). NULL after a warning when nothing can be sent. */
static GstKvsWebrtcViewer *
make_viewer (GstKvsWebrtcSink * self, const gchar * client_id,
    const GstSDPMessage * offer)
{
  g_autofree gchar *name = next_webrtcbin_name (self);
  g_autoptr (GPtrArray) streams = dup_streams (self);
  g_autoptr (GString) skipped = g_string_new (NULL);
  GstKvsWebrtcViewer *viewer;
  GstClockTime queue_time;
  guint64 taken = 0;
  guint i;

  g_mutex_lock (&self->lock);
  queue_time = self->queue_time;
  g_mutex_unlock (&self->lock);

  viewer = gst_kvs_webrtc_viewer_new (GST_BIN (self), client_id, name,
      on_received, self);
  g_signal_connect_object (gst_kvs_webrtc_viewer_get_webrtcbin (viewer),
      "notify::connection-state", G_CALLBACK (on_connection_state), self, 0);

  for (i = 0; i < streams->len; i++) {
    Stream *stream = g_ptr_array_index (streams, i);
    const GstKvsRtpCodec *codec = stream_dup_codec (stream);
    g_autoptr (GError) err = NULL;
    gint pt;

    if (codec == NULL) {
      g_string_append_printf (skipped, "%s%s (its codec is not known yet)",
          skipped->len ? ", " : "", GST_PAD_NAME (stream->ghost));
      continue;
    }
    pt = offer ? gst_kvs_codec_offered_pt (offer, codec, &taken) :
        codec->default_pt;
    if (pt < 0 && offer && !offer_has_media (offer, codec->media)) {
      /* the viewer asked for no media of that kind: nothing to warn about */
      GST_INFO_OBJECT (self, "%s: no %s in the offer of %s",
          GST_PAD_NAME (stream->ghost), codec->media, GST_STR_NULL (client_id));
      continue;
    }
    if (pt < 0) {
      g_string_append_printf (skipped, "%s%s (the offer has no %s/%d)",
          skipped->len ? ", " : "", GST_PAD_NAME (stream->ghost),
          codec->name, codec->clock_rate);
      continue;
    }
    if (!gst_kvs_webrtc_viewer_add_stream (viewer, stream->tee, codec, pt,
            queue_time, &err))
      g_string_append_printf (skipped, "%s%s (%s)", skipped->len ? ", " : "",
          GST_PAD_NAME (stream->ghost), err->message);
  }

  if (skipped->len)
    GST_ELEMENT_WARNING (self, STREAM, CODEC_NOT_FOUND,
        ("Not sending %s to %s.", skipped->str, client_id ?
            client_id : "the master"), (NULL));
  if (gst_kvs_webrtc_viewer_get_n_streams (viewer) == 0) {
    GST_ELEMENT_WARNING (self, STREAM, CODEC_NOT_FOUND,
        ("Nothing to send to %s: refusing it.", client_id ?
            client_id : "the master"), ("%u streams", streams->len));
    gst_kvs_webrtc_viewer_teardown (viewer);
    g_object_unref (viewer);
    return NULL;
  }
  return viewer;
}

/* The signaling client's thread. */
static void
on_offer_received (GstElement * src, const gchar * client_id,
    GstWebRTCSessionDescription * offer, GstKvsWebrtcSink * self)
{
  g_autofree gchar *previous = NULL;
  GstSDPMessage *copy = NULL;
  GstKvsWebrtcViewer *old;
  gboolean known;

  if (client_id == NULL || offer == NULL || offer->sdp == NULL)
    return;
  g_mutex_lock (&self->lock);
  known = g_hash_table_contains (self->viewers, client_id);
  g_mutex_unlock (&self->lock);
  /* before the offer is bound: the storage peer takes no viewer slot */
  if (gst_kvs_storage_session_offer_seen (self->storage, client_id, known,
          &previous) && (old = steal_viewer (self, previous)))
    release_viewer (self, old); /* the previous storage session */
  gst_sdp_message_copy (offer->sdp, &copy);
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->offers, g_strdup (client_id), copy);
  g_mutex_unlock (&self->lock);
}

static GstElement *
on_request_webrtcbin (GstElement * src, const gchar * client_id,
    GstKvsWebrtcSink * self)
{
  g_autofree gchar *storage_id =
      gst_kvs_storage_session_dup_peer (self->storage);
  GstSDPMessage *offer = NULL;
  GstKvsWebrtcViewer *viewer, *old;
  GstElement *webrtcbin;
  gpointer key = NULL;
  gboolean storage;
  guint n, max;

  g_mutex_lock (&self->lock);
  if (g_hash_table_steal_extended (self->offers, client_id, &key,
          (gpointer *) & offer))
    g_free (key);
  /* the storage session is no viewer: it takes no slot */
  storage = g_strcmp0 (client_id, storage_id) == 0;
  n = g_hash_table_size (self->viewers);
  if (storage_id && g_hash_table_contains (self->viewers, storage_id))
    n--;
  max = self->max_viewers;
  if (n >= max && !storage)
    self->viewers_refused++;
  g_mutex_unlock (&self->lock);

  if (n >= max && !storage) {
    g_autoptr (GstKvsConnection) connection =
        gst_kvs_signaling_base_dup_connection (GST_KVS_SIGNALING_BASE (src));
    g_autofree gchar *why = g_strdup_printf ("already serving "
        "max-viewers=%u viewers", max);

    /* the connection posts the one warning about it, with this reason */
    if (connection)
      gst_kvs_connection_refuse_viewer (connection, why);
    g_clear_pointer (&offer, gst_sdp_message_free);
    return NULL;
  }
  if (offer == NULL) {
    GST_WARNING_OBJECT (self, "no offer seen from %s", client_id);
    return NULL;
  }

  viewer = make_viewer (self, client_id, offer);
  gst_sdp_message_free (offer);
  if (viewer == NULL)
    return NULL;
  webrtcbin = gst_kvs_webrtc_viewer_get_webrtcbin (viewer);

  g_mutex_lock (&self->lock);
  old = g_hash_table_lookup (self->viewers, client_id);
  if (old)
    g_object_ref (old);
  g_hash_table_insert (self->viewers, g_strdup (client_id), viewer);
  self->viewers_served++;
  g_mutex_unlock (&self->lock);
  if (old) {
    /* Not expected: the connection removes a viewer before asking again. */
    GST_WARNING_OBJECT (self, "viewer %s still had a webrtcbin", client_id);
    gst_kvs_webrtc_viewer_teardown (old);
    g_object_unref (old);
  }

  GST_INFO_OBJECT (self, "viewer %s: %" GST_PTR_FORMAT " with %u streams",
      client_id, webrtcbin, gst_kvs_webrtc_viewer_get_n_streams (viewer));
  g_signal_emit (self, signals[SIGNAL_WEBRTCBIN_READY], 0, client_id,
      webrtcbin);
  gst_kvs_webrtc_viewer_start (viewer);
  return gst_object_ref (webrtcbin);
}

static void
on_peer_added (GstElement * src, const gchar * client_id,
    GstKvsWebrtcSink * self)
{
  GstKvsWebrtcViewer *viewer;

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->offers, client_id);
  viewer = client_id ? g_hash_table_lookup (self->viewers, client_id) : NULL;
  if (viewer)
    g_object_ref (viewer);
  g_mutex_unlock (&self->lock);
  if (viewer == NULL)
    return;
  g_signal_emit (self, signals[SIGNAL_VIEWER_ADDED], 0, client_id,
      gst_kvs_webrtc_viewer_get_webrtcbin (viewer));
  g_object_unref (viewer);
}

static void
teardown_async (GstElement * element, gpointer data)
{
  GstKvsWebrtcViewer *viewer = data;

  gst_kvs_webrtc_viewer_teardown (viewer);
  GST_INFO_OBJECT (element, "viewer %s released",
      gst_kvs_webrtc_viewer_get_client_id (viewer));
}

/* On the client's thread (a viewer that offers again) or webrtcbin's (its
 * connection failed or closed): forgotten at once, so that a new webrtcbin
 * for the same client id is never confused with it, and torn down from a
 * thread that may change the pipeline. */
static void
on_peer_removed (GstElement * src, const gchar * client_id,
    GstKvsWebrtcSink * self)
{
  GstKvsWebrtcViewer *viewer = NULL;
  gpointer key = NULL;

  if (client_id == NULL)
    return;
  g_mutex_lock (&self->lock);
  if (g_hash_table_steal_extended (self->viewers, client_id, &key,
          (gpointer *) & viewer))
    g_free (key);
  g_mutex_unlock (&self->lock);
  if (viewer == NULL)
    return;
  GST_INFO_OBJECT (self, "viewer %s left", client_id);
  g_signal_emit (self, signals[SIGNAL_VIEWER_REMOVED], 0, client_id,
      gst_kvs_webrtc_viewer_get_webrtcbin (viewer));
  gst_element_call_async (GST_ELEMENT (self), teardown_async, viewer,
      g_object_unref);
  gst_kvs_storage_session_peer_ended (self->storage, client_id);
}

/* A viewer silent for viewer-timeout is gone (killed, unplugged, or
 * stopped without a word: webrtcbin says nothing when it stops): its
 * session is dropped from the connection and its branch torn down. */
/* @viewer, no longer in the table, is dropped from the connection and torn
 * down from another thread (takes the reference). */
static void
release_viewer (GstKvsWebrtcSink * self, GstKvsWebrtcViewer * viewer)
{
  GstKvsConnection *connection = dup_connection (self);
  const gchar *client_id = gst_kvs_webrtc_viewer_get_client_id (viewer);
  GstElement *webrtcbin = gst_kvs_webrtc_viewer_get_webrtcbin (viewer);

  g_signal_emit (self, signals[SIGNAL_VIEWER_REMOVED], 0, client_id, webrtcbin);
  if (connection) {
    gst_kvs_connection_remove_webrtcbin (connection, webrtcbin);
    g_object_unref (connection);
  }
  gst_element_call_async (GST_ELEMENT (self), teardown_async, viewer,
      g_object_unref);
}

static void
expire_viewer (GstKvsWebrtcSink * self, GstKvsWebrtcViewer * viewer)
{
  g_autofree gchar *client_id =
      g_strdup (gst_kvs_webrtc_viewer_get_client_id (viewer));

  GST_INFO_OBJECT (self, "viewer %s silent for %" GST_TIME_FORMAT
      ": gone", client_id,
      GST_TIME_ARGS (gst_kvs_webrtc_viewer_get_silence (viewer)));
  release_viewer (self, viewer);
  gst_kvs_storage_session_peer_ended (self->storage, client_id);
}

static gboolean
check_viewers (GstClock * clock, GstClockTime time, GstClockID id,
    gpointer data)
{
  GstKvsWebrtcSink *self = data;
  GPtrArray *silent = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  g_mutex_lock (&self->lock);
  if (self->viewer_timeout > 0) {
    g_hash_table_iter_init (&iter, self->viewers);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      if (gst_kvs_webrtc_viewer_get_silence (value) <= self->viewer_timeout)
        continue;
      g_ptr_array_add (silent, value);
      g_hash_table_iter_steal (&iter);
      g_free (key);
      self->viewers_timed_out++;
    }
  }
  g_mutex_unlock (&self->lock);

  for (i = 0; i < silent->len; i++)
    expire_viewer (self, g_ptr_array_index (silent, i));
  g_ptr_array_free (silent, TRUE);
  return TRUE;
}

static void
start_checks (GstKvsWebrtcSink * self)
{
  GstClock *clock = gst_system_clock_obtain ();
  GstClockID id = gst_clock_new_periodic_id (clock,
      gst_clock_get_time (clock) + CHECK_INTERVAL, CHECK_INTERVAL);

  gst_clock_id_wait_async (id, check_viewers, gst_object_ref (self),
      gst_object_unref);
  g_mutex_lock (&self->lock);
  if (self->check)
    gst_clock_id_unref (self->check);
  self->check = id;
  g_mutex_unlock (&self->lock);
  gst_object_unref (clock);
}

static void
stop_checks (GstKvsWebrtcSink * self)
{
  GstClockID id;

  g_mutex_lock (&self->lock);
  id = self->check;
  self->check = NULL;
  g_mutex_unlock (&self->lock);
  if (id) {
    gst_clock_id_unschedule (id);
    gst_clock_id_unref (id);
  }
}

static void
remove_all_viewers (GstKvsWebrtcSink * self)
{
  GList *viewers, *l;

  g_mutex_lock (&self->lock);
  viewers = g_hash_table_get_values (self->viewers);
  for (l = viewers; l; l = l->next)
    g_object_ref (l->data);
  g_hash_table_remove_all (self->viewers);
  g_hash_table_remove_all (self->offers);
  g_mutex_unlock (&self->lock);

  for (l = viewers; l; l = l->next) {
    gst_kvs_webrtc_viewer_teardown (l->data);
    g_object_unref (l->data);
  }
  if (viewers)
    g_list_free (viewers);
}

/* ------------------------------------------------------------------------ */
/* the storage session (join-storage-session): GstKvsStorageSession decides
 * when to join and which peer is the storage peer; the bin serves that peer
 * like a viewer (without a slot) and ends its sessions */

static GstKvsConnection *
dup_connection (GstKvsWebrtcSink * self)
{
  return gst_kvs_signaling_base_dup_connection (GST_KVS_SIGNALING_BASE
      (gst_kvs_webrtc_base_get_signaling_src (GST_KVS_WEBRTC_BASE (self))));
}

/* The codec of @stream from its caps, else from what upstream can send when
 * that is one kind of media only (an upstream that could send several
 * decides with its caps). */
static const GstKvsRtpCodec *
storage_stream_codec (Stream * stream)
{
  GstKvsWebrtcSink *self = stream->sink;
  const GstKvsRtpCodec *codec;
  gboolean is_rtp;
  GstCaps *caps;

  g_mutex_lock (&self->lock);
  codec = stream->codec;
  g_mutex_unlock (&self->lock);
  if (codec)
    return codec;
  caps = gst_pad_peer_query_caps (stream->ghost, NULL);
  if (caps && gst_caps_get_size (caps) == 1 && !gst_caps_is_any (caps))
    codec = gst_kvs_rtp_codec_sent_from_caps (caps, &is_rtp);
  gst_clear_caps (&caps);
  return codec;
}

/* Why the media cannot be stored (KVS stores H.264 video with Opus audio,
 * both present), or NULL: then *@unknown when an input's codec is not
 * known yet (no caps, nothing upstream says). */
static gchar *
storage_media_problem (GstKvsWebrtcSink * self, gboolean * unknown)
{
  g_autoptr (GPtrArray) streams = dup_streams (self);
  g_autoptr (GString) problems = g_string_new (NULL);
  gboolean h264 = FALSE, opus = FALSE, video_unknown = FALSE;
  gboolean audio_unknown = FALSE, any_video = FALSE, any_audio = FALSE;
  g_autoptr (GString) other_video = g_string_new (NULL);
  g_autoptr (GString) other_audio = g_string_new (NULL);
  guint i;

  *unknown = FALSE;
  for (i = 0; i < streams->len; i++) {
    Stream *stream = g_ptr_array_index (streams, i);
    const GstKvsRtpCodec *codec = storage_stream_codec (stream);
    GString *other = stream->audio ? other_audio : other_video;

    if (stream->audio)
      any_audio = TRUE;
    else
      any_video = TRUE;
    if (codec == NULL) {
      if (stream->audio)
        audio_unknown = TRUE;
      else
        video_unknown = TRUE;
    } else if (stream->audio ? g_str_equal (codec->name, "OPUS") :
        g_str_equal (codec->name, "H264")) {
      if (stream->audio)
        opus = TRUE;
      else
        h264 = TRUE;
    } else {
      g_string_append_printf (other, "%s%s sends %s", other->len ? ", " : "",
          GST_PAD_NAME (stream->ghost), codec->name);
    }
  }

  if (!h264 && !video_unknown) {
    if (!any_video)
      g_string_append (problems, "there is no video input (no video_%u pad)");
    else
      g_string_append_printf (problems, "no video input is H.264 (%s)",
          other_video->str);
  }
  if (!opus && !audio_unknown) {
    if (problems->len)
      g_string_append (problems, "; ");
    if (!any_audio)
      g_string_append (problems, "there is no audio input (no audio_%u pad)");
    else
      g_string_append_printf (problems, "no audio input is Opus (%s)",
          other_audio->str);
  }
  if (problems->len)
    return g_string_free (g_steal_pointer (&problems), FALSE);
  *unknown = !(h264 && opus);
  return NULL;
}

/* FALSE after an error on the bus when the media cannot be stored. */
static gboolean
storage_check_media (GstKvsWebrtcSink * self, gboolean * unknown)
{
  g_autofree gchar *problem = storage_media_problem (self, unknown);

  if (problem == NULL)
    return TRUE;
  GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
      ("%s cannot join the storage session (join-storage-session=true): "
          "Kinesis Video Streams stores H.264 video with Opus audio, both "
          "present, and %s. Link H.264 video (e.g. x264enc, openh264enc) to "
          "a video_%%u pad and Opus audio (opusenc) to an audio_%%u pad, or "
          "set join-storage-session=false.", GST_OBJECT_NAME (self),
          problem), ("nothing was sent to the storage session"));
  return FALSE;
}

/* The storage session's check before each join (GstKvsStorageCheckMedia). */
static GstKvsStorageMedia
storage_media (GstElement * element)
{
  gboolean unknown = FALSE;

  if (!storage_check_media (GST_KVS_WEBRTC_SINK (element), &unknown))
    return GST_KVS_STORAGE_MEDIA_UNFIT;
  return unknown ? GST_KVS_STORAGE_MEDIA_UNKNOWN : GST_KVS_STORAGE_MEDIA_OK;
}

/* The viewer serving @client_id, out of the table (transfer full), or
 * NULL. */
static GstKvsWebrtcViewer *
steal_viewer (GstKvsWebrtcSink * self, const gchar * client_id)
{
  GstKvsWebrtcViewer *viewer = NULL;
  gpointer key = NULL;

  if (client_id == NULL)
    return NULL;
  g_mutex_lock (&self->lock);
  if (g_hash_table_steal_extended (self->viewers, client_id, &key,
          (gpointer *) & viewer))
    g_free (key);
  g_mutex_unlock (&self->lock);
  return viewer;
}

/* The signaling client's thread: the signaling connection is up again (or
 * for the first time): the service ended the storage session of the
 * previous one; join again. */
static void
on_signaling_state (GstElement * src, GParamSpec * pspec,
    GstKvsWebrtcSink * self)
{
  GstKvsSignalingState state;
  g_autofree gchar *previous = NULL;
  GstKvsWebrtcViewer *old;

  g_object_get (src, "state", &state, NULL);
  if (state != GST_KVS_SIGNALING_STATE_CONNECTED)
    return;
  previous = gst_kvs_storage_session_connected (self->storage);
  old = steal_viewer (self, previous);
  if (old)
    release_viewer (self, old);
}

/* READY→PAUSED, once the src has its connection. */
static void
storage_start (GstKvsWebrtcSink * self)
{
  g_autoptr (GstKvsConnection) connection = dup_connection (self);

  if (connection == NULL) {
    GST_WARNING_OBJECT (self, "no signaling connection: no storage session");
    return;
  }
  gst_kvs_storage_session_start (self->storage, connection);
}

/* PAUSED→READY (the signaling connection stops) and dispose. */
static void
storage_stop (GstKvsWebrtcSink * self)
{
  g_autofree gchar *peer = gst_kvs_storage_session_stop (self->storage);
  GstKvsWebrtcViewer *viewer = steal_viewer (self, peer);

  if (viewer) {
    gst_kvs_webrtc_viewer_teardown (viewer);
    g_object_unref (viewer);
  }
}

/* ------------------------------------------------------------------------ */
/* role=viewer: one session with the master */

static gboolean
start_session (GstKvsWebrtcSink * self)
{
  GstKvsWebrtcViewer *session;
  GstElement *webrtcbin;

  session = make_viewer (self, NULL, NULL);
  if (session == NULL) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("%s has nothing to send to "
            "the master: link encoded video or audio to its pads.",
            GST_OBJECT_NAME (self)), (NULL));
    return FALSE;
  }
  webrtcbin = gst_kvs_webrtc_viewer_get_webrtcbin (session);
  g_object_set (gst_kvs_webrtc_base_get_signaling_src (GST_KVS_WEBRTC_BASE
          (self)), "webrtcbin", webrtcbin, NULL);
  g_object_set (gst_kvs_webrtc_base_get_signaling_sink (GST_KVS_WEBRTC_BASE
          (self)), "webrtcbin", webrtcbin, NULL);
  g_signal_emit (self, signals[SIGNAL_WEBRTCBIN_READY], 0, NULL, webrtcbin);
  /* the bin starts the webrtcbin and the branches with itself */
  gst_kvs_webrtc_viewer_start (session);
  g_mutex_lock (&self->lock);
  self->session = session;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static void
stop_session (GstKvsWebrtcSink * self)
{
  GstKvsWebrtcViewer *session;

  g_mutex_lock (&self->lock);
  session = self->session;
  self->session = NULL;
  g_mutex_unlock (&self->lock);
  if (session == NULL)
    return;
  g_object_set (gst_kvs_webrtc_base_get_signaling_src (GST_KVS_WEBRTC_BASE
          (self)), "webrtcbin", NULL, NULL);
  g_object_set (gst_kvs_webrtc_base_get_signaling_sink (GST_KVS_WEBRTC_BASE
          (self)), "webrtcbin", NULL, NULL);
  gst_kvs_webrtc_viewer_teardown (session);
  g_object_unref (session);
}

/* ------------------------------------------------------------------------ */
/* life cycle */

/* The bin posts its own EOS (stream_eos()): the EOS of its children
 * would end it early or twice. */
static void
gst_kvs_webrtc_sink_handle_message (GstBin * bin, GstMessage * message)
{
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS
      && GST_MESSAGE_SRC (message) != GST_OBJECT_CAST (bin)) {
    gst_message_unref (message);
    return;
  }
  GST_BIN_CLASS (gst_kvs_webrtc_sink_parent_class)->handle_message (bin,
      message);
}

/* A sink, even between viewers: GstBin unsets the flag when its last sink
 * child (a viewer's webrtcbin) goes, and a pipeline only waits for the EOS
 * of its sinks. */
static gboolean
gst_kvs_webrtc_sink_remove_element (GstBin * bin, GstElement * element)
{
  gboolean ret =
      GST_BIN_CLASS (gst_kvs_webrtc_sink_parent_class)->remove_element (bin,
      element);

  GST_OBJECT_FLAG_SET (bin, GST_ELEMENT_FLAG_SINK);
  return ret;
}

static void
reset_eos (GstKvsWebrtcSink * self)
{
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; i < self->streams->len; i++)
    ((Stream *) g_ptr_array_index (self->streams, i))->eos = FALSE;
  g_mutex_unlock (&self->lock);
}

static GstStateChangeReturn
gst_kvs_webrtc_sink_change_state (GstElement * element,
    GstStateChange transition)
{
  GstKvsWebrtcSink *self = GST_KVS_WEBRTC_SINK (element);
  GstKvsRole role = gst_kvs_webrtc_base_get_role (GST_KVS_WEBRTC_BASE (self));
  gboolean join_storage = FALSE, unknown = FALSE;
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY) {
    guint n;

    g_mutex_lock (&self->lock);
    n = self->streams->len;
    g_mutex_unlock (&self->lock);
    if (n == 0)
      GST_ELEMENT_WARNING (self, CORE, PAD, ("%s has no input: link encoded "
              "media to its video_%%u or audio_%%u pads.",
              GST_OBJECT_NAME (self)), (NULL));
    g_mutex_lock (&self->lock);
    join_storage = self->join_storage_session && role == GST_KVS_ROLE_MASTER;
    g_mutex_unlock (&self->lock);
    /* what KVS cannot store fails before anything is sent */
    if (join_storage && !storage_check_media (self, &unknown))
      return GST_STATE_CHANGE_FAILURE;
    if (role == GST_KVS_ROLE_VIEWER && !start_session (self))
      return GST_STATE_CHANGE_FAILURE;
  }

  ret = GST_ELEMENT_CLASS (gst_kvs_webrtc_sink_parent_class)->change_state
      (element, transition);

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (ret == GST_STATE_CHANGE_FAILURE)
        stop_session (self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (ret != GST_STATE_CHANGE_FAILURE && role == GST_KVS_ROLE_MASTER)
        start_checks (self);
      g_mutex_lock (&self->lock);
      join_storage = self->join_storage_session && role == GST_KVS_ROLE_MASTER;
      g_mutex_unlock (&self->lock);
      /* the signaling connection is the src's from here */
      if (ret != GST_STATE_CHANGE_FAILURE && join_storage)
        storage_start (self);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      stop_checks (self);
      storage_stop (self);
      remove_all_viewers (self);
      reset_eos (self);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      storage_stop (self);
      remove_all_viewers (self);
      stop_session (self);
      break;
    default:
      break;
  }
  return ret;
}

/* ------------------------------------------------------------------------ */
/* properties */

static GstStructure *
dup_stats (GstKvsWebrtcSink * self)
{
  GstElement *src = gst_kvs_webrtc_base_get_signaling_src (GST_KVS_WEBRTC_BASE
      (self));
  g_autofree gchar *storage_id =
      gst_kvs_storage_session_dup_peer (self->storage);
  GstStructure *s, *signaling = NULL;
  GValue list = G_VALUE_INIT;
  GList *viewers, *l;
  guint64 storage_joins, storage_sessions;

  gst_kvs_storage_session_get_counts (self->storage, &storage_joins,
      &storage_sessions);
  g_mutex_lock (&self->lock);
  viewers = g_hash_table_get_values (self->viewers);
  if (self->session)
    viewers = g_list_prepend (viewers, self->session);
  for (l = viewers; l; l = l->next)
    g_object_ref (l->data);
  s = gst_structure_new ("application/x-kvs-webrtcsink-stats",
      "viewers", G_TYPE_UINT, g_hash_table_size (self->viewers) -
      (storage_id && g_hash_table_contains (self->viewers,
              storage_id) ? 1 : 0),
      "storage-joins", G_TYPE_UINT64, storage_joins,
      "storage-sessions", G_TYPE_UINT64, storage_sessions,
      "viewers-served", G_TYPE_UINT64, self->viewers_served,
      "viewers-refused", G_TYPE_UINT64, self->viewers_refused,
      "viewers-timed-out", G_TYPE_UINT64, self->viewers_timed_out,
      "keyframes-requested", G_TYPE_UINT64, self->keyframes_sent,
      "keyframe-requests-merged", G_TYPE_UINT64,
      self->keyframe_requests_merged, NULL);
  g_mutex_unlock (&self->lock);

  g_value_init (&list, GST_TYPE_ARRAY);
  for (l = viewers; l; l = l->next) {
    GValue v = G_VALUE_INIT;

    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, gst_kvs_webrtc_viewer_dup_stats (l->data));
    gst_value_array_append_and_take_value (&list, &v);
  }
  g_list_free_full (viewers, g_object_unref);
  gst_structure_take_value (s, "viewer-stats", &list);

  g_object_get (src, "stats", &signaling, NULL);
  if (signaling) {
    gst_structure_set (s, "signaling", GST_TYPE_STRUCTURE, signaling, NULL);
    gst_structure_free (signaling);
  }
  return s;
}

static gboolean
can_change_now (GstKvsWebrtcSink * self, GParamSpec * pspec)
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
  if (state > GST_STATE_NULL && !(pspec->flags & (GST_PARAM_MUTABLE_READY |
              GST_PARAM_MUTABLE_PLAYING))) {
    g_warning ("%s: property '%s' can only be set in the NULL state",
        GST_OBJECT_NAME (self), pspec->name);
    return FALSE;
  }
  return TRUE;
}

static void
gst_kvs_webrtc_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKvsWebrtcSink *self = GST_KVS_WEBRTC_SINK (object);

  if (!can_change_now (self, pspec))
    return;

  switch (prop_id) {
    case PROP_ROLE:
      gst_kvs_webrtc_base_set_role (GST_KVS_WEBRTC_BASE (self),
          g_value_get_enum (value));
      break;
    case PROP_MAX_VIEWERS:
      g_mutex_lock (&self->lock);
      self->max_viewers = g_value_get_uint (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_MIN_KEYFRAME_INTERVAL:
      g_mutex_lock (&self->lock);
      self->min_keyframe_interval = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_QUEUE_TIME:
      g_mutex_lock (&self->lock);
      self->queue_time = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_RECEIVE_MEDIA:
      g_mutex_lock (&self->lock);
      self->receive_media = g_value_get_enum (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_VIEWER_TIMEOUT:
      g_mutex_lock (&self->lock);
      self->viewer_timeout = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_JOIN_STORAGE_SESSION:
      g_mutex_lock (&self->lock);
      self->join_storage_session = g_value_get_boolean (value);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_kvs_webrtc_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstKvsWebrtcSink *self = GST_KVS_WEBRTC_SINK (object);

  switch (prop_id) {
    case PROP_ROLE:
      g_value_set_enum (value,
          gst_kvs_webrtc_base_get_role (GST_KVS_WEBRTC_BASE (self)));
      break;
    case PROP_MAX_VIEWERS:
      g_mutex_lock (&self->lock);
      g_value_set_uint (value, self->max_viewers);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_MIN_KEYFRAME_INTERVAL:
      g_mutex_lock (&self->lock);
      g_value_set_uint64 (value, self->min_keyframe_interval);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_QUEUE_TIME:
      g_mutex_lock (&self->lock);
      g_value_set_uint64 (value, self->queue_time);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_RECEIVE_MEDIA:
      g_mutex_lock (&self->lock);
      g_value_set_enum (value, self->receive_media);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_VIEWER_TIMEOUT:
      g_mutex_lock (&self->lock);
      g_value_set_uint64 (value, self->viewer_timeout);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_JOIN_STORAGE_SESSION:
      g_mutex_lock (&self->lock);
      g_value_set_boolean (value, self->join_storage_session);
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

/* ------------------------------------------------------------------------ */

static void
gst_kvs_webrtc_sink_constructed (GObject * object)
{
  GstKvsWebrtcSink *self = GST_KVS_WEBRTC_SINK (object);
  GstElement *src;

  G_OBJECT_CLASS (gst_kvs_webrtc_sink_parent_class)->constructed (object);

  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
  self->storage = gst_kvs_storage_session_new (GST_ELEMENT (self),
      "kvswebrtcsink-storage", storage_media);
  src = gst_kvs_webrtc_base_get_signaling_src (GST_KVS_WEBRTC_BASE (self));
  g_signal_connect_object (src, "offer-received",
      G_CALLBACK (on_offer_received), self, 0);
  g_signal_connect_object (src, "request-webrtcbin",
      G_CALLBACK (on_request_webrtcbin), self, 0);
  g_signal_connect_object (src, "peer-added", G_CALLBACK (on_peer_added),
      self, 0);
  g_signal_connect_object (src, "peer-removed", G_CALLBACK (on_peer_removed),
      self, 0);
  g_signal_connect_object (src, "notify::state",
      G_CALLBACK (on_signaling_state), self, 0);
}

static void
gst_kvs_webrtc_sink_dispose (GObject * object)
{
  GstKvsWebrtcSink *self = GST_KVS_WEBRTC_SINK (object);

  stop_checks (self);
  storage_stop (self);
  remove_all_viewers (self);
  stop_session (self);
  G_OBJECT_CLASS (gst_kvs_webrtc_sink_parent_class)->dispose (object);
}

static void
gst_kvs_webrtc_sink_finalize (GObject * object)
{
  GstKvsWebrtcSink *self = GST_KVS_WEBRTC_SINK (object);

  g_ptr_array_unref (self->streams);
  g_hash_table_unref (self->viewers);
  g_hash_table_unref (self->offers);
  g_clear_object (&self->storage);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_kvs_webrtc_sink_parent_class)->finalize (object);
}

static void
gst_kvs_webrtc_sink_class_init (GstKvsWebrtcSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstKvsWebrtcBaseClass *base_class = GST_KVS_WEBRTC_BASE_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  GST_DEBUG_CATEGORY_INIT (kvs_webrtc_sink_debug, "kvswebrtcsink", 0,
      "kvswebrtcsink: media to every viewer of a KVS channel");

  gobject_class->constructed = gst_kvs_webrtc_sink_constructed;
  gobject_class->dispose = gst_kvs_webrtc_sink_dispose;
  gobject_class->finalize = gst_kvs_webrtc_sink_finalize;
  gobject_class->set_property = gst_kvs_webrtc_sink_set_property;
  gobject_class->get_property = gst_kvs_webrtc_sink_get_property;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_sink_change_state);
  bin_class->handle_message =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_sink_handle_message);
  bin_class->remove_element =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_sink_remove_element);
  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_sink_request_new_pad);
  element_class->release_pad =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_sink_release_pad);
  base_class->default_role = DEFAULT_ROLE;

  gst_element_class_add_static_pad_template (element_class, &video_template);
  gst_element_class_add_static_pad_template (element_class, &audio_template);
  gst_element_class_add_static_pad_template (element_class,
      &recv_video_template);
  gst_element_class_add_static_pad_template (element_class,
      &recv_audio_template);
  gst_element_class_set_static_metadata (element_class,
      "KVS WebRTC sink", "Sink/Network/WebRTC",
      "Sends encoded media to every viewer of an Amazon Kinesis Video "
      "Streams signaling channel (one webrtcbin per viewer)",
      "kvssignaling developers");

  /**
   * GstKvsWebrtcSink:role:
   *
   * master (the default): serve every viewer of the channel; viewer: send
   * the media to the channel's master as one viewer.
   */
  properties[PROP_ROLE] = g_param_spec_enum ("role", "Role",
      "Whether the bin connects as the channel's master and sends its media "
      "to every viewer, or as one viewer that sends its media to the master.",
      GST_TYPE_KVS_ROLE, DEFAULT_ROLE, rw | GST_PARAM_MUTABLE_READY);

  /**
   * GstKvsWebrtcSink:max-viewers:
   *
   * The most viewers served at once; the offer of one more is refused with
   * a warning on the bus (the service itself allows ten).
   */
  properties[PROP_MAX_VIEWERS] = g_param_spec_uint ("max-viewers",
      "Maximum viewers",
      "The most viewers served at once (a master); the offer of one more is "
      "refused with a warning on the bus. The service allows ten.",
      1, MAX_VIEWERS, DEFAULT_MAX_VIEWERS, rw | GST_PARAM_MUTABLE_PLAYING);

  /**
   * GstKvsWebrtcSink:min-keyframe-interval:
   *
   * The shortest time between two keyframe requests sent upstream (ns).
   * Requests from joining viewers and from viewers' PLI/FIR within it are
   * merged into one, sent when it ends. 0 sends every request on.
   */
  properties[PROP_MIN_KEYFRAME_INTERVAL] =
      g_param_spec_uint64 ("min-keyframe-interval", "Minimum keyframe interval",
      "The shortest time in nanoseconds between two keyframe requests sent "
      "to the encoder; the requests of viewers in between are merged into "
      "one sent when it ends (0: send every request on).", 0, G_MAXUINT64,
      DEFAULT_MIN_KEYFRAME_INTERVAL, rw | GST_PARAM_MUTABLE_PLAYING);

  /**
   * GstKvsWebrtcSink:queue-time:
   *
   * How much media (ns) each viewer's branch holds before it drops the
   * oldest: what a viewer that stalls loses, instead of stalling the others.
   */
  properties[PROP_QUEUE_TIME] = g_param_spec_uint64 ("queue-time",
      "Queue time",
      "How much media in nanoseconds each viewer's branch may hold; beyond "
      "it the oldest is dropped, so that a viewer that stalls never stalls "
      "the others or the encoder. Applies to viewers that join later.",
      GST_MSECOND, 10 * GST_SECOND, DEFAULT_QUEUE_TIME,
      rw | GST_PARAM_MUTABLE_PLAYING);

  /**
   * GstKvsWebrtcSink:receive-media:
   *
   * What to do with media viewers send back (two-way audio): drop it, or
   * expose it on sometimes pads recv_video_%u / recv_audio_%u (encoded,
   * depayloaded). Data on an exposed pad nobody linked is dropped.
   */
  properties[PROP_RECEIVE_MEDIA] = g_param_spec_enum ("receive-media",
      "Receive media",
      "What to do with media viewers send back: discard it, or expose it on "
      "sometimes pads recv_video_%u and recv_audio_%u.",
      GST_TYPE_KVS_WEBRTC_SINK_RECEIVE_MEDIA, DEFAULT_RECEIVE_MEDIA,
      rw | GST_PARAM_MUTABLE_READY);

  /**
   * GstKvsWebrtcSink:viewer-timeout:
   *
   * A viewer from which nothing arrived for this long (ns) is taken as
   * gone and released. Viewers send RTCP reports every few seconds; one
   * that is killed, unplugged or stopped says nothing else (the ICE
   * keepalives of webrtcbin 1.22 notice it only after 25 to 50 s).
   * 0 leaves it to ICE.
   */
  properties[PROP_VIEWER_TIMEOUT] = g_param_spec_uint64 ("viewer-timeout",
      "Viewer timeout",
      "A viewer from which no packet (RTCP, media, DTLS) arrived for this "
      "many nanoseconds is taken as gone and released; 0 leaves it to ICE "
      "keepalives (25 to 50 s).", 0, G_MAXUINT64, DEFAULT_VIEWER_TIMEOUT,
      rw | GST_PARAM_MUTABLE_PLAYING);

  /**
   * GstKvsWebrtcSink:join-storage-session:
   *
   * As the master, also send the media to the channel's storage session
   * (WebRTC ingestion: Kinesis Video Streams records it into the stream of
   * the channel's media storage configuration). Once the signaling
   * connection is up the bin calls JoinStorageSession on the channel's
   * WEBRTC endpoint and answers the storage peer's offer like a viewer's;
   * it joins again after every reconnect and when the storage session ends
   * or fails, with backoff. The storage session takes no viewer slot.
   * Needs H.264 video and Opus audio, both: other media fail with an error
   * before anything is sent. A channel without media storage gives a
   * warning (the viewers are served all the same).
   *
   * Since: 0.3
   */
  properties[PROP_JOIN_STORAGE_SESSION] =
      g_param_spec_boolean ("join-storage-session", "Join storage session",
      "As the master, join the channel's storage session (WebRTC ingestion, "
      "JoinStorageSession) after each connect and whenever it ends, and send "
      "it the media like a viewer (no viewer slot taken). Needs H.264 video "
      "and Opus audio, and media storage configured for the channel.",
      DEFAULT_JOIN_STORAGE_SESSION, rw | GST_PARAM_MUTABLE_READY);

  /**
   * GstKvsWebrtcSink:stats:
   *
   * A structure `application/x-kvs-webrtcsink-stats` with:
   * - `viewers` (guint): viewers served now;
   * - `viewers-served`, `viewers-refused`, `viewers-timed-out` (guint64):
   *   since the start;
   * - `keyframes-requested` (guint64): force-key-unit events sent upstream;
   * - `keyframe-requests-merged` (guint64): requests merged into those;
   * - `storage-joins`, `storage-sessions` (guint64): JoinStorageSession
   *   calls the service accepted, and storage sessions answered
   *   (join-storage-session); the storage session is not in `viewers` but
   *   has its entry in `viewer-stats`;
   * - `viewer-stats` (#GstValueArray of structures), one per viewer:
   *   `client-id`, `connection-state` (#GstWebRTCPeerConnectionState),
   *   `duration` (guint64, ns since its offer), `bytes-sent` (guint64, RTP),
   *   `keyframe-requests` (guint, from that viewer), `streams` (guint);
   * - `signaling` (#GstStructure): the stats of the signaling connection
   *   (as kvssignalingsrc's stats).
   */
  properties[PROP_STATS] = g_param_spec_boxed ("stats", "Statistics",
      "Viewers served and refused, keyframe requests, one structure per "
      "viewer (client id, connection state, duration, bytes sent, keyframe "
      "requests) and the signaling connection's stats.",
      GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (gobject_class, N_PROPS, properties);

  /**
   * GstKvsWebrtcSink::webrtcbin-ready:
   * @sink: the element
   * @client_id: the viewer's client id (NULL with role=viewer: the master)
   * @webrtcbin: its new webrtcbin
   *
   * A webrtcbin was made for a viewer, linked and not yet negotiated nor
   * started: configure it here (TURN servers, latency, …). Emitted from the
   * signaling thread: do not block.
   */
  signals[SIGNAL_WEBRTCBIN_READY] = g_signal_new ("webrtcbin-ready",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, GST_TYPE_ELEMENT);

  /**
   * GstKvsWebrtcSink::viewer-added:
   * @sink: the element
   * @client_id: the viewer's client id
   * @webrtcbin: its webrtcbin
   *
   * A viewer's WebRTC session started (its offer is being answered).
   * Emitted from the signaling thread: do not block.
   */
  signals[SIGNAL_VIEWER_ADDED] = g_signal_new ("viewer-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, GST_TYPE_ELEMENT);

  /**
   * GstKvsWebrtcSink::viewer-removed:
   * @sink: the element
   * @client_id: the viewer's client id
   * @webrtcbin: its webrtcbin, about to be set to NULL and removed
   *
   * A viewer's session ended: its connection failed or closed, or it
   * offered again from a new peer connection. Its webrtcbin and branches
   * are then released from another thread. Emitted from the signaling or
   * webrtcbin's thread: do not block.
   */
  signals[SIGNAL_VIEWER_REMOVED] = g_signal_new ("viewer-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, GST_TYPE_ELEMENT);
}

static void
sdp_message_free (gpointer sdp)
{
  gst_sdp_message_free (sdp);
}

static void
gst_kvs_webrtc_sink_init (GstKvsWebrtcSink * self)
{
  g_mutex_init (&self->lock);
  self->streams = g_ptr_array_new ();
  self->viewers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_object_unref);
  self->offers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      sdp_message_free);
  self->max_viewers = DEFAULT_MAX_VIEWERS;
  self->min_keyframe_interval = DEFAULT_MIN_KEYFRAME_INTERVAL;
  self->queue_time = DEFAULT_QUEUE_TIME;
  self->receive_media = DEFAULT_RECEIVE_MEDIA;
  self->viewer_timeout = DEFAULT_VIEWER_TIMEOUT;
  self->join_storage_session = DEFAULT_JOIN_STORAGE_SESSION;
}
