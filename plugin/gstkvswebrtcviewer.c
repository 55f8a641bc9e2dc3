/* kvssignaling: one viewer of kvswebrtcsink (see gstkvswebrtcviewer.h).
 *
 * Per stream: tee → queue → payloader → capsfilter → webrtcbin. The queue
 * is leaky (drops its oldest data) and short: a viewer whose branch stalls
 * (a TCP relay that blocks, a slow DTLS/SRTP path) loses frames, never
 * blocks the tee, so the others and the encoder keep going. The capsfilter
 * pins the RTP caps the viewer's offer uses, so that webrtcbin finds this
 * sending transceiver for the offered m-line.
 *
 * Each stream's SSRC is chosen here, before the offer is applied, and is in
 * those caps and the payloader's "ssrc": webrtcbin 1.22 writes the answer's
 * a=ssrc lines from the SSRC in the caps of its sink pad, and the payloader
 * only puts one there with its first buffer. A viewer whose answer was made
 * before that (a master whose stream already runs answers in a few ms) got
 * an answer without a=ssrc; Chromium, with no a=ssrc and no MID header
 * extension in a bundle, demultiplexes that RTP to no receiver: connected,
 * bytes received, no inbound-rtp, no frame.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>
#include <gst/video/video.h>

#include "gstkvswebrtcviewer.h"

GST_DEBUG_CATEGORY_STATIC (kvs_webrtc_viewer_debug);
#define GST_CAT_DEFAULT kvs_webrtc_viewer_debug

typedef struct
{
  GstElement *tee;              /* ref */
  GstPad *tee_pad;              /* requested from tee, NULL until started */
  GstElement *queue;            /* the first element of the branch */
  guint32 ssrc;                 /* of the payloader, in the answer's a=ssrc */
} Branch;

struct _GstKvsWebrtcViewer
{
  GObject parent;

  GstBin *bin;                  /* not owned */
  gchar *client_id;
  GstElement *webrtcbin;        /* ref */
  GstKvsWebrtcViewerRecvFunc recv;
  gpointer recv_data;
  gint64 started;               /* monotonic µs */

  GMutex lock;
  GArray *branches;             /* Branch */
  GPtrArray *elements;          /* GstElement refs, in the bin */
  GPtrArray *pads;              /* GstPad refs, pads of the bin */
  gboolean torn_down;

  guint64 bytes_sent;           /* lock */
  gint64 last_received;         /* lock; monotonic µs of the last packet */
  gint keyframe_requests;       /* atomic */
};

G_DEFINE_TYPE_WITH_CODE (GstKvsWebrtcViewer, gst_kvs_webrtc_viewer,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_webrtc_viewer_debug, "kvswebrtcviewer", 0,
        "kvswebrtcsink: one viewer's webrtcbin and branches"));

/* ------------------------------------------------------------------------ */
/* probes */

static GstPadProbeReturn
count_bytes (GstPad * pad, GstPadProbeInfo * info, GstKvsWebrtcViewer * self)
{
  guint64 size = 0;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    size = gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    guint i, n = gst_buffer_list_length (list);

    for (i = 0; i < n; i++)
      size += gst_buffer_get_size (gst_buffer_list_get (list, i));
  }
  g_mutex_lock (&self->lock);
  self->bytes_sent += size;
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_keyframe_requests (GstPad * pad, GstPadProbeInfo * info,
    GstKvsWebrtcViewer * self)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (gst_video_event_is_force_key_unit (event))
    g_atomic_int_inc (&self->keyframe_requests);
  return GST_PAD_PROBE_OK;
}

/* ------------------------------------------------------------------------ */

/* Any packet from the viewer (RTCP reports, DTLS, media) says it is
 * alive. (Not referenced: the webrtcbin is stopped before the viewer
 * goes.) */
static GstPadProbeReturn
note_received (GstPad * pad, GstPadProbeInfo * info, GstKvsWebrtcViewer * self)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  self->last_received = now;
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

static void
on_deep_element_added (GstBin * webrtcbin, GstBin * sub_bin,
    GstElement * element, GstKvsWebrtcViewer * self)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  GstPad *pad;

  if (factory == NULL || g_strcmp0 (GST_OBJECT_NAME (factory), "nicesrc") != 0)
    return;
  pad = gst_element_get_static_pad (element, "src");
  if (pad == NULL)
    return;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, (GstPadProbeCallback) note_received,
      self, NULL);
  gst_object_unref (pad);
}

