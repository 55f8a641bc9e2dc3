/* kvs-signaling-server: the HTTP service (REST API, SigV4, WebSocket
 * upgrades) and the channels it holds.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "kvsserverconfig.h"
#include "kvschannel.h"
#include "kvscredentialstore.h"
#include "kvsiotca.h"

G_BEGIN_DECLS

#define KVS_TYPE_SERVER (kvs_server_get_type ())
G_DECLARE_FINAL_TYPE (KvsServer, kvs_server, KVS, SERVER, GObject)

/* @config must outlive the server. */
KvsServer *kvs_server_new (const KvsServerConfig * config);

/* Listen, pre-create config->create_channels, enable the control API. */
gboolean kvs_server_start (KvsServer * self, GError ** error);
/* Close every WebSocket (1001) and stop listening. */
void kvs_server_stop (KvsServer * self);

/* "http://127.0.0.1:4566" (https with TLS); valid after start. */
const gchar *kvs_server_get_base_url (KvsServer * self);
SoupServer *kvs_server_get_soup_server (KvsServer * self);
const KvsServerConfig *kvs_server_get_config (KvsServer * self);
KvsCounters *kvs_server_get_counters (KvsServer * self);

/* CreateSignalingChannel (GST_KVS_ERROR on failure). @message_ttl 0 = the
 * default (60). Returns the channel (owned by the server). */
KvsChannel *kvs_server_create_channel (KvsServer * self, const gchar * name,
    guint message_ttl, GError ** error);
/* By ARN when @arn is set, else by name; NULL when unknown. */
KvsChannel *kvs_server_lookup_channel (KvsServer * self, const gchar * name,
    const gchar * arn);
/* In creation order (owned by the server). */
GPtrArray *kvs_server_get_channels (KvsServer * self);
/* The Kinesis video streams (KvsStream), in creation order (owned by the
 * server; kvsreststorage.c adds and removes them). */
GPtrArray *kvs_server_get_streams (KvsServer * self);
/* Every open or closing WebSocket (transfer container). */
GList *kvs_server_list_connections (KvsServer * self);

/* Reply to @msg with @status, a JSON @body (NULL = {}), Content-Type,
 * x-amzn-RequestId and, when @error_type is set, x-amzn-ErrorType. */
void kvs_server_reply (SoupServerMessage * msg, guint status,
    const gchar * error_type, JsonNode * body);
/* An AWS error reply: {"message": @message}. */
void kvs_server_reply_error (SoupServerMessage * msg, guint status,
    const gchar * error_type, const gchar * message);

/* What the SigV4 check of a request found. */
typedef enum
{
  KVS_AUTH_OK,
  KVS_AUTH_MISSING,             /* no Authorization header */
  KVS_AUTH_SIGNATURE,           /* malformed, wrong or expired signature */
  KVS_AUTH_UNKNOWN_KEY,         /* unknown key, or a wrong session token */
  KVS_AUTH_EXPIRED_TOKEN,       /* vended credentials past their expiry */
} KvsAuthResult;

/* Check the SigV4 header signature of @msg (@body: its body) for @service
 * in @region, signed by --access-key or by vended credentials with their
 * session token (X-Amz-Security-Token). Counts failures; @message gets
 * AWS's wording (never a secret). On success *@access_key_id (optional)
 * gets the key that signed. */
KvsAuthResult kvs_server_authenticate (KvsServer * self,
    SoupServerMessage * msg, GBytes * body, const gchar * region,
    const gchar * service, gchar ** access_key_id, gchar ** message);

/* "https://127.0.0.1:PORT" of the IoT credentials provider (--iot-listen),
 * NULL without it; valid after start. */
const gchar *kvs_server_get_iot_base_url (KvsServer * self);

/* The IoT CA that issues device certificates (--iot-listen with
 * --iot-ca-dir), NULL otherwise. */
KvsIotCa *kvs_server_get_iot_ca (KvsServer * self);

/* The credentials the service vends. */
KvsCredentialStore *kvs_server_get_credential_store (KvsServer * self);
/* A new credential set (counted). */
const KvsCredential *kvs_server_issue_credentials (KvsServer * self,
    const gchar * source, const gchar * role_name, const gchar * session_name);

G_END_DECLS
