/* kvssignaling: one signaling connection to a KVS channel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include <gst/gst.h>
#include "gstkvstypes.h"
#include "gstkvssettings.h"
#include "gstkvserror.h"
#include "gstkvsmessage.h"
#include "gstkvsiceserver.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_SIGNALING_CLIENT (gst_kvs_signaling_client_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsSignalingClient, gst_kvs_signaling_client,
    GST_KVS, SIGNALING_CLIENT, GObject)

/**
 * GstKvsSignalingClient:
 *
 * Owns one thread and one GMainContext. The SoupSession, the control-plane
 * calls and the WebSocket live in that thread; public methods may be called
 * from any thread and marshal into it. Every signal is emitted from the
 * client's thread: handlers must not block.
 *
 * Properties (configuration is read at start()): "role", "channel-name",
 * "channel-arn", "region", "endpoint", "client-id", "access-key",
 * "secret-key" and "session-token" (write-only; may change at any time, the
 * next connect uses them), "profile", "ca-file", "create-channel",
 * "message-ttl", "max-payload-size", "keepalive-interval" (seconds between
 * WebSocket pings, default 10; a connection silent for two intervals is
 * replaced), "send-timeout" (seconds a queued message may wait for a
 * connection before "send-failed", default 60, 0 = for ever),
 * "request-timeout" (seconds each control-plane call and WebSocket
 * handshake, the make-before-break one included, may take before it is
 * abandoned and retried; default 20), "max-connection-age" (seconds after
 * which a connection is replaced, make before break, ahead of the service's
 * one-hour limit; default 3300, 0 = never; read at start), "state"
 * (read-only).
 *
 * Signals: "state-changed" (GstKvsSignalingState), "sdp-offer",
 * "sdp-answer", "ice-candidate", "status-response", "go-away",
 * "reconnect-ice-server" (each with the GstKvsMessage), "message-sent"
 * (GstKvsMessage), "send-failed" (GstKvsMessage, GError),
 * "ice-servers-changed" (), "error" (GError: the client gave up, state
 * FAILED), "connect-failed" (GstKvsSignalingState step, GError, guint
 * retry_ms: an attempt failed at @step, or the connection was lost (step
 * CONNECTED), and the client retries in @retry_ms; the error says why:
 * refused, DNS, TLS (GST_KVS_ERROR_TLS_CERTIFICATE), HTTP status and AWS
 * error name, or GST_KVS_ERROR_REPLACED when a newer connection of the same
 * identity took this one's place).
 *
 * Giving up (FAILED): the channel does not exist and create-channel is off;
 * credentials rejected three times in a row; the TLS certificate refused
 * three times in a row; a signature whose credential scope names another
 * region than the service's (GST_KVS_ERROR_REGION_MISMATCH, at once).
 * Replaced by a newer connection: the next attempt waits 30 s, doubling per
 * replacement up to 5 min, so that two masters of one channel do not
 * replace each other in a loop.
 */

GstKvsSignalingClient *gst_kvs_signaling_client_new (GstKvsRole role,
    const gchar * channel_name);
/* A client configured with @settings (its first block; the elements' part
 * is ignored). */
GstKvsSignalingClient *gst_kvs_signaling_client_new_from_settings (const
    GstKvsSettings * settings);

/* Check the configuration (channel name or ARN, client id rules, credentials
 * chain, region, endpoint) and start connecting in the client's thread.
 * Configuration errors are returned here; later failures arrive through
 * "state-changed", "error" and the reconnect policy. */
gboolean gst_kvs_signaling_client_start (GstKvsSignalingClient * self,
    GError ** error);

/* Close the WebSocket, cancel pending calls, join the thread. Idempotent;
 * safe from any thread except the client's own. */
void gst_kvs_signaling_client_stop (GstKvsSignalingClient * self);

/* Validate @msg for this client's role (returned synchronously as
 * GST_KVS_VALIDATION_ERROR) and queue it. Messages queued before the
 * connection is up go out in order once it is; "message-sent" or
 * "send-failed" reports each one. */
gboolean gst_kvs_signaling_client_send (GstKvsSignalingClient * self,
    GstKvsMessage * msg, GError ** error);

/* Replace the credentials used by the next signature (any thread). */
void gst_kvs_signaling_client_set_credentials (GstKvsSignalingClient * self,
    const gchar * access_key, const gchar * secret_key,
    const gchar * session_token);

GstKvsSignalingState gst_kvs_signaling_client_get_state (
    GstKvsSignalingClient * self);
GstKvsRole gst_kvs_signaling_client_get_role (GstKvsSignalingClient * self);
/* The viewer's client id (generated when none was set), NULL for a master. */
gchar *gst_kvs_signaling_client_dup_client_id (GstKvsSignalingClient * self);
/* The resolved channel ARN, NULL before DESCRIBE succeeded. */
gchar *gst_kvs_signaling_client_dup_channel_arn (GstKvsSignalingClient * self);
/* The resolved region. */
gchar *gst_kvs_signaling_client_dup_region (GstKvsSignalingClient * self);
/* Where the resolved region came from, in words ("AWS_REGION", "the
 * default: ...", ...); NULL before start(). */
gchar *gst_kvs_signaling_client_dup_region_source (
    GstKvsSignalingClient * self);
/* The last ICE server config (GstKvsIceServer), never NULL; empty until
 * GetIceServerConfig answers, which may be after CONNECTED
 * ("ice-servers-changed" says when). */
GPtrArray *gst_kvs_signaling_client_dup_ice_servers (
    GstKvsSignalingClient * self);

/* A snapshot of this connection's metrics, callable from any thread: a new
 * GstStructure named "kvssignaling-stats" (the name the elements' stats
 * property and bus message use too) with the fields
 *   state (GstKvsSignalingState), role (GstKvsRole),
 *   describe-time, create-time, get-endpoint-time, get-ice-config-time,
 *   connect-time (GstClockTime in ns: duration of the last such control-plane
 *     call / WebSocket handshake; absent when never made),
 *   messages-sent-sdp-offer, messages-sent-sdp-answer,
 *   messages-sent-ice-candidate,
 *   messages-received-sdp-offer, messages-received-sdp-answer,
 *   messages-received-ice-candidate, messages-received-status-response,
 *   messages-received-go-away, messages-received-reconnect-ice-server,
 *   reconnects, send-failures, ice-server-refreshes (guint64),
 *   queue-depth (guint: messages waiting to be sent),
 *   credentials-source (string: where the credentials in use came from,
 *     never a secret) and credentials-expiration (gint64, Unix seconds;
 *     0: they do not expire), once credentials were obtained. */
GstStructure *gst_kvs_signaling_client_get_stats (GstKvsSignalingClient * self);

G_END_DECLS
