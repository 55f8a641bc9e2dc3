/* kvs-signaling-server: one signaling WebSocket (a master or a viewer).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "gstkvstypes.h"
#include "gstkvsmessage.h"
#include "kvsserverconfig.h"
#include "kvsactivitystream.h"

G_BEGIN_DECLS

#define KVS_TYPE_CONNECTION (kvs_connection_get_type ())
G_DECLARE_FINAL_TYPE (KvsConnection, kvs_connection, KVS, CONNECTION, GObject)

/**
 * KvsConnection:
 *
 * Reads frames, checks them (size, type, JSON, fields, role rules, rate) and
 * emits "message" (GstKvsMessage) for each valid one; answers invalid ones
 * with STATUS_RESPONSE when they carry a correlationId. Owns the idle timer
 * (any byte received counts, pings included) and the maximum duration
 * (GO_AWAY, then a 1001 close after the grace period). Emits "closed" once,
 * when the WebSocket is gone.
 */
KvsConnection *kvs_connection_new (SoupWebsocketConnection * ws,
    KvsActivityStream * stream, GSocket * socket,
    GSocketAddress * remote_address, const gchar * channel_arn,
    GstKvsRole role, const gchar * client_id, const KvsServerConfig * config,
    KvsCounters * counters);

const gchar *kvs_connection_get_channel_arn (KvsConnection * self);
GstKvsRole kvs_connection_get_role (KvsConnection * self);
/* The viewer's client id; NULL for a master. */
const gchar *kvs_connection_get_client_id (KvsConnection * self);
/* For logs: "master" or "viewer 'id'". */
const gchar *kvs_connection_get_description (KvsConnection * self);
gboolean kvs_connection_is_open (KvsConnection * self);

/* Send one text frame; FALSE when the connection is no longer open. */
gboolean kvs_connection_send_frame (KvsConnection * self, const gchar * frame);
/* Report a failed message: STATUS_RESPONSE when @correlation_id is set,
 * otherwise nothing goes out (as AWS does). Returns TRUE when a frame was
 * sent. */
gboolean kvs_connection_send_status (KvsConnection * self,
    const gchar * correlation_id, const gchar * error_type,
    guint status_code, const gchar * description);

/* Like kvs_connection_send_status() but also without a correlationId (the
 * statusResponse then has none): for refusals that must never be silent. */
gboolean kvs_connection_send_status_always (KvsConnection * self,
    const gchar * correlation_id, const gchar * error_type,
    guint status_code, const gchar * description);

/* {"messageType":"GO_AWAY"}, then a 1001 close after the grace period. */
void kvs_connection_go_away (KvsConnection * self);
/* {"messageType":"RECONNECT_ICE_SERVER"}. */
void kvs_connection_reconnect_ice_server (KvsConnection * self);
/* Orderly close; messages still arriving are ignored from now on. */
void kvs_connection_close (KvsConnection * self, gushort code,
    const gchar * reason);
/* Orderly close of a connection replaced by a newer one of the same
 * identity: what it still receives until the close completes is relayed
 * ("message" is still emitted). */
void kvs_connection_retire (KvsConnection * self, gushort code,
    const gchar * reason);
/* Abrupt end: the TCP connection is shut down without a close frame. */
void kvs_connection_drop (KvsConnection * self);

/* For GET /_control/connections. */
JsonNode *kvs_connection_to_json (KvsConnection * self,
    const gchar * channel_name);

G_END_DECLS
