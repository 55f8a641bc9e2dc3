/* kvssignaling: kvssignalingsrc, what the channel says to webrtcbin.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:element-kvssignalingsrc
 * @title: kvssignalingsrc
 * @see_also: kvssignalingsink, webrtcbin
 *
 * kvssignalingsrc brings what an Amazon Kinesis Video Streams signaling
 * channel says to a webrtcbin: the viewers' offers (as master), the master's
 * answer (as viewer), remote ICE candidates and the service's status
 * responses. With its partner kvssignalingsink, it connects a pipeline to a
 * channel as its master or as one of its viewers. A sink and a src with the
 * same connection settings in one process share one signaling connection.
 *
 * It is a plain element without pads: it talks to webrtcbin through
 * webrtcbin's signals. By default (#GstKvsSignalingBase:auto-negotiate) the
 * pair drives webrtcbin: a master answers each viewer's offer, a viewer
 * sends an offer and applies the answer, and ICE candidates trickle both
 * ways. An application may instead listen to #GstKvsSignalingSrc::offer-received
 * and friends and negotiate itself.
 *
 * A master with one webrtcbin serves one viewer; an application serves up to
 * ten by returning a new webrtcbin from #GstKvsSignalingSrc::request-webrtcbin.
 *
 * A viewer that offers again: an offer with the session id (`o=` line) of
 * the one already answered is a renegotiation of the same peer connection
 * and is applied on the same webrtcbin. An offer with another session id
 * comes from a new peer connection (the viewer restarted): with
 * request-webrtcbin the old session is torn down (#GstKvsSignalingSrc::peer-removed,
 * its webrtcbin released) and a new webrtcbin is requested for it; the
 * element's own single webrtcbin cannot be reset in GStreamer 1.22, so that
 * offer is refused with a warning (and counted in `refused-offers`): restart
 * the master pipeline, or serve viewers through request-webrtcbin.
 *
 * ## The storage session (WebRTC ingestion)
 *
 * With #GstKvsSignalingBase:join-storage-session on a master pair (set it
 * on both elements), the pair also sends its media to the channel's
 * storage session: Kinesis Video Streams records it into the stream of the
 * channel's media storage configuration, as kvswebrtcsink's property of
 * that name does. After the signaling connection connects, the pair calls
 * JoinStorageSession on the channel's WEBRTC endpoint (from a thread of its
 * own: nothing blocks the signaling, webrtcbin or streaming threads), and
 * the first offer from a new peer after it is the storage peer's. It goes
 * the way of every offer: with auto-negotiate=true the driven webrtcbin
 * answers it (the storage peer takes no viewer slot: a viewer beyond the
 * service's ten is still refused, the storage peer never); with
 * auto-negotiate=false the application gets it from
 * #GstKvsSignalingSrc::offer-received and answers it with the sink's
 * send-answer, as a viewer's.
 *
 * The application tells the storage peer apart by the element message
 * `kvssignaling-storage` with `event` "offer" and the storage peer's
 * `client-id`: it is posted from the signaling thread before the offer is
 * handed on (before #GstKvsSignalingSrc::offer-received of that offer), so
 * a synchronous bus handler (gst_bus_set_sync_handler()) sees it first;
 * its `event` "ended" (the storage session's connection failed or closed,
 * #GstKvsSignalingSrc::peer-removed) comes when the pair drives that
 * session. Storage peers' client ids change with every join.
 *
 * The pair joins again after every reconnect, when the storage session it
 * drives ends or fails, and when no offer comes within 30 s of a join,
 * after a backoff (100 ms doubling to 10 s, with jitter). The element's own
 * single webrtcbin serves one session in GStreamer 1.22: to serve the
 * storage peer of a later join (and viewers beside it) hand out a webrtcbin
 * per peer with #GstKvsSignalingSrc::request-webrtcbin.
 *
 * webrtcbin 1.22 answers an offered m-line only with a sending transceiver
 * whose caps intersect the offer's, and takes them from what its sink pad
 * received: with the property, the caps the driven webrtcbin's sink pads
 * receive keep the codec's fields only (media, encoding-name, clock-rate,
 * payload, ssrc), so that H.264 of any profile is answered (send the
 * parameter sets in band: rtph264pay config-interval=-1). The payload
 * types must still be those the storage peer offers (the local service's:
 * H.264 96, Opus 111): other ones end in an error naming them, and the
 * offer is not answered (webrtcbin 1.22 would abort the process);
 * kvswebrtcsink, which payloads for each peer, has no such constraint.
 *
 * The service stores H.264 video with Opus audio, both present: when the
 * driven webrtcbin's sink pads carry other media (VP8 or VP9 only, no
 * audio, ...), the element fails to start with an error naming what to
 * fix, before anything is sent (pads whose RTP caps are not known yet are
 * looked at again before each join). A channel without media storage
 * configured (the service's InvalidArgumentException), or credentials
 * without the permission, give one warning naming how to enable it, and no
 * further join until the next reconnect. A viewer pair (role=viewer)
 * ignores the property with a warning.
 *
 * Master recording its H.264 and Opus into the channel's stream (media
 * storage configured for demo):
 * |[
 * gst-launch-1.0 webrtcbin name=wb bundle-policy=max-bundle \
 *   videotestsrc is-live=true ! video/x-raw,width=640,height=480 ! \
 *     openh264enc ! rtph264pay config-interval=-1 ! \
 *     application/x-rtp,media=video,encoding-name=H264,payload=96 ! wb. \
 *   audiotestsrc is-live=true ! opusenc ! rtpopuspay ! \
 *     application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! wb. \
 *   kvssignalingsink role=master channel-name=demo webrtcbin-name=wb \
 *     join-storage-session=true \
 *   kvssignalingsrc role=master channel-name=demo webrtcbin-name=wb \
 *     join-storage-session=true
 * ]|
 *
 * While the signaling connection reconnects (service restart, network
 * drop, GO_AWAY), established WebRTC sessions keep flowing: nothing is
 * renegotiated.
 *
 * ## Bus messages
 *
 * The first element of a pair to start posts, as element messages:
 *
 * - `kvssignaling-state`: `state` (#GstKvsSignalingState), on each change of
 *   the signaling connection's state;
 * - `kvssignaling-stats`: the #GstKvsSignalingBase:stats structure plus
 *   `reason` (string): "state-changed" right after each
 *   `kvssignaling-state`, "negotiated" after each completed offer/answer
 *   exchange (its `offer-to-answer-time` is then set);
 * - `kvssignaling-message`: `direction` ("sent" or "received"), `type`
 *   (e.g. "SDP_OFFER"), `peer` and `correlation-id`, for each offer and
 *   answer;
 * - `kvssignaling-peer`: `peer` and `connection-state`
 *   (#GstWebRTCPeerConnectionState) of a WebRTC session;
 * - `kvssignaling-storage` (with #GstKvsSignalingBase:join-storage-session):
 *   `event` (string) "joined" (the service accepted a JoinStorageSession),
 *   "offer" (the storage peer offered; `client-id` (string) names it),
 *   "ended" (that session ended; `client-id`) or "failed" (no further join
 *   until the next reconnect), posted by the element that runs the storage
 *   session.
 *
 * Refused messages (STATUS_RESPONSE) and sessions that fail are warnings;
 * only what cannot heal is an error.
 *
 * Credentials, region and endpoint follow the AWS SDKs' chain when unset.
 * The plugin uses libsoup 3: it cannot be used in a process that loads
 * libsoup 2.
 *
 * ## Example launch line
 *
 * Master, streaming a test pattern:
 * |[
 * gst-launch-1.0 webrtcbin name=wb bundle-policy=max-bundle \
 *   videotestsrc is-live=true ! vp8enc deadline=1 ! rtpvp8pay ! \
 *   application/x-rtp,media=video,encoding-name=VP8,payload=96 ! wb. \
 *   kvssignalingsink role=master channel-name=demo webrtcbin-name=wb \
 *   kvssignalingsrc role=master channel-name=demo webrtcbin-name=wb
 * ]|
 *
 * Viewer, receiving and showing it:
 * |[
 * gst-launch-1.0 webrtcbin name=wb bundle-policy=max-bundle \
 *   wb. ! rtpvp8depay ! vp8dec ! videoconvert ! autovideosink \
 *   kvssignalingsink role=viewer channel-name=demo webrtcbin-name=wb \
 *   kvssignalingsrc role=viewer channel-name=demo webrtcbin-name=wb \
 *     recv-caps="application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000"
 * ]|
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvssignalingsrc.h"
#include "gstkvssignalingelements.h"
#include "gstkvswebrtcbinutils.h"

GST_DEBUG_CATEGORY_STATIC (kvs_signaling_src_debug);
#define GST_CAT_DEFAULT kvs_signaling_src_debug

enum
{
  SIGNAL_OFFER_RECEIVED,
  SIGNAL_ANSWER_RECEIVED,
  SIGNAL_ICE_CANDIDATE_RECEIVED,
  SIGNAL_STATUS_RESPONSE,
  SIGNAL_PEER_ADDED,
  SIGNAL_PEER_REMOVED,
  SIGNAL_REQUEST_WEBRTCBIN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _GstKvsSignalingSrc
{
  GstKvsSignalingBase parent;

  /* Handlers on the connection, set while attached. */
  gulong handlers[4];
};

