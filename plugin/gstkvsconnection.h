/* kvssignaling: one signaling connection shared by the elements that name the
 * same channel, and the webrtcbin sessions it drives.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>

G_BEGIN_DECLS

#define GST_TYPE_KVS_CONNECTION (gst_kvs_connection_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsConnection, gst_kvs_connection,
    GST, KVS_CONNECTION, GObject)

/* The connection's settings are the library's #GstKvsSettings: the
 * elements fill them, the client takes them
 * (gst_kvs_signaling_client_new_from_settings()), and the registry keys on
 * them (gst_kvs_connection_settings_key()). */
GstKvsConnection *gst_kvs_connection_new (const GstKvsSettings *
    settings);

GstKvsSignalingClient *gst_kvs_connection_get_client (GstKvsConnection * self);
GstKvsRole gst_kvs_connection_get_role (GstKvsConnection * self);

/* Elements using the connection. The first attached element posts the
 * connection's errors and messages on the bus. */
void gst_kvs_connection_attach_element (GstKvsConnection * self,
    GstElement * element);
void gst_kvs_connection_detach_element (GstKvsConnection * self,
    GstElement * element);

/* Hand @webrtcbin to the connection to drive (auto-negotiate). A viewer binds
 * it to the master at once; a master keeps it for the next new viewer.
 * Counted per webrtcbin: the pair attaches the same one twice. */
gboolean gst_kvs_connection_add_webrtcbin (GstKvsConnection * self,
    GstElement * webrtcbin, GError ** error);
void gst_kvs_connection_remove_webrtcbin (GstKvsConnection * self,
    GstElement * webrtcbin);

/* The settings the connection was made with (never change). */
const GstKvsSettings *gst_kvs_connection_get_settings (GstKvsConnection *
    self);

/* Master: @peer (NULL: none) is the storage session's (WebRTC ingestion,
 * JoinStorageSession): its offer is never refused for the viewers' limit
 * and its session does not count in it. */
void gst_kvs_connection_set_storage_peer (GstKvsConnection * self,
    const gchar * peer);

/* Master: the element that runs the connection's storage session (the
 * first of a pair's elements with join-storage-session to claim it): TRUE
 * for @owner once claimed by it, until unclaimed. */
gboolean gst_kvs_connection_claim_storage (GstKvsConnection * self,
    gpointer owner);
void gst_kvs_connection_unclaim_storage (GstKvsConnection * self,
    gpointer owner);

/* Master, from a "message-received" handler of @peer's offer (the client's
 * thread): that offer is not handed to a webrtcbin (counted in
 * refused-offers); the handler posted why. */
void gst_kvs_connection_drop_offer (GstKvsConnection * self,
    const gchar * peer);

/* Master: whether a WebRTC session with viewer @peer is driven. */
gboolean gst_kvs_connection_has_peer (GstKvsConnection * self,
    const gchar * peer);

/* From a request-webrtcbin handler that returns NULL: why the viewer is
 * refused (e.g. "already serving max-viewers=2 viewers"); the connection's
 * one warning about the refusal says it. */
void gst_kvs_connection_refuse_viewer (GstKvsConnection * self,
    const gchar * reason);

/* Counted: the first start() starts the client, the last stop() stops it. */
gboolean gst_kvs_connection_start (GstKvsConnection * self, GError ** error);
void gst_kvs_connection_stop (GstKvsConnection * self);

/* Stop the client and close every session (they reference the connection).
 * The registry calls it when the last user is gone. */
void gst_kvs_connection_close (GstKvsConnection * self);

/* Queue a message; fills in the correlation id rule. */
gboolean gst_kvs_connection_send (GstKvsConnection * self,
    GstKvsMessage * msg, GError ** error);

/* A fresh correlation id according to the settings. */
gchar *gst_kvs_connection_next_correlation_id (GstKvsConnection * self);

GstKvsSignalingState gst_kvs_connection_get_state (GstKvsConnection * self);
GstStructure *gst_kvs_connection_dup_stats (GstKvsConnection * self);

/* Forward new credentials to the client (used while PLAYING). */
void gst_kvs_connection_set_credentials (GstKvsConnection * self,
    const gchar * access_key, const gchar * secret_key,
    const gchar * session_token);

/* Signals emitted by the connection, from the client's thread:
 *  "message-received" (GstKvsMessage): every SDP, ICE and status message;
 *  "message-sent" (GstKvsMessage);
 *  "state-changed" (GstKvsSignalingState);
 *  "peer-added" (gchararray), "peer-removed" (gchararray);
 *  "request-webrtcbin" (gchararray) -> GstElement* (transfer full), first
 *    non-NULL wins. */

G_END_DECLS
