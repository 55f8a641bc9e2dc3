/* kvs-signaling-server: the test control API (/_control, --control only).
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GET  /_control/connections   every WebSocket: channel, role, client id, since
 * GET  /_control/queues        messages held per channel and recipient
 * GET  /_control/counters      what the service did (KvsCounters)
 * POST /_control/go-away       send GO_AWAY, close 1001 after --go-away-grace
 * POST /_control/reconnect-ice-server   send RECONNECT_ICE_SERVER
 * POST /_control/drop          shut the TCP connection down, no close frame
 * POST /_control/expire-credentials   every credential set vended so far
 *                              expires now: {"affected": n still valid}
 * POST /_control/iot-certificate   {"thingName": "…"}: a new key pair and
 *                              device certificate from the IoT CA
 *                              (--iot-listen, --iot-ca-dir), as AWS IoT's
 *                              CreateKeysAndCertificate answers:
 *                              {certificateArn, certificateId,
 *                              certificatePem, keyPair: {PublicKey,
 *                              PrivateKey}}; the private key is in this
 *                              reply only (never logged)
 *
 * POST bodies: {"channelArn": "…"} or {"channelName": "…"}, plus
 * {"clientId": "…"} for one viewer or {"role": "master"} for the master;
 * neither selects every connection of the channel. Reply:
 * {"affected": n}; 404 when nothing matches. No authentication at all.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include "kvscontrolapi.h"

GST_DEBUG_CATEGORY_STATIC (kvs_control_api_debug);
#define GST_CAT_DEFAULT kvs_control_api_debug

struct _KvsControlApi
{
  GObject parent;

  KvsServer *server;            /* owns us */
};

G_DEFINE_FINAL_TYPE (KvsControlApi, kvs_control_api, G_TYPE_OBJECT);

static void
kvs_control_api_class_init (KvsControlApiClass * klass)
{
  GST_DEBUG_CATEGORY_INIT (kvs_control_api_debug, "kvsservercontrol", 0,
      "kvs-signaling-server test control API");
}

static void
kvs_control_api_init (KvsControlApi * self)
{
}

static JsonNode *
kvs_control_api_connections (KvsControlApi * self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  GPtrArray *channels = kvs_server_get_channels (self->server);
  GList *conns, *l;

  conns = kvs_server_list_connections (self->server);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "connections");
  json_builder_begin_array (b);
  for (l = conns; l; l = l->next) {
    KvsConnection *conn = l->data;
    KvsChannel *channel = kvs_server_lookup_channel (self->server, NULL,
        kvs_connection_get_channel_arn (conn));

    json_builder_add_value (b, kvs_connection_to_json (conn,
            channel ? kvs_channel_get_name (channel) : NULL));
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "channels");
  json_builder_add_int_value (b, channels->len);
  json_builder_end_object (b);
  g_list_free (conns);
  return json_builder_get_root (b);
}