G_DEFINE_TYPE (GstKvsSignalingSrc, gst_kvs_signaling_src,
    GST_TYPE_KVS_SIGNALING_BASE);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (kvssignalingsrc, "kvssignalingsrc",
    GST_RANK_NONE, GST_TYPE_KVS_SIGNALING_SRC,
    kvs_signaling_element_init (plugin));

static void
emit_sdp (GstKvsSignalingSrc * self, guint signal_id, GstWebRTCSDPType type,
    const GstKvsMessage * msg)
{
  g_autoptr (GError) err = NULL;
  GstWebRTCSessionDescription *desc;

  desc = gst_kvs_webrtc_description_new (type, msg->sdp, &err);
  if (desc == NULL) {
    GST_ELEMENT_WARNING (self, STREAM, DECODE,
        ("Ignoring a malformed %s from %s: %s",
            gst_webrtc_sdp_type_to_string (type),
            msg->sender_client_id ? msg->sender_client_id : "the master",
            err->message), (NULL));
    return;
  }
  g_signal_emit (self, signals[signal_id], 0, msg->sender_client_id, desc);
  gst_webrtc_session_description_free (desc);
}

static void
on_message_received (GstKvsConnection * connection, GstKvsMessage * msg,
    GstKvsSignalingSrc * self)
{
  switch (msg->type) {
    case GST_KVS_MESSAGE_TYPE_SDP_OFFER:
      emit_sdp (self, SIGNAL_OFFER_RECEIVED, GST_WEBRTC_SDP_TYPE_OFFER, msg);
      break;
    case GST_KVS_MESSAGE_TYPE_SDP_ANSWER:
      emit_sdp (self, SIGNAL_ANSWER_RECEIVED, GST_WEBRTC_SDP_TYPE_ANSWER, msg);
      break;
    case GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE:
      g_signal_emit (self, signals[SIGNAL_ICE_CANDIDATE_RECEIVED], 0,
          msg->sender_client_id, msg->sdp_mline_index < 0 ? G_MAXUINT :
          (guint) msg->sdp_mline_index, msg->sdp_mid, msg->candidate);
      break;
    case GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE:
      g_signal_emit (self, signals[SIGNAL_STATUS_RESPONSE], 0,
          msg->correlation_id, msg->error_type, msg->status_code,
          msg->description);
      break;
    default:
      break;
  }
}

