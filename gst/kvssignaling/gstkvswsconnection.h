/* kvssignaling: one WebSocket connection to the signaling service.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include "gstkvstypes.h"
#include "gstkvsmessage.h"
#include "gstkvscredentials.h"
#include "gstkvschannelresolver.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_WS_CONNECTION (gst_kvs_ws_connection_get_type ())
G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GstKvsWsConnection, gst_kvs_ws_connection, GST_KVS,
    WS_CONNECTION, GObject)

/* Everything here runs in the client's thread (the session's context), and
 * the signals are emitted there:
 *  "message" (GstKvsMessage): a frame of a known type, decoded;
 *  "lost" (GError): the connection cannot be used any more: closed by the
 *    service (GST_KVS_ERROR_REPLACED when a newer connection of the same
 *    identity took its place) or silent for two keepalive intervals;
 *  "closed" (): a close of ours (gst_kvs_ws_connection_close()) finished;
 *  "max-age" (): the connection reached the age given to _start();
 *  "writable" (): the pacing that held a message back allows it now. */

/* Presigns the WebSocket URL for the channel @resolver found (endpoint,
 * ARN, clock offset), with @credentials for @region, and opens it.
 * @client_id: the viewer's, NULL for a master. A refused handshake gives a
 * GST_KVS_ERROR naming the HTTP status and the AWS error; a 403 showing a
 * clock skew corrects @resolver's clock offset. */
G_GNUC_INTERNAL
void gst_kvs_ws_connection_open_async (SoupSession * session,
    GstKvsChannelResolver * resolver, GstKvsCredentials * credentials,
    const gchar * region, GstKvsRole role, const gchar * client_id,
    gboolean replacement, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data);
G_GNUC_INTERNAL
GstKvsWsConnection *gst_kvs_ws_connection_open_finish (GAsyncResult * res,
    GError ** error);

/* The connection becomes the active one: pings every @keepalive_s (0:
 * none) with a liveness deadline, "max-age" after @max_age_s (0: never),
 * full pacing buckets. */
G_GNUC_INTERNAL
void gst_kvs_ws_connection_start (GstKvsWsConnection * self,
    guint keepalive_s, guint max_age_s);
G_GNUC_INTERNAL
gboolean gst_kvs_ws_connection_is_open (GstKvsWsConnection * self);
/* 0 when a message of @type may go now (a pacing token is taken), else
 * the milliseconds until it may ("writable" follows). */
G_GNUC_INTERNAL
guint gst_kvs_ws_connection_reserve (GstKvsWsConnection * self,
    GstKvsMessageType type);
G_GNUC_INTERNAL
void gst_kvs_ws_connection_send (GstKvsWsConnection * self,
    const gchar * frame);
/* Stops its timers and closes it (frames that still arrive are
 * delivered). TRUE when a close handshake began ("closed" follows), FALSE
 * when the connection was not open. */
G_GNUC_INTERNAL
gboolean gst_kvs_ws_connection_close (GstKvsWsConnection * self);

G_END_DECLS
