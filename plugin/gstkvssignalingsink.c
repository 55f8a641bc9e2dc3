/* kvssignaling: kvssignalingsink, what webrtcbin says to the channel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-kvssignalingsink
 * @title: kvssignalingsink
 * @see_also: kvssignalingsrc, webrtcbin
 *
 * kvssignalingsink carries what a webrtcbin says to an Amazon Kinesis Video
 * Streams signaling channel: its offers (as viewer), its answers (as
 * master) and its ICE candidates, each with the real `a=mid` of its m-line.
 * With its partner kvssignalingsrc, it connects a pipeline to a channel as
 * its master or as one of its viewers; the two share one signaling
 * connection when their settings match.
 *
 * It is a plain element without pads and without the sink flag: a bin
 * never waits for EOS from it. Stop `gst-launch-1.0` with Ctrl-C and without
 * `-e`: webrtcbin 1.22 itself never completes EOS (its internal network
 * sinks never see it), so `-e` would wait for ever. By default
 * (#GstKvsSignalingBase:auto-negotiate) the pair drives webrtcbin itself;
 * with auto-negotiate=false an application sends with the action signals
 * #GstKvsSignalingSink::send-offer, #GstKvsSignalingSink::send-answer and
 * #GstKvsSignalingSink::send-ice-candidate.
 *
 * ICE servers: STUN `stun.kinesisvideo.<region>.amazonaws.com:443` for the
 * channel's region when the endpoint is AWS's (see
 * #GstKvsSignalingBase:stun-server) and TURN from GetIceServerConfig,
 * refreshed in the background, never fetched while an offer waits. UPnP
 * port mapping in webrtcbin's ICE agent is turned off: STUN and TURN do
 * that job, and UPnP would probe the local network. For tests on one
 * machine, #GstKvsSignalingBase:local-addresses=127.0.0.1 lets ICE use
 * loopback.
 *
 * With #GstKvsSignalingBase:join-storage-session (set on both elements of a
 * master pair) the pair also joins the channel's storage session (WebRTC
 * ingestion) and answers the storage peer's offer; see kvssignalingsrc for
 * how, and for the element message `kvssignaling-storage` that names the
 * storage peer.
 *
 * ## Example launch line
 *
 * Master (VP8 video and Opus audio from test sources):
 * |[
 * gst-launch-1.0 webrtcbin name=wb bundle-policy=max-bundle \
 *   videotestsrc is-live=true ! vp8enc deadline=1 ! rtpvp8pay ! \
 *   application/x-rtp,media=video,encoding-name=VP8,payload=96 ! wb. \
 *   audiotestsrc is-live=true ! opusenc ! rtpopuspay ! \
 *   application/x-rtp,media=audio,encoding-name=OPUS,payload=97 ! wb. \
 *   kvssignalingsink role=master channel-name=demo aws-region=us-west-2 \
 *   kvssignalingsrc role=master channel-name=demo aws-region=us-west-2
 * ]|
 *
 * Viewer (receive only, from one line):
 * |[
 * gst-launch-1.0 webrtcbin name=wb bundle-policy=max-bundle \
 *   wb. ! rtpvp8depay ! vp8dec ! videoconvert ! autovideosink \
 *   kvssignalingsink role=viewer channel-name=demo client-id=viewer-1 \
 *   kvssignalingsrc role=viewer channel-name=demo client-id=viewer-1 \
 *     recv-caps="application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000"
 * ]|
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvssignalingsink.h"
#include "gstkvssignalingsrc.h"
#include "gstkvssignalingelements.h"
#include "gstkvswebrtcbinutils.h"

GST_DEBUG_CATEGORY_STATIC (kvs_signaling_sink_debug);
#define GST_CAT_DEFAULT kvs_signaling_sink_debug

enum
{
  SIGNAL_SEND_OFFER,
  SIGNAL_SEND_ANSWER,
  SIGNAL_SEND_ICE_CANDIDATE,
  SIGNAL_OFFER_SENT,
  SIGNAL_ANSWER_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _GstKvsSignalingSink
{
  GstKvsSignalingBase parent;

  gulong sent_handler;
};

G_DEFINE_TYPE (GstKvsSignalingSink, gst_kvs_signaling_sink,
    GST_TYPE_KVS_SIGNALING_BASE);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (kvssignalingsink, "kvssignalingsink",
    GST_RANK_NONE, GST_TYPE_KVS_SIGNALING_SINK,
    kvs_signaling_element_init (plugin));

/* Queue @msg; a failure is a warning and FALSE. */
static gboolean
send_message (GstKvsSignalingSink * self, GstKvsMessage * msg)
{
  g_autoptr (GstKvsConnection) connection =
      gst_kvs_signaling_base_dup_connection (GST_KVS_SIGNALING_BASE (self));
  g_autoptr (GError) err = NULL;

  if (connection == NULL) {
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("Cannot send %s: the element is not connected (state NULL).",
            gst_kvs_message_type_to_string (msg->type)), (NULL));
    return FALSE;
  }
  if (!gst_kvs_connection_send (connection, msg, &err)) {
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("Cannot send %s: %s", gst_kvs_message_type_to_string (msg->type),
            err->message), (NULL));
    return FALSE;
  }
  return TRUE;
}

