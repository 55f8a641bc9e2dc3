/* kvssignaling: what a WebRTC bin sends from one of its request sink pads.
 *
 * sink pad (ghost) → payloader → appsink ··· appsrc → webrtcbin
 *
 * The payloader and the appsink live as long as the pad; each session's
 * webrtcbin gets an appsrc of its own that the appsink's samples are pushed
 * into. So when a session's webrtcbin is stopped and removed, the upstream
 * elements (a live source, an encoder) never get a flushing or not-linked
 * flow return that would stop them. Key-unit requests of the session
 * (PLI/FIR) go upstream from the appsrc through the appsink's pad.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvswebrtcsender.h"

#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>

GST_DEBUG_CATEGORY_STATIC (kvs_webrtc_sender_debug);
#define GST_CAT_DEFAULT kvs_webrtc_sender_debug

/* RTP packets an appsrc holds while webrtcbin blocks its pad (before the
 * session is negotiated): the oldest are dropped. */
#define APPSRC_MAX_BUFFERS 64

struct _GstKvsWebrtcSender
{
  GstBin *bin;                  /* not owned: the sender lives in it */
  const GstKvsRtpCodec *codec;
  GstCaps *rtp_caps;
  GstPad *pad;                  /* ghost sink pad of the bin */
  GstElement *payloader;
  GstElement *appsink;

  GMutex lock;
  GstElement *appsrc;           /* the current session's */
};