static void
on_pad_added (GstElement * webrtcbin, GstPad * pad, GstKvsWebrtcViewer * self)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  GST_INFO_OBJECT (self->webrtcbin, "viewer %s sends a stream back: %s",
      GST_STR_NULL (self->client_id), GST_PAD_NAME (pad));
  self->recv (self, pad, self->recv_data);
}

/* A viewer that vanishes (killed, network gone, or stopped: webrtcbin
 * 1.22 says nothing to its peer when it stops) must end in a failed ICE
 * connection, so that its session and branch are released. libnice only
 * notices a silent peer when its keepalives are connectivity checks, which
 * must then be answered (it takes 25 to 50 s; the sink's viewer-timeout,
 * on received packets, is faster). */
static void
watch_liveness (GstElement * webrtcbin)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) nice = NULL;
  GObjectClass *klass;

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice == NULL
      || !g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    return;
  g_object_get (ice, "agent", &nice, NULL);
  if (nice == NULL)
    return;
  klass = G_OBJECT_GET_CLASS (nice);
  if (g_object_class_find_property (klass, "keepalive-conncheck"))
    g_object_set (nice, "keepalive-conncheck", TRUE, NULL);
}

GstKvsWebrtcViewer *
gst_kvs_webrtc_viewer_new (GstBin * bin, const gchar * client_id,
    const gchar * name, GstKvsWebrtcViewerRecvFunc recv, gpointer recv_data)
{
  GstKvsWebrtcViewer *self = g_object_new (GST_TYPE_KVS_WEBRTC_VIEWER, NULL);

  self->bin = bin;
  self->client_id = g_strdup (client_id);
  self->recv = recv;
  self->recv_data = recv_data;
  self->started = g_get_monotonic_time ();
  self->webrtcbin = gst_element_factory_make ("webrtcbin", name);
  g_assert (self->webrtcbin != NULL);
  gst_object_ref_sink (self->webrtcbin);
  gst_util_set_object_arg (G_OBJECT (self->webrtcbin), "bundle-policy",
      "max-bundle");
  g_signal_connect_object (self->webrtcbin, "pad-added",
      G_CALLBACK (on_pad_added), self, 0);
  watch_liveness (self->webrtcbin);
  g_signal_connect_object (self->webrtcbin, "deep-element-added",
      G_CALLBACK (on_deep_element_added), self, 0);
  gst_bin_add (bin, self->webrtcbin);
  return self;
}

static gboolean
add_element (GstKvsWebrtcViewer * self, GstElement * element)
{
  if (!gst_bin_add (self->bin, element))
    return FALSE;
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->elements, gst_object_ref (element));
  g_mutex_unlock (&self->lock);
  return TRUE;
}

gboolean
gst_kvs_webrtc_viewer_add_stream (GstKvsWebrtcViewer * self,
    GstElement * tee, const GstKvsRtpCodec * codec, gint pt,
    GstClockTime queue_time, GError ** error)
{
  GstElement *queue, *pay, *filter;
  g_autoptr (GstCaps) caps = gst_kvs_rtp_codec_rtp_caps (codec, pt);
  g_autoptr (GstPad) src = NULL;
  g_autoptr (GstPad) sink = NULL;
  GstPad *qsink, *fsrc;
  GstPadTemplate *templ;
  Branch branch = { 0, };
  guint i;

  /* Distinct from this viewer's other streams (one RTP session: bundle). */
  g_mutex_lock (&self->lock);
  do {
    branch.ssrc = g_random_int ();
    for (i = 0; i < self->branches->len; i++)
      if (g_array_index (self->branches, Branch, i).ssrc == branch.ssrc)
        branch.ssrc = 0;
  } while (branch.ssrc == 0);
  g_mutex_unlock (&self->lock);
  gst_caps_set_simple (caps, "ssrc", G_TYPE_UINT, branch.ssrc, NULL);

  pay = gst_kvs_codec_make_payloader (codec, pt);
  if (pay == NULL) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "the payloader %s is missing (gst-plugins-good)", codec->payloader);
    return FALSE;
  }
  g_object_set (pay, "ssrc", branch.ssrc, NULL);
  queue = gst_element_factory_make ("queue", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  g_object_set (queue, "leaky", 2 /* downstream: drop the oldest */ ,
      "max-size-buffers", 0, "max-size-bytes", 0,
      "max-size-time", (guint64) queue_time, NULL);
  g_object_set (filter, "caps", caps, NULL);
  add_element (self, queue);
  add_element (self, pay);
  add_element (self, filter);
  if (!gst_element_link_many (queue, pay, filter, NULL)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "could not link queue ! %s ! capsfilter", codec->payloader);
    return FALSE;
  }

  templ = gst_element_get_pad_template (self->webrtcbin, "sink_%u");
  sink = gst_element_request_pad (self->webrtcbin, templ, NULL, caps);
  src = gst_element_get_static_pad (filter, "src");
  if (sink == NULL || gst_pad_link (src, sink) != GST_PAD_LINK_OK) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "webrtcbin gave no sink pad for %" GST_PTR_FORMAT, caps);
    return FALSE;
  }

  qsink = gst_element_get_static_pad (queue, "sink");
  gst_pad_add_probe (qsink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      (GstPadProbeCallback) count_keyframe_requests, self, NULL);
  gst_object_unref (qsink);
  fsrc = gst_element_get_static_pad (filter, "src");
  gst_pad_add_probe (fsrc, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, (GstPadProbeCallback) count_bytes, self,
      NULL);
  gst_object_unref (fsrc);

  branch.tee = gst_object_ref (tee);
  branch.queue = queue;
  g_mutex_lock (&self->lock);
  g_array_append_val (self->branches, branch);
  g_mutex_unlock (&self->lock);
  GST_INFO_OBJECT (self->webrtcbin, "viewer %s: %s at payload type %d, "
      "SSRC %u", GST_STR_NULL (self->client_id), codec->name, pt, branch.ssrc);
  return TRUE;
}

