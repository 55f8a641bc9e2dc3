/* kvs-signaling-server: one signaling channel, its connections and the
 * messages held for absent clients.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "kvsconnection.h"
#include "kvsserverconfig.h"

G_BEGIN_DECLS

#define KVS_TYPE_CHANNEL (kvs_channel_get_type ())
G_DECLARE_FINAL_TYPE (KvsChannel, kvs_channel, KVS, CHANNEL, GObject)

/**
 * KvsChannel:
 *
 * A SINGLE_MASTER channel. Routes what its connections send: viewer to
 * master (with senderClientId), master to the named viewer (without).
 * Messages for a client that is not connected are held for the message TTL
 * and delivered in order when it connects; a newer held offer (or answer)
 * from the same sender to the same recipient replaces the older one; ICE
 * candidates queue. At most config->max_queue messages are held per
 * recipient: more are refused with ClientLimitExceededException.
 */
KvsChannel *kvs_channel_new (const gchar * name, const gchar * arn,
    guint message_ttl, gint64 creation_time_ms, const gchar * version,
    const KvsServerConfig * config, KvsCounters * counters);

const gchar *kvs_channel_get_name (KvsChannel * self);
const gchar *kvs_channel_get_arn (KvsChannel * self);
const gchar *kvs_channel_get_version (KvsChannel * self);
guint kvs_channel_get_message_ttl (KvsChannel * self);
gint64 kvs_channel_get_creation_time_ms (KvsChannel * self);
/* The hold time in force: --message-ttl, else MessageTtlSeconds (seconds). */
guint kvs_channel_get_hold_time (KvsChannel * self);

/* UpdateSignalingChannel: a new MessageTtlSeconds (0: unchanged) and
 * Version. Messages held from now on are held for the new time. */
void kvs_channel_update (KvsChannel * self, guint message_ttl,
    const gchar * version);

/* The channel's tags: key -> value (owned by the channel). */
GHashTable *kvs_channel_get_tags (KvsChannel * self);

/* The media storage configuration (UpdateMediaStorageConfiguration): the
 * stream's ARN (NULL: none) and whether storage is ENABLED. */
void kvs_channel_set_media_storage (KvsChannel * self,
    const gchar * stream_arn, gboolean enabled);
const gchar *kvs_channel_get_media_storage (KvsChannel * self,
    gboolean * enabled);

/* The storage session (JoinStorageSession): the master's messages to
 * @client_id go to @func instead of a viewer; @user_data is released with
 * @notify when the session ends: when the master leaves or is replaced, a
 * newer session is set, the channel goes away, or client_id NULL is set. */
typedef void (*KvsChannelPeerFunc) (KvsChannel * channel,
    const GstKvsMessage * msg, gpointer user_data);
void kvs_channel_set_storage_peer (KvsChannel * self, const gchar * client_id,
    KvsChannelPeerFunc func, gpointer user_data, GDestroyNotify notify);
/* The storage peer's client id, NULL without a session. */
const gchar *kvs_channel_get_storage_peer (KvsChannel * self);
/* Send @payload (base64) to the master as the storage peer's message of
 * @type; FALSE without a session or a connected master. */
gboolean kvs_channel_send_from_storage_peer (KvsChannel * self,
    GstKvsMessageType type, const gchar * payload);

/* JoinStorageSessionAsViewer: viewers joined to the storage session talk to
 * it instead of the master. @func gets each event of viewer @viewer_id:
 * JOINED, a MESSAGE (@msg) it sent, LEFT (its connection closed or was
 * replaced); with the session's user_data. Set by the session after
 * kvs_channel_set_storage_peer(); cleared with the session. */
typedef enum
{
  KVS_STORAGE_VIEWER_JOINED,
  KVS_STORAGE_VIEWER_MESSAGE,
  KVS_STORAGE_VIEWER_LEFT,
} KvsStorageViewerEvent;
typedef void (*KvsChannelStorageViewerFunc) (KvsChannel * channel,
    const gchar * viewer_id, KvsStorageViewerEvent event,
    const GstKvsMessage * msg, gpointer user_data);
void kvs_channel_set_storage_viewer_func (KvsChannel * self,
    KvsChannelStorageViewerFunc func);
/* Join the connected viewer @client_id to the storage session (again: a
 * new offer). FALSE and @error without a session (RESOURCE_NOT_FOUND) or
 * when @max viewers are joined already (CLIENT_LIMIT_EXCEEDED). */
gboolean kvs_channel_join_storage_viewer (KvsChannel * self,
    const gchar * client_id, guint max, GError ** error);
/* Send @payload (base64) to joined viewer @viewer_id as the storage
 * session's message of @type (no senderClientId, as the master's); FALSE
 * when that viewer is not joined or not connected. */
gboolean kvs_channel_send_to_storage_viewer (KvsChannel * self,
    const gchar * viewer_id, GstKvsMessageType type, const gchar * payload);

/* SendAlexaOfferToMaster: what the master answered a relayed offer (its
 * base64 messagePayload), or NULL and @error when there will be none: the
 * channel was deleted (RESOURCE_NOT_FOUND), a newer offer of the same
 * sender replaced this one (CLIENT_LIMIT_EXCEEDED). */
typedef void (*KvsChannelAnswerFunc) (KvsChannel * channel,
    const gchar * answer_payload, const GError * error, gpointer user_data);

/* Relay the offer @payload (base64, as a viewer's messagePayload) to the
 * master as viewer @sender_id's, held like any viewer's offer while no
 * master is connected; the master's SDP answer to @sender_id goes to @func
 * instead of a viewer. An offer of @sender_id still waiting is replaced
 * (its @func gets CLIENT_LIMIT_EXCEEDED), as a newer held offer replaces an
 * older one. FALSE (CLIENT_LIMIT_EXCEEDED) when the master's hold queue is
 * full. */
gboolean kvs_channel_relay_offer (KvsChannel * self, const gchar * sender_id,
    const gchar * payload, KvsChannelAnswerFunc func, gpointer user_data,
    GError ** error);
/* Stop waiting for the answer to @sender_id's offer. */
void kvs_channel_cancel_offer (KvsChannel * self, const gchar * sender_id);

/* ChannelInfo as DescribeSignalingChannel returns it. */
JsonNode *kvs_channel_info_to_json (KvsChannel * self);

/* Whether a viewer @client_id may connect now (the id is connected already,
 * or fewer than max_viewers viewers are). */
gboolean kvs_channel_can_accept_viewer (KvsChannel * self,
    const gchar * client_id);

/* Whether a WebSocket connect at @now_us (monotonic) is admitted under
 * config->max_connects_per_second (0: always); an admitted one counts
 * against the next second. */
gboolean kvs_channel_admit_connect (KvsChannel * self, gint64 now_us);

/* Take @conn as the channel's master (replacing and closing the previous
 * one) or as viewer (replacing one with the same id), then deliver what is
 * held for it. */
void kvs_channel_attach (KvsChannel * self, KvsConnection * conn);

/* The master (@client_id NULL) or a viewer; NULL if not connected. */
KvsConnection *kvs_channel_lookup (KvsChannel * self, GstKvsRole role,
    const gchar * client_id);
/* Master first, then viewers (transfer container). */
GList *kvs_channel_list_connections (KvsChannel * self);

/* Close every connection (the channel is being deleted) and forget what is
 * held. */
void kvs_channel_shutdown (KvsChannel * self);

/* For GET /_control/queues. */
JsonNode *kvs_channel_queues_to_json (KvsChannel * self);

G_END_DECLS