static void
on_peer_added (GstKvsConnection * connection, const gchar * peer,
    GstKvsSignalingSrc * self)
{
  g_signal_emit (self, signals[SIGNAL_PEER_ADDED], 0, peer);
}

static void
on_peer_removed (GstKvsConnection * connection, const gchar * peer,
    GstKvsSignalingSrc * self)
{
  g_signal_emit (self, signals[SIGNAL_PEER_REMOVED], 0, peer);
}

static GstElement *
on_request_webrtcbin (GstKvsConnection * connection, const gchar * peer,
    GstKvsSignalingSrc * self)
{
  GstElement *webrtcbin = NULL;

  g_signal_emit (self, signals[SIGNAL_REQUEST_WEBRTCBIN], 0, peer, &webrtcbin);
  if (webrtcbin && g_strcmp0 (G_OBJECT_TYPE_NAME (webrtcbin),
          "GstWebRTCBin") != 0) {
    GST_ELEMENT_WARNING (self, CORE, FAILED,
        ("request-webrtcbin returned '%s', which is not a webrtcbin.",
            GST_OBJECT_NAME (webrtcbin)), (NULL));
    gst_clear_object (&webrtcbin);
  }
  return webrtcbin;
}

static void
gst_kvs_signaling_src_attach (GstKvsSignalingBase * base,
    GstKvsConnection * connection)
{
  GstKvsSignalingSrc *self = GST_KVS_SIGNALING_SRC (base);

  self->handlers[0] = g_signal_connect (connection, "message-received",
      G_CALLBACK (on_message_received), self);
  self->handlers[1] = g_signal_connect (connection, "peer-added",
      G_CALLBACK (on_peer_added), self);
  self->handlers[2] = g_signal_connect (connection, "peer-removed",
      G_CALLBACK (on_peer_removed), self);
  if (gst_kvs_signaling_base_get_auto_negotiate (base))
    self->handlers[3] = g_signal_connect (connection, "request-webrtcbin",
        G_CALLBACK (on_request_webrtcbin), self);
}