static GstFlowReturn
on_new_sample (GstElement * appsink, GstKvsWebrtcSender * self)
{
  GstSample *sample = NULL;
  GstElement *appsrc = NULL;
  GstFlowReturn ret;

  g_signal_emit_by_name (appsink, "pull-sample", &sample);
  if (sample == NULL)
    return GST_FLOW_OK;
  g_mutex_lock (&self->lock);
  if (self->appsrc)
    appsrc = gst_object_ref (self->appsrc);
  g_mutex_unlock (&self->lock);
  if (appsrc) {
    /* Whatever the session does with it, upstream goes on. */
    g_signal_emit_by_name (appsrc, "push-sample", sample, &ret);
    gst_object_unref (appsrc);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

/* Key-unit requests of the session, upstream to the encoder. */
static GstPadProbeReturn
on_upstream_event (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstKvsWebrtcSender *self = data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstPad *sinkpad;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_UPSTREAM
      || !gst_event_has_name (event, "GstForceKeyUnit"))
    return GST_PAD_PROBE_OK;
  sinkpad = gst_element_get_static_pad (self->appsink, "sink");
  GST_DEBUG_OBJECT (self->bin, "key unit requested for %s", self->codec->name);
  gst_pad_push_event (sinkpad, gst_event_ref (event));
  gst_object_unref (sinkpad);
  return GST_PAD_PROBE_OK;
}

GstKvsWebrtcSender *
gst_kvs_webrtc_sender_new (GstBin * bin, GstPadTemplate * templ,
    const gchar * name, const GstKvsRtpCodec * codec, gint pt)
{
  GstKvsWebrtcSender *self;
  GstElement *payloader;
  GstPad *target;

  if (kvs_webrtc_sender_debug == NULL)
    GST_DEBUG_CATEGORY_INIT (kvs_webrtc_sender_debug, "kvswebrtcsender", 0,
        "KVS WebRTC bins: media sent from a request pad");

  payloader = gst_element_factory_make (codec->payloader, NULL);
  if (payloader == NULL)
    return NULL;

  self = g_new0 (GstKvsWebrtcSender, 1);
  g_mutex_init (&self->lock);
  self->bin = bin;
  self->codec = codec;
  self->rtp_caps = gst_caps_new_full (gst_kvs_rtp_codec_rtp_structure (codec,
          pt), NULL);
  self->payloader = gst_object_ref_sink (payloader);
  g_object_set (payloader, "pt", (guint) pt, NULL);
  self->appsink = gst_object_ref_sink (gst_element_factory_make ("appsink",
          NULL));
  g_object_set (self->appsink, "emit-signals", TRUE, "sync", FALSE,
      "async", FALSE, "max-buffers", 1, "drop", TRUE, "enable-last-sample",
      FALSE, NULL);
  g_signal_connect (self->appsink, "new-sample", G_CALLBACK (on_new_sample),
      self);

  gst_bin_add_many (bin, self->payloader, self->appsink, NULL);
  gst_element_link (self->payloader, self->appsink);
  target = gst_element_get_static_pad (self->payloader, "sink");
  self->pad = gst_object_ref (gst_ghost_pad_new_from_template (name, target,
          templ));
  gst_object_unref (target);
  gst_element_sync_state_with_parent (self->appsink);
  gst_element_sync_state_with_parent (self->payloader);
  return self;
}

GstPad *
gst_kvs_webrtc_sender_get_pad (GstKvsWebrtcSender * self)
{
  return self->pad;
}

const GstKvsRtpCodec *
gst_kvs_webrtc_sender_get_codec (GstKvsWebrtcSender * self)
{
  return self->codec;
}

GstElement *
gst_kvs_webrtc_sender_attach (GstKvsWebrtcSender * self, GstElement * webrtcbin)
{
  GstElement *appsrc = gst_element_factory_make ("appsrc", NULL);
  GstPad *src, *sink;
  gboolean linked;

  g_object_set (appsrc, "caps", self->rtp_caps, "format", GST_FORMAT_TIME,
      "is-live", TRUE, "max-buffers", (guint64) APPSRC_MAX_BUFFERS, NULL);
  gst_util_set_object_arg (G_OBJECT (appsrc), "leaky-type", "downstream");
  gst_object_ref_sink (appsrc);
  gst_bin_add (self->bin, appsrc);

  sink = gst_element_request_pad_simple (webrtcbin, "sink_%u");
  if (sink && g_object_class_find_property (G_OBJECT_GET_CLASS (sink),
          "transceiver")) {
    GstWebRTCRTPTransceiver *trans = NULL;

    /* The offer may be made before the pad's caps are known. */
    g_object_get (sink, "transceiver", &trans, NULL);
    if (trans) {
      g_object_set (trans, "codec-preferences", self->rtp_caps, NULL);
      gst_object_unref (trans);
    }
  }
  src = gst_element_get_static_pad (appsrc, "src");
  linked = sink && gst_pad_link (src, sink) == GST_PAD_LINK_OK;
  if (linked)
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
        on_upstream_event, self, NULL);
  else
    GST_WARNING_OBJECT (self->bin, "webrtcbin gave no pad to send %s",
        self->codec->name);
  gst_object_unref (src);
  if (sink)
    gst_object_unref (sink);

  g_mutex_lock (&self->lock);
  gst_object_replace ((GstObject **) & self->appsrc,
      linked ? GST_OBJECT (appsrc) : NULL);
  g_mutex_unlock (&self->lock);
  return appsrc;
}

void
gst_kvs_webrtc_sender_detach (GstKvsWebrtcSender * self)
{
  g_mutex_lock (&self->lock);
  gst_clear_object (&self->appsrc);
  g_mutex_unlock (&self->lock);
}

void
gst_kvs_webrtc_sender_free (GstKvsWebrtcSender * self)
{
  GstElement *elements[] = { self->payloader, self->appsink };
  guint i;

  gst_kvs_webrtc_sender_detach (self);
  if (GST_OBJECT_PARENT (self->pad) == GST_OBJECT (self->bin)) {
    gst_pad_set_active (self->pad, FALSE);
    gst_element_remove_pad (GST_ELEMENT (self->bin), self->pad);
  }
  /* At the bin's dispose, its children are gone already. */
  for (i = 0; i < G_N_ELEMENTS (elements); i++) {
    gst_element_set_locked_state (elements[i], TRUE);
    gst_element_set_state (elements[i], GST_STATE_NULL);
    if (GST_OBJECT_PARENT (elements[i]) == GST_OBJECT (self->bin))
      gst_bin_remove (self->bin, elements[i]);
    gst_object_unref (elements[i]);
  }
  gst_object_unref (self->pad);
  gst_caps_unref (self->rtp_caps);
  g_mutex_clear (&self->lock);
  g_free (self);
}
