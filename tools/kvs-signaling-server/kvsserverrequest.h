/* kvs-signaling-server: the request handling of the service without a
 * SoupServerMessage: the REST operations (kvsrestapi.c) and the query of a
 * WebSocket upgrade (kvsserver.c), and what they share. The fuzz target
 * tests/fuzz/fuzz-server-request.c drives them directly.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvstypes.h"
#include "kvsserver.h"

G_BEGIN_DECLS

/* A channel's MessageTtlSeconds. */
#define KVS_SERVER_MIN_TTL 5
#define KVS_SERVER_MAX_TTL 120

/* @body (NULL = {}) as JSON text. */
gchar *kvs_server_json_text (JsonNode * body, gsize * len);
/* An AWS error body: {"message": @message}. */
gchar *kvs_server_error_text (const gchar * message, gsize * len);

/* What the REST operations need of the server. */
gboolean kvs_server_is_tls (KvsServer * self);
/* "127.0.0.1:4566": the address the server listens on. */
const gchar *kvs_server_get_listen_authority (KvsServer * self);
/* A new random channel Version (20 letters and digits). */
gchar *kvs_server_new_version (void);
/* Shuts the channel's connections down and forgets it. */
void kvs_server_delete_channel (KvsServer * self, KvsChannel * channel);

/* A ChannelARN as AWS's constraint on it reads it (INVALID_ARGUMENT,
 * worded as AWS words it, when it is not). */
gboolean kvs_rest_validate_arn (const gchar * arn, GError ** error);

/* Whether POST @path is a REST operation ("/createSignalingChannel",
 * "/v1/get-ice-server-config", ...). */
gboolean kvs_server_is_rest_operation (const gchar * path);

/* Run the REST operation at @path on the request @body (@len bytes of JSON;
 * none = {}) of an authenticated POST. @host: the request's Host header
 * (NULL: the listen address goes into endpoints). Returns the reply body
 * (JSON text) and sets @status and @error_type (x-amzn-ErrorType, NULL on
 * success). An unknown @path gives 404 UnknownOperationException. */
gchar *kvs_server_dispatch_rest (KvsServer * self, const gchar * path,
    const gchar * body, gsize len, const gchar * host, guint * status,
    const gchar ** error_type);
/* The same for the request @msg: NULL when the operation answers @msg
 * later itself (SendAlexaOfferToMaster waits for the master's answer). */
gchar *kvs_server_dispatch_rest_message (KvsServer * self,
    SoupServerMessage * msg, const gchar * path, const gchar * body,
    gsize len, const gchar * host, guint * status, const gchar ** error_type);

/**
 * KvsUpgradeCheck:
 *
 * What kvs_server_check_upgrade() decided: on refusal the HTTP @status,
 * @error_type and @message of the reply; when accepted the channel and the
 * client.
 */
typedef struct
{
  guint status;
  const gchar *error_type;
  gchar *message;
  gchar *channel_arn;
  GstKvsRole role;
  gchar *client_id;             /* the viewer's id; NULL for the master */
} KvsUpgradeCheck;

/* Check the request of a WebSocket upgrade: the presigned SigV4 query
 * (unless the server runs without auth), X-Amz-ChannelARN, X-Amz-ClientId,
 * that the channel exists and has room for the viewer. @host: the Host
 * header. Counts refusals. Clear @check with kvs_upgrade_check_clear(). */
gboolean kvs_server_check_upgrade (KvsServer * self, const gchar * path,
    const gchar * query, const gchar * host, KvsUpgradeCheck * check);
void kvs_upgrade_check_clear (KvsUpgradeCheck * check);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KvsUpgradeCheck, kvs_upgrade_check_clear);

G_END_DECLS