static JsonNode *
kvs_control_api_queues (KvsControlApi * self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  GPtrArray *channels = kvs_server_get_channels (self->server);
  guint i;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (i = 0; i < channels->len; i++)
    json_builder_add_value (b,
        kvs_channel_queues_to_json (g_ptr_array_index (channels, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

#define COUNTER(name, field) \
  json_builder_set_member_name (b, name); \
  json_builder_add_int_value (b, c->field)

static JsonNode *
kvs_control_api_counters (KvsControlApi * self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  KvsCounters *c = kvs_server_get_counters (self->server);

  json_builder_begin_object (b);
  COUNTER ("messagesReceived", messages_received);
  COUNTER ("messagesRelayed", messages_relayed);
  COUNTER ("messagesHeld", messages_held);
  COUNTER ("messagesOverwritten", messages_overwritten);
  COUNTER ("messagesExpired", messages_expired);
  COUNTER ("messagesDropped", messages_dropped);
  COUNTER ("messagesThrottled", messages_throttled);
  COUNTER ("messagesRefused", messages_refused);
  COUNTER ("statusResponses", status_responses);
  COUNTER ("connectionsTotal", connections_total);
  COUNTER ("connectionsCurrent", connections_current);
  COUNTER ("handshakeRejects", handshake_rejects);
  COUNTER ("restRequests", rest_requests);
  COUNTER ("restErrors", rest_errors);
  COUNTER ("createSignalingChannel", rest_create);
  COUNTER ("describeSignalingChannel", rest_describe);
  COUNTER ("getSignalingChannelEndpoint", rest_get_endpoint);
  COUNTER ("getIceServerConfig", rest_get_ice_config);
  COUNTER ("authFailures", auth_failures);
  COUNTER ("credentialsVended", credentials_vended);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

#undef COUNTER

typedef void (*KvsControlAction) (KvsConnection * conn);

static void
kvs_control_api_act (KvsControlApi * self, SoupServerMessage * msg,
    KvsControlAction action, const gchar * what)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonNode) reply = NULL;
  const gchar *arn = NULL, *name = NULL, *client_id = NULL, *role = NULL;
  JsonObject *req, *obj;
  KvsChannel *channel;
  GList *targets = NULL, *l;
  gsize len;
  guint n = 0;

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_bytes_get_data (body, &len);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
          len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    kvs_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "InvalidArgumentException", "The body must be a JSON object");
    return;
  }
  req = json_node_get_object (json_parser_get_root (parser));
  arn = json_object_get_string_member_with_default (req, "channelArn", NULL);
  name = json_object_get_string_member_with_default (req, "channelName", NULL);
  client_id = json_object_get_string_member_with_default (req, "clientId",
      NULL);
  role = json_object_get_string_member_with_default (req, "role", NULL);

  if (arn == NULL && name == NULL) {
    kvs_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "InvalidArgumentException", "channelArn or channelName is required");
    return;
  }
  channel = kvs_server_lookup_channel (self->server, name, arn);
  if (channel == NULL) {
    kvs_server_reply_error (msg, SOUP_STATUS_NOT_FOUND,
        "ResourceNotFoundException", "No such channel");
    return;
  }

  if (client_id) {
    KvsConnection *conn = kvs_channel_lookup (channel, GST_KVS_ROLE_VIEWER,
        client_id);
    if (conn)
      targets = g_list_prepend (targets, conn);
  } else if (g_strcmp0 (role, "master") == 0) {
    KvsConnection *conn = kvs_channel_lookup (channel, GST_KVS_ROLE_MASTER,
        NULL);
    if (conn)
      targets = g_list_prepend (targets, conn);
  } else if (role == NULL) {
    targets = kvs_channel_list_connections (channel);
  }

  for (l = targets; l; l = l->next) {
    g_object_ref (l->data);
    GST_INFO ("%s on %s of %s", what,
        kvs_connection_get_description (l->data),
        kvs_channel_get_name (channel));
    action (l->data);
    g_object_unref (l->data);
    n++;
  }
  g_list_free (targets);

  if (n == 0) {
    kvs_server_reply_error (msg, SOUP_STATUS_NOT_FOUND,
        "ResourceNotFoundException", "No matching connection");
    return;
  }
  obj = json_object_new ();
  json_object_set_int_member (obj, "affected", n);
  reply = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (reply, obj);
  kvs_server_reply (msg, SOUP_STATUS_OK, NULL, reply);
}