static void
gst_kvs_signaling_src_detach (GstKvsSignalingBase * base,
    GstKvsConnection * connection)
{
  GstKvsSignalingSrc *self = GST_KVS_SIGNALING_SRC (base);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (self->handlers); i++) {
    if (self->handlers[i])
      g_signal_handler_disconnect (connection, self->handlers[i]);
    self->handlers[i] = 0;
  }
}

static gboolean
gst_kvs_signaling_src_can_serve_without_webrtcbin (GstKvsSignalingBase * base)
{
  GstKvsRole role;

  g_object_get (base, "role", &role, NULL);
  return role == GST_KVS_ROLE_MASTER && g_signal_has_handler_pending (base,
      signals[SIGNAL_REQUEST_WEBRTCBIN], 0, FALSE);
}

static gboolean
first_element_wins (GSignalInvocationHint * ihint, GValue * return_accu,
    const GValue * handler_return, gpointer data)
{
  GObject *object = g_value_get_object (handler_return);

  g_value_set_object (return_accu, object);
  return object == NULL;
}

static void
gst_kvs_signaling_src_class_init (GstKvsSignalingSrcClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstKvsSignalingBaseClass *base_class = GST_KVS_SIGNALING_BASE_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (kvs_signaling_src_debug, "kvssignalingsrc", 0,
      "KVS signaling: messages from the channel to webrtcbin");

  base_class->attach = gst_kvs_signaling_src_attach;
  base_class->detach = gst_kvs_signaling_src_detach;
  base_class->can_serve_without_webrtcbin =
      gst_kvs_signaling_src_can_serve_without_webrtcbin;

  gst_element_class_set_static_metadata (element_class,
      "KVS WebRTC signaling source", "Source/Network/WebRTC",
      "Brings the offers, answers and ICE candidates of an Amazon Kinesis "
      "Video Streams signaling channel to webrtcbin",
      "kvssignaling developers");

  /**
   * GstKvsSignalingSrc::offer-received:
   * @src: the element
   * @sender_client_id: the viewer that sent the offer
   * @offer: the offer, valid during the emission (not copied for it:
   *   copy it to keep it)
   *
   * A viewer sent an offer (master only). Emitted from the signaling thread:
   * do not block.
   */
  signals[SIGNAL_OFFER_RECEIVED] = g_signal_new ("offer-received",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING,
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * GstKvsSignalingSrc::answer-received:
   * @src: the element
   * @sender_client_id: NULL: answers come from the master, which the
   *   service does not name
   * @answer: the answer, valid during the emission (not copied for it:
   *   copy it to keep it)
   *
   * The master answered this viewer's offer.
   */
  signals[SIGNAL_ANSWER_RECEIVED] = g_signal_new ("answer-received",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING,
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * GstKvsSignalingSrc::ice-candidate-received:
   * @src: the element
   * @sender_client_id: the viewer that sent it, NULL for the master
   * @mline_index: the m-line index (a guint, as in webrtcbin's
   *   add-ice-candidate and the sink's send-ice-candidate), G_MAXUINT when
   *   the peer sent only a mid
   * @mid: the sdpMid, or NULL
   * @candidate: the candidate ("candidate:...")
   *
   * A remote ICE candidate arrived.
   */
  signals[SIGNAL_ICE_CANDIDATE_RECEIVED] =
      g_signal_new ("ice-candidate-received", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4, G_TYPE_STRING,
      G_TYPE_UINT, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * GstKvsSignalingSrc::status-response:
   * @src: the element
   * @correlation_id: the correlation id of the refused message
   * @error_type: the AWS error name, e.g. InvalidArgumentException
   * @status_code: the HTTP-like status, e.g. 400
   * @description: the service's explanation
   *
   * The service refused a message this connection sent. A warning is posted
   * on the bus as well.
   */
  signals[SIGNAL_STATUS_RESPONSE] = g_signal_new ("status-response",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * GstKvsSignalingSrc::peer-added:
   * @src: the element
   * @client_id: the viewer's client id
   *
   * A master started a WebRTC session with a new viewer.
   */
  signals[SIGNAL_PEER_ADDED] = g_signal_new ("peer-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * GstKvsSignalingSrc::peer-removed:
   * @src: the element
   * @client_id: the viewer's client id, NULL for the master
   *
   * The WebRTC session with a peer failed or closed, or was replaced
   * because the viewer offered again from a new peer connection. A
   * webrtcbin returned for it by #GstKvsSignalingSrc::request-webrtcbin is
   * released by the element: the application may remove it from the
   * pipeline now (from its own thread, not from this handler), and a new
   * offer from the same viewer asks for a new one. Emitted from webrtcbin's thread (from the signaling
   * thread for a replaced session).
   */
  signals[SIGNAL_PEER_REMOVED] = g_signal_new ("peer-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * GstKvsSignalingSrc::request-webrtcbin:
   * @src: the element
   * @client_id: the viewer that sent an offer
   *
   * A master got an offer from a new viewer while its webrtcbin (if any) is
   * busy, or from a viewer that restarted (a new peer connection) after its
   * previous webrtcbin was released with #GstKvsSignalingSrc::peer-removed. Return a new reference to a webrtcbin already in the pipeline (and
   * linked to its sources) to serve that viewer, or NULL to refuse it. Up to
   * ten viewers, the service's limit. Emitted from the signaling thread.
   *
   * Returns: (transfer full) (nullable): the webrtcbin for @client_id
   */
  signals[SIGNAL_REQUEST_WEBRTCBIN] = g_signal_new ("request-webrtcbin",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, first_element_wins,
      NULL, NULL, GST_TYPE_ELEMENT, 1, G_TYPE_STRING);
}

static void
gst_kvs_signaling_src_init (GstKvsSignalingSrc * self)
{
}