void
gst_kvs_webrtc_viewer_start (GstKvsWebrtcViewer * self)
{
  guint i;

  /* Running before linked to a tee: a pad still flushing would return
   * FLUSHING to the tee and stop the stream for every viewer. */
  gst_element_sync_state_with_parent (self->webrtcbin);
  g_mutex_lock (&self->lock);
  for (i = 0; i < self->elements->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (self->elements, i));
  for (i = 0; i < self->branches->len; i++) {
    Branch *b = &g_array_index (self->branches, Branch, i);
    GstPad *qsink = gst_element_get_static_pad (b->queue, "sink");

    b->tee_pad = gst_element_request_pad_simple (b->tee, "src_%u");
    if (gst_pad_link (b->tee_pad, qsink) != GST_PAD_LINK_OK)
      GST_WARNING_OBJECT (self->webrtcbin, "could not link %" GST_PTR_FORMAT
          " to the branch of viewer %s", b->tee_pad,
          GST_STR_NULL (self->client_id));
    gst_object_unref (qsink);
  }
  g_mutex_unlock (&self->lock);
}

void
gst_kvs_webrtc_viewer_own_element (GstKvsWebrtcViewer * self,
    GstElement * element)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->elements, gst_object_ref (element));
  g_mutex_unlock (&self->lock);
}

void
gst_kvs_webrtc_viewer_own_pad (GstKvsWebrtcViewer * self, GstPad * pad)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->pads, gst_object_ref (pad));
  g_mutex_unlock (&self->lock);
}

static void
remove_element (GstBin * bin, GstElement * element)
{
  gst_element_set_locked_state (element, TRUE);
  gst_element_set_state (element, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (element) == GST_OBJECT_CAST (bin))
    gst_bin_remove (bin, element);
}

void
gst_kvs_webrtc_viewer_teardown (GstKvsWebrtcViewer * self)
{
  GArray *branches;
  GPtrArray *elements, *pads;
  guint i;

  g_mutex_lock (&self->lock);
  if (self->torn_down) {
    g_mutex_unlock (&self->lock);
    return;
  }
  self->torn_down = TRUE;
  branches = self->branches;
  elements = self->elements;
  pads = self->pads;
  self->branches = g_array_new (FALSE, TRUE, sizeof (Branch));
  self->elements = g_ptr_array_new_with_free_func (gst_object_unref);
  self->pads = g_ptr_array_new_with_free_func (gst_object_unref);
  g_mutex_unlock (&self->lock);

  GST_INFO_OBJECT (self->webrtcbin, "viewer %s: tearing down",
      GST_STR_NULL (self->client_id));

  /* Off the tees first: nothing flows into the branch any more. */
  for (i = 0; i < branches->len; i++) {
    Branch *b = &g_array_index (branches, Branch, i);

    if (b->tee_pad) {
      GstPad *peer = gst_pad_get_peer (b->tee_pad);

      if (peer) {
        gst_pad_unlink (b->tee_pad, peer);
        gst_object_unref (peer);
      }
      gst_element_release_request_pad (b->tee, b->tee_pad);
      gst_object_unref (b->tee_pad);
    }
    gst_object_unref (b->tee);
  }
  g_array_unref (branches);

  for (i = 0; i < pads->len; i++) {
    GstPad *pad = g_ptr_array_index (pads, i);

    gst_pad_set_active (pad, FALSE);
    if (GST_OBJECT_PARENT (pad) == GST_OBJECT_CAST (self->bin))
      gst_element_remove_pad (GST_ELEMENT (self->bin), pad);
  }
  g_ptr_array_unref (pads);

  remove_element (self->bin, self->webrtcbin);
  for (i = 0; i < elements->len; i++)
    remove_element (self->bin, g_ptr_array_index (elements, i));
  g_ptr_array_unref (elements);
}