static gchar *
next_correlation_id (GstKvsSignalingSink * self)
{
  g_autoptr (GstKvsConnection) connection =
      gst_kvs_signaling_base_dup_connection (GST_KVS_SIGNALING_BASE (self));

  return connection ? gst_kvs_connection_next_correlation_id (connection) :
      NULL;
}

static gchar *
pick_recipient (GstKvsSignalingSink * self, const gchar * recipient)
{
  if (recipient && *recipient)
    return g_strdup (recipient);
  return gst_kvs_signaling_base_dup_recipient (GST_KVS_SIGNALING_BASE (self));
}

static gboolean
send_sdp (GstKvsSignalingSink * self, GstKvsMessageType type,
    const gchar * recipient, GstWebRTCSessionDescription * desc)
{
  g_autofree gchar *to = pick_recipient (self, recipient);
  g_autofree gchar *corr = next_correlation_id (self);
  g_autofree gchar *text = NULL;
  g_autoptr (GstKvsMessage) msg = NULL;

  if (desc == NULL || desc->sdp == NULL) {
    GST_ELEMENT_WARNING (self, CORE, FAILED,
        ("Cannot send %s: no session description given.",
            gst_kvs_message_type_to_string (type)), (NULL));
    return FALSE;
  }
  text = gst_kvs_webrtc_sdp_to_text (desc->sdp);
  msg = gst_kvs_message_new_sdp (type, to, text, corr);
  return msg && send_message (self, msg);
}

static gboolean
gst_kvs_signaling_sink_send_offer (GstKvsSignalingSink * self,
    const gchar * recipient, GstWebRTCSessionDescription * desc)
{
  return send_sdp (self, GST_KVS_MESSAGE_TYPE_SDP_OFFER, recipient, desc);
}

static gboolean
gst_kvs_signaling_sink_send_answer (GstKvsSignalingSink * self,
    const gchar * recipient, GstWebRTCSessionDescription * desc)
{
  return send_sdp (self, GST_KVS_MESSAGE_TYPE_SDP_ANSWER, recipient, desc);
}

static gboolean
gst_kvs_signaling_sink_send_ice_candidate (GstKvsSignalingSink * self,
    const gchar * recipient, guint mline_index, const gchar * mid,
    const gchar * candidate)
{
  g_autofree gchar *to = pick_recipient (self, recipient);
  g_autofree gchar *corr = next_correlation_id (self);
  g_autoptr (GstKvsMessage) msg = NULL;

  if (candidate == NULL || *candidate == '\0')
    return FALSE;
  msg = gst_kvs_message_new_ice_candidate (to, candidate, mid,
      (gint) mline_index, corr);
  return msg && send_message (self, msg);
}

static void
on_message_sent (GstKvsConnection * connection, GstKvsMessage * msg,
    GstKvsSignalingSink * self)
{
  GstWebRTCSDPType type;
  guint signal_id;
  GstWebRTCSessionDescription *desc;

  if (msg->type == GST_KVS_MESSAGE_TYPE_SDP_OFFER) {
    type = GST_WEBRTC_SDP_TYPE_OFFER;
    signal_id = SIGNAL_OFFER_SENT;
  } else if (msg->type == GST_KVS_MESSAGE_TYPE_SDP_ANSWER) {
    type = GST_WEBRTC_SDP_TYPE_ANSWER;
    signal_id = SIGNAL_ANSWER_SENT;
  } else {
    return;
  }

  /* parsing the SDP again is for the handlers only: none, no parse (it
   * would run in the client thread right after the send) */
  if (!g_signal_has_handler_pending (self, signals[signal_id], 0, FALSE))
    return;
  desc = gst_kvs_webrtc_description_new (type, msg->sdp, NULL);
  g_signal_emit (self, signals[signal_id], 0, msg->recipient_client_id, desc,
      msg->correlation_id);
  if (desc)
    gst_webrtc_session_description_free (desc);
}

static void
gst_kvs_signaling_sink_attach (GstKvsSignalingBase * base,
    GstKvsConnection * connection)
{
  GstKvsSignalingSink *self = GST_KVS_SIGNALING_SINK (base);

  self->sent_handler = g_signal_connect (connection, "message-sent",
      G_CALLBACK (on_message_sent), self);
}

static void
gst_kvs_signaling_sink_detach (GstKvsSignalingBase * base,
    GstKvsConnection * connection)
{
  GstKvsSignalingSink *self = GST_KVS_SIGNALING_SINK (base);

  if (self->sent_handler)
    g_signal_handler_disconnect (connection, self->sent_handler);
  self->sent_handler = 0;
}

/* A master sink may start without a webrtcbin when a kvssignalingsrc next
 * to it hands out one per viewer. */