static void
kvs_control_api_iot_certificate (KvsControlApi * self, SoupServerMessage * msg)
{
  KvsIotCa *ca = kvs_server_get_iot_ca (self->server);
  const KvsServerConfig *config = kvs_server_get_config (self->server);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (KvsIotDeviceCertificate) c = NULL;
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *arn = NULL;
  const gchar *thing = NULL;
  gsize len;

  if (ca == NULL) {
    kvs_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "InvalidRequestException", config->iot_ca_cert ?
        "The IoT CA was given without its key (--iot-ca-cert): the service "
        "cannot issue device certificates; use --iot-ca-dir" :
        "The IoT credentials provider is off (--iot-listen)");
    return;
  }
  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_bytes_get_data (body, &len);
  if (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), len,
          NULL) && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    thing = json_object_get_string_member_with_default (json_node_get_object
        (json_parser_get_root (parser)), "thingName", NULL);
  if (thing == NULL) {
    kvs_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "InvalidRequestException", "The body must be a JSON object with "
        "thingName (the certificate's subject CN)");
    return;
  }
  c = kvs_iot_ca_issue_device (ca, thing, &error);
  if (c == NULL) {
    kvs_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
        "InvalidRequestException", error->message);
    return;
  }
  arn = g_strdup_printf ("arn:aws:iot:%s:" KVS_SERVER_ACCOUNT_ID ":cert/%s",
      config->region, c->certificate_id);
  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "certificateArn");
  json_builder_add_string_value (b, arn);
  json_builder_set_member_name (b, "certificateId");
  json_builder_add_string_value (b, c->certificate_id);
  json_builder_set_member_name (b, "certificatePem");
  json_builder_add_string_value (b, c->certificate_pem);
  json_builder_set_member_name (b, "keyPair");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "PublicKey");
  json_builder_add_string_value (b, c->public_key_pem);
  json_builder_set_member_name (b, "PrivateKey");
  json_builder_add_string_value (b, c->private_key_pem);
  json_builder_end_object (b);
  json_builder_end_object (b);
  reply = json_builder_get_root (b);
  GST_INFO ("IoT device certificate %s for thing %s", c->certificate_id, thing);
  kvs_server_reply (msg, SOUP_STATUS_OK, NULL, reply);
}

static void
kvs_control_api_handle (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  KvsControlApi *self = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  g_autoptr (JsonNode) reply = NULL;

  GST_DEBUG ("%s %s", method, path);

  if (method == SOUP_METHOD_GET) {
    if (g_str_equal (path, "/_control/connections"))
      reply = kvs_control_api_connections (self);
    else if (g_str_equal (path, "/_control/queues"))
      reply = kvs_control_api_queues (self);
    else if (g_str_equal (path, "/_control/counters"))
      reply = kvs_control_api_counters (self);
    if (reply) {
      kvs_server_reply (msg, SOUP_STATUS_OK, NULL, reply);
      return;
    }
  } else if (method == SOUP_METHOD_POST) {
    if (g_str_equal (path, "/_control/go-away")) {
      kvs_control_api_act (self, msg, kvs_connection_go_away, "GO_AWAY");
      return;
    } else if (g_str_equal (path, "/_control/reconnect-ice-server")) {
      kvs_control_api_act (self, msg, kvs_connection_reconnect_ice_server,
          "RECONNECT_ICE_SERVER");
      return;
    } else if (g_str_equal (path, "/_control/expire-credentials")) {
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      JsonObject *obj = json_object_new ();

      json_object_set_int_member (obj, "affected",
          kvs_credential_store_expire_all (kvs_server_get_credential_store
              (self->server)));
      json_node_take_object (node, obj);
      kvs_server_reply (msg, SOUP_STATUS_OK, NULL, node);
      return;
    } else if (g_str_equal (path, "/_control/iot-certificate")) {
      kvs_control_api_iot_certificate (self, msg);
      return;
    } else if (g_str_equal (path, "/_control/drop")) {
      kvs_control_api_act (self, msg, kvs_connection_drop, "drop");
      return;
    }
  }
  kvs_server_reply_error (msg, SOUP_STATUS_NOT_FOUND,
      "UnknownOperationException", "Unknown control operation");
}

KvsControlApi *
kvs_control_api_new (KvsServer * server)
{
  KvsControlApi *self;

  g_return_val_if_fail (KVS_IS_SERVER (server), NULL);

  self = g_object_new (KVS_TYPE_CONTROL_API, NULL);
  self->server = server;
  soup_server_add_handler (kvs_server_get_soup_server (server), "/_control",
      kvs_control_api_handle, self, NULL);
  return self;
}
