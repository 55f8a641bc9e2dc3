/* kvssignaling: the offer/answer and trickle-ICE binding of one webrtcbin to
 * one remote peer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

#define GST_TYPE_KVS_WEBRTC_SESSION (gst_kvs_webrtc_session_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsWebrtcSession, gst_kvs_webrtc_session,
    GST, KVS_WEBRTC_SESSION, GObject)

/**
 * GstKvsWebrtcSessionCallbacks:
 * @send_sdp: a local offer or answer is ready for the peer.
 * @send_candidate: a local ICE candidate is ready for the peer; @mid is the
 *   real `a=mid` of m-line @mline_index in the local description (NULL when
 *   the description has none).
 * @problem: something failed; @fatal means the session cannot go on.
 * @connection_state: webrtcbin's peer connection state changed.
 *
 * Called from webrtcbin's thread or from the thread that called into the
 * session. They must not block. The owner passed to
 * gst_kvs_webrtc_session_new() is kept alive while a callback runs.
 */
typedef struct {
  void (*send_sdp) (GstKvsWebrtcSession * session, GstWebRTCSDPType type,
      const gchar * sdp, gpointer owner);
  void (*send_candidate) (GstKvsWebrtcSession * session, guint mline_index,
      const gchar * mid, const gchar * candidate, gpointer owner);
  void (*problem) (GstKvsWebrtcSession * session, gboolean fatal,
      const gchar * what, const gchar * reason, gpointer owner);
  void (*connection_state) (GstKvsWebrtcSession * session,
      GstWebRTCPeerConnectionState state, gpointer owner);
} GstKvsWebrtcSessionCallbacks;

/* @offerer: TRUE for a viewer (creates the offer when webrtcbin needs
 * negotiation and the session is prepared or ready), FALSE for a master
 * (answers).
 * @peer_id: the remote client id, NULL for the master as seen by a viewer.
 * @owner: a GObject kept (referenced) until gst_kvs_webrtc_session_close(). */
GstKvsWebrtcSession *gst_kvs_webrtc_session_new (GstElement * webrtcbin,
    gboolean offerer, const gchar * peer_id,
    const GstKvsWebrtcSessionCallbacks * callbacks, GObject * owner);

GstElement *gst_kvs_webrtc_session_get_webrtcbin (GstKvsWebrtcSession * self);
const gchar *gst_kvs_webrtc_session_get_peer_id (GstKvsWebrtcSession * self);

/* Offerer: the signaling connection is being set up; the offer may be made
 * now (webrtcbin's DTLS certificate, the local description, ICE gathering)
 * while it is. The offer and the candidates are held until
 * gst_kvs_webrtc_session_set_ready(). Idempotent. */
void gst_kvs_webrtc_session_prepare (GstKvsWebrtcSession * self);
gboolean gst_kvs_webrtc_session_is_prepared (GstKvsWebrtcSession * self);

/* The signaling path is up: an offerer sends what it held (its offer, then
 * its candidates, in order) and from now on sends as it goes; one that was
 * not prepared makes its offer now. */
void gst_kvs_webrtc_session_set_ready (GstKvsWebrtcSession * self);

/* Remote messages, from any thread. Candidates that arrive before the remote
 * description is applied are held and applied after it. @mline_index < 0
 * means absent: the index is found from @mid in the remote description. */
void gst_kvs_webrtc_session_handle_offer (GstKvsWebrtcSession * self,
    const gchar * sdp);
void gst_kvs_webrtc_session_handle_answer (GstKvsWebrtcSession * self,
    const gchar * sdp);
void gst_kvs_webrtc_session_handle_candidate (GstKvsWebrtcSession * self,
    gint mline_index, const gchar * mid, const gchar * candidate);

/* webrtcbin's peer connection state as last notified (NEW before any). */
GstWebRTCPeerConnectionState gst_kvs_webrtc_session_get_connection_state (
    GstKvsWebrtcSession * self);

/* Master: whether @offer (SDP text) comes from the peer connection this
 * session already negotiated with (same `o=` username and session id), i.e.
 * is a renegotiation webrtcbin can apply. TRUE before any offer. A viewer
 * that restarted (a new peer connection) has a new session id. */
gboolean gst_kvs_webrtc_session_is_same_peer_connection (
    GstKvsWebrtcSession * self, const gchar * offer);

/* Number of remote candidates held, waiting for the remote description. */
guint gst_kvs_webrtc_session_get_held_candidates (GstKvsWebrtcSession * self);

/* Disconnect from webrtcbin and drop the owner; no callback runs after this
 * returns except one already running. Idempotent. */
void gst_kvs_webrtc_session_close (GstKvsWebrtcSession * self);

G_END_DECLS