static gboolean
gst_kvs_signaling_sink_can_serve_without_webrtcbin (GstKvsSignalingBase * base)
{
  g_autoptr (GstObject) parent = gst_object_get_parent (GST_OBJECT (base));
  GstIterator *it;
  GValue item = G_VALUE_INIT;
  gboolean found = FALSE, done = FALSE;

  if (parent == NULL || !GST_IS_BIN (parent))
    return FALSE;

  it = gst_bin_iterate_elements (GST_BIN (parent));
  while (!done && !found) {
    switch (gst_iterator_next (it, &item)) {
      case GST_ITERATOR_OK:{
        GstElement *element = g_value_get_object (&item);

        if (GST_IS_KVS_SIGNALING_SRC (element)) {
          GstKvsSignalingBaseClass *klass =
              GST_KVS_SIGNALING_BASE_GET_CLASS (element);

          found =
              klass->can_serve_without_webrtcbin (GST_KVS_SIGNALING_BASE
              (element));
        }
        g_value_reset (&item);
        break;
      }
      case GST_ITERATOR_RESYNC:
        gst_iterator_resync (it);
        break;
      default:
        done = TRUE;
        break;
    }
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return found;
}

static void
gst_kvs_signaling_sink_class_init (GstKvsSignalingSinkClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstKvsSignalingBaseClass *base_class = GST_KVS_SIGNALING_BASE_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (kvs_signaling_sink_debug, "kvssignalingsink", 0,
      "KVS signaling: messages from webrtcbin to the channel");

  base_class->attach = gst_kvs_signaling_sink_attach;
  base_class->detach = gst_kvs_signaling_sink_detach;
  base_class->can_serve_without_webrtcbin =
      gst_kvs_signaling_sink_can_serve_without_webrtcbin;

  gst_element_class_set_static_metadata (element_class,
      "KVS WebRTC signaling sink", "Sink/Network/WebRTC",
      "Carries the offers, answers and ICE candidates of webrtcbin to an "
      "Amazon Kinesis Video Streams signaling channel",
      "kvssignaling developers");

  /**
   * GstKvsSignalingSink::send-offer:
   * @sink: the element
   * @recipient_client_id: ignored (a viewer's offer goes to the master)
   * @offer: the offer to send
   *
   * Action signal: send an offer on the channel.
   *
   * Returns: whether the offer was queued
   */
  signals[SIGNAL_SEND_OFFER] = g_signal_new_class_handler ("send-offer",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_kvs_signaling_sink_send_offer), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 2, G_TYPE_STRING,
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * GstKvsSignalingSink::send-answer:
   * @sink: the element
   * @recipient_client_id: the viewer to answer (NULL:
   *   #GstKvsSignalingBase:recipient-client-id)
   * @answer: the answer to send
   *
   * Action signal: send an answer on the channel.
   *
   * Returns: whether the answer was queued
   */
  signals[SIGNAL_SEND_ANSWER] = g_signal_new_class_handler ("send-answer",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_kvs_signaling_sink_send_answer), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 2, G_TYPE_STRING,
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * GstKvsSignalingSink::send-ice-candidate:
   * @sink: the element
   * @recipient_client_id: the viewer (master), ignored for a viewer
   * @mline_index: the m-line index of the candidate
   * @mid: the `a=mid` of that m-line, or NULL
   * @candidate: the candidate ("candidate:...")
   *
   * Action signal: send a local ICE candidate on the channel.
   *
   * Returns: whether the candidate was queued
   */
  signals[SIGNAL_SEND_ICE_CANDIDATE] =
      g_signal_new_class_handler ("send-ice-candidate",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_kvs_signaling_sink_send_ice_candidate), NULL, NULL,
      NULL, G_TYPE_BOOLEAN, 4, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING,
      G_TYPE_STRING);

  /**
   * GstKvsSignalingSink::offer-sent:
   * @sink: the element
   * @recipient_client_id: the recipient, NULL for a viewer's offer
   * @offer: the offer
   * @correlation_id: the correlation id it went out with
   *
   * An offer left on the WebSocket. Emitted from the signaling thread.
   */
  signals[SIGNAL_OFFER_SENT] = g_signal_new ("offer-sent",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, G_TYPE_STRING, GST_TYPE_WEBRTC_SESSION_DESCRIPTION |
      G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_STRING);

  /**
   * GstKvsSignalingSink::answer-sent:
   * @sink: the element
   * @recipient_client_id: the viewer answered
   * @answer: the answer
   * @correlation_id: the correlation id it went out with
   *
   * An answer left on the WebSocket. Emitted from the signaling thread.
   */
  signals[SIGNAL_ANSWER_SENT] = g_signal_new ("answer-sent",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, G_TYPE_STRING, GST_TYPE_WEBRTC_SESSION_DESCRIPTION |
      G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_STRING);
}

static void
gst_kvs_signaling_sink_init (GstKvsSignalingSink * self)
{
}