gboolean
gst_kvs_webrtc_viewer_is_torn_down (GstKvsWebrtcViewer * self)
{
  gboolean done;

  g_mutex_lock (&self->lock);
  done = self->torn_down;
  g_mutex_unlock (&self->lock);
  return done;
}

GstClockTime
gst_kvs_webrtc_viewer_get_silence (GstKvsWebrtcViewer * self)
{
  gint64 last;

  g_mutex_lock (&self->lock);
  last = self->last_received ? self->last_received : self->started;
  g_mutex_unlock (&self->lock);
  return (GstClockTime) (g_get_monotonic_time () - last) * GST_USECOND;
}

const gchar *
gst_kvs_webrtc_viewer_get_client_id (GstKvsWebrtcViewer * self)
{
  return self->client_id;
}

GstElement *
gst_kvs_webrtc_viewer_get_webrtcbin (GstKvsWebrtcViewer * self)
{
  return self->webrtcbin;
}

guint
gst_kvs_webrtc_viewer_get_n_streams (GstKvsWebrtcViewer * self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->branches->len;
  g_mutex_unlock (&self->lock);
  return n;
}

GstStructure *
gst_kvs_webrtc_viewer_dup_stats (GstKvsWebrtcViewer * self)
{
  GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;
  guint64 bytes;

  g_mutex_lock (&self->lock);
  bytes = self->bytes_sent;
  g_mutex_unlock (&self->lock);
  g_object_get (self->webrtcbin, "connection-state", &state, NULL);
  return gst_structure_new ("kvswebrtcsink-viewer-stats",
      "client-id", G_TYPE_STRING, self->client_id,
      "connection-state", GST_TYPE_WEBRTC_PEER_CONNECTION_STATE, state,
      "duration", G_TYPE_UINT64,
      (guint64) (g_get_monotonic_time () - self->started) * GST_USECOND,
      "bytes-sent", G_TYPE_UINT64, bytes,
      "keyframe-requests", G_TYPE_UINT,
      (guint) g_atomic_int_get (&self->keyframe_requests),
      "streams", G_TYPE_UINT, gst_kvs_webrtc_viewer_get_n_streams (self), NULL);
}

/* ------------------------------------------------------------------------ */

static void
gst_kvs_webrtc_viewer_dispose (GObject * object)
{
  GstKvsWebrtcViewer *self = GST_KVS_WEBRTC_VIEWER (object);

  gst_kvs_webrtc_viewer_teardown (self);
  G_OBJECT_CLASS (gst_kvs_webrtc_viewer_parent_class)->dispose (object);
}

static void
gst_kvs_webrtc_viewer_finalize (GObject * object)
{
  GstKvsWebrtcViewer *self = GST_KVS_WEBRTC_VIEWER (object);

  g_array_unref (self->branches);
  g_ptr_array_unref (self->elements);
  g_ptr_array_unref (self->pads);
  gst_clear_object (&self->webrtcbin);
  g_free (self->client_id);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_kvs_webrtc_viewer_parent_class)->finalize (object);
}

static void
gst_kvs_webrtc_viewer_class_init (GstKvsWebrtcViewerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->dispose = gst_kvs_webrtc_viewer_dispose;
  gobject_class->finalize = gst_kvs_webrtc_viewer_finalize;
}

static void
gst_kvs_webrtc_viewer_init (GstKvsWebrtcViewer * self)
{
  g_mutex_init (&self->lock);
  self->branches = g_array_new (FALSE, TRUE, sizeof (Branch));
  self->elements = g_ptr_array_new_with_free_func (gst_object_unref);
  self->pads = g_ptr_array_new_with_free_func (gst_object_unref);
}
