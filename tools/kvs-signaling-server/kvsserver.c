/* kvs-signaling-server: the HTTP service (REST API, SigV4, WebSocket
 * upgrades) and the channels it holds.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gnetworking.h>
#include <gst/gst.h>
#include "gstkvserror.h"
#include "gstkvsjson.h"
#include "gstkvsmessage.h"
#include "gstkvssigv4verify.h"
#include "gstkvsvalidation.h"
#include "kvsacceptor.h"
#include "kvskeepalive.h"
#include "kvsactivitystream.h"
#include "kvscontainercreds.h"
#include "kvscontrolapi.h"
#include "kvsimds.h"
#include "kvsiotcreds.h"
#include "kvsssoportal.h"
#include "kvsstsapi.h"
#include "kvsserver.h"
#include "kvsserverrequest.h"
#include "kvsviewerpage.h"

GST_DEBUG_CATEGORY (kvs_server_debug);
#define GST_CAT_DEFAULT kvs_server_debug

/* AWS's default quota of signaling channels per account and region. */
#define KVS_SERVER_MAX_CHANNELS 5000

struct _KvsServer
{
  GObject parent;

  const KvsServerConfig *config;
  KvsCounters counters;
  SoupServer *soup;
  gboolean tls;
  gchar *base_url;
  gchar *listen_authority;      /* "127.0.0.1:4566" */

  GPtrArray *channels;          /* KvsChannel, creation order */
  GHashTable *by_name;          /* name -> KvsChannel (borrowed) */
  GHashTable *by_arn;           /* arn -> KvsChannel (borrowed) */
  GPtrArray *streams;           /* KvsStream, creation order */
  GHashTable *connections;      /* set of KvsConnection (owned) */
  gint64 last_creation_ms;

  KvsControlApi *control;
  KvsCredentialStore *credentials;
  KvsStsApi *sts;
  KvsImds *imds;
  KvsContainerCredentials *container;
  KvsSsoPortal *sso;
  KvsIotCredentials *iot;
  KvsAcceptor *acceptor;
};

G_DEFINE_FINAL_TYPE (KvsServer, kvs_server, G_TYPE_OBJECT);

/* What the upgrade handler learnt, kept until the 101 is written. */
typedef struct
{
  KvsServer *server;
  gchar *channel_arn;
  GstKvsRole role;
  gchar *client_id;
} KvsUpgrade;

static void
kvs_upgrade_free (gpointer data, GClosure * closure)
{
  KvsUpgrade *up = data;

  g_object_unref (up->server);
  g_free (up->channel_arn);
  g_free (up->client_id);
  g_free (up);
}

static void
kvs_server_dispose (GObject * object)
{
  KvsServer *self = KVS_SERVER (object);

  if (self->soup && self->control)
    soup_server_remove_handler (self->soup, "/_control");
  g_clear_object (&self->control);
  g_clear_object (&self->sts);
  g_clear_object (&self->imds);
  g_clear_object (&self->container);
  g_clear_object (&self->sso);
  g_clear_object (&self->iot);
  if (self->acceptor)
    kvs_acceptor_stop (self->acceptor);
  g_clear_object (&self->acceptor);
  if (self->soup) {
    soup_server_disconnect (self->soup);
    g_clear_object (&self->soup);
  }
  if (self->connections) {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->connections);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_signal_handlers_disconnect_by_data (key, self);
    g_hash_table_remove_all (self->connections);
  }
  if (self->channels) {
    g_hash_table_remove_all (self->by_name);
    g_hash_table_remove_all (self->by_arn);
    g_ptr_array_set_size (self->channels, 0);
  }
  G_OBJECT_CLASS (kvs_server_parent_class)->dispose (object);
}

static void
kvs_server_finalize (GObject * object)
{
  KvsServer *self = KVS_SERVER (object);

  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->by_arn, g_hash_table_unref);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->streams, g_ptr_array_unref);
  g_clear_object (&self->credentials);
  g_free (self->base_url);
  g_free (self->listen_authority);
  G_OBJECT_CLASS (kvs_server_parent_class)->finalize (object);
}

static void
kvs_server_class_init (KvsServerClass * klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kvs_server_dispose;
  object_class->finalize = kvs_server_finalize;

  GST_DEBUG_CATEGORY_INIT (kvs_server_debug, "kvsserver", 0,
      "kvs-signaling-server HTTP service");
}

static void
kvs_server_init (KvsServer * self)
{
  self->channels = g_ptr_array_new_with_free_func (g_object_unref);
  self->streams = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_arn = g_hash_table_new (g_str_hash, g_str_equal);
  self->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal,
      g_object_unref, NULL);
}

KvsServer *
kvs_server_new (const KvsServerConfig * config)
{
  KvsServer *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (KVS_TYPE_SERVER, NULL);
  self->config = config;
  self->credentials = kvs_credential_store_new (config->credential_ttl ?
      config->credential_ttl : KVS_CREDENTIAL_DEFAULT_TTL);
  return self;
}

/* ---- replies ---------------------------------------------------------- */

gchar *
kvs_server_json_text (JsonNode * body, gsize * len)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) empty = NULL;

  if (body == NULL) {
    empty = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (empty, json_object_new ());
    body = empty;
  }
  json_generator_set_root (gen, body);
  return json_generator_to_data (gen, len);
}

gchar *
kvs_server_error_text (const gchar * message, gsize * len)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "message", message);
  json_node_take_object (node, obj);
  return kvs_server_json_text (node, len);
}

/* Reply with the JSON @text (taken). */
static void
kvs_server_reply_text (SoupServerMessage * msg, guint status,
    const gchar * error_type, gchar * text, gsize len)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (soup_message_headers_get_one (headers, "x-amzn-RequestId") == NULL) {
    g_autofree gchar *request_id = g_uuid_string_random ();

    soup_message_headers_replace (headers, "x-amzn-RequestId", request_id);
  }
  if (error_type)
    soup_message_headers_replace (headers, "x-amzn-ErrorType", error_type);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_TAKE, text, len);
}

void
kvs_server_reply (SoupServerMessage * msg, guint status,
    const gchar * error_type, JsonNode * body)
{
  gsize len;
  gchar *text = kvs_server_json_text (body, &len);

  kvs_server_reply_text (msg, status, error_type, text, len);
}

void
kvs_server_reply_error (SoupServerMessage * msg, guint status,
    const gchar * error_type, const gchar * message)
{
  gsize len;
  gchar *text = kvs_server_error_text (message, &len);

  kvs_server_reply_text (msg, status, error_type, text, len);
}

/* ---- authentication --------------------------------------------------- */

static const gchar *
kvs_server_lookup_secret (const gchar * access_key_id, gpointer user_data)
{
  KvsServer *self = user_data;

  const KvsCredential *vended;

  if (g_strcmp0 (access_key_id, self->config->access_key) == 0)
    return self->config->secret_key;
  vended = kvs_credential_store_lookup (self->credentials, access_key_id);
  return vended ? vended->secret_access_key : NULL;
}

#define KVS_MSG_INVALID_TOKEN \
  "The security token included in the request is invalid."
#define KVS_MSG_EXPIRED_TOKEN \
  "The security token included in the request is expired"

/* After a good signature by @access_key_id: the session token @token of
 * vended credentials (the long-term key needs none). */
static KvsAuthResult
kvs_server_check_token (KvsServer * self, const gchar * access_key_id,
    const gchar * token, gchar ** message)
{
  if (g_strcmp0 (access_key_id, self->config->access_key) == 0)
    return KVS_AUTH_OK;
  switch (kvs_credential_store_check (self->credentials, access_key_id,
          token, g_get_real_time () / G_USEC_PER_SEC)) {
    case KVS_CREDENTIAL_OK:
      return KVS_AUTH_OK;
    case KVS_CREDENTIAL_EXPIRED:
      *message = g_strdup (KVS_MSG_EXPIRED_TOKEN);
      return KVS_AUTH_EXPIRED_TOKEN;
    default:
      *message = g_strdup (KVS_MSG_INVALID_TOKEN);
      return KVS_AUTH_UNKNOWN_KEY;
  }
}

static KvsAuthResult
kvs_server_auth_result (const GError * error)
{
  if (error->domain == GST_KVS_ERROR &&
      (error->code == GST_KVS_ERROR_NOT_AUTHORIZED ||
          error->code == GST_KVS_ERROR_ACCESS_DENIED))
    return KVS_AUTH_UNKNOWN_KEY;
  return KVS_AUTH_SIGNATURE;
}

KvsAuthResult
kvs_server_authenticate (KvsServer * self, SoupServerMessage * msg,
    GBytes * body, const gchar * region, const gchar * service,
    gchar ** access_key_id, gchar ** message)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *key = NULL;
  KvsAuthResult result;

  g_return_val_if_fail (KVS_IS_SERVER (self), KVS_AUTH_MISSING);
  g_return_val_if_fail (message != NULL, KVS_AUTH_MISSING);

  *message = NULL;
  if (soup_message_headers_get_one (headers, "Authorization") == NULL) {
    self->counters.auth_failures++;
    *message = g_strdup ("Missing Authentication Token");
    return KVS_AUTH_MISSING;
  }
  if (!gst_kvs_sigv4_verify_headers (soup_server_message_get_method (msg),
          g_uri_get_path (uri), g_uri_get_query (uri), headers, body,
          region, service, kvs_server_lookup_secret, self, NULL, &key,
          &error)) {
    self->counters.auth_failures++;
    *message = g_strdup (error->message);
    return kvs_server_auth_result (error);
  }
  result = kvs_server_check_token (self, key,
      soup_message_headers_get_one (headers, "X-Amz-Security-Token"), message);
  if (result != KVS_AUTH_OK) {
    self->counters.auth_failures++;
    return result;
  }
  if (access_key_id)
    *access_key_id = g_steal_pointer (&key);
  return KVS_AUTH_OK;
}

KvsCredentialStore *
kvs_server_get_credential_store (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->credentials;
}

const KvsCredential *
kvs_server_issue_credentials (KvsServer * self, const gchar * source,
    const gchar * role_name, const gchar * session_name)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);

  self->counters.credentials_vended++;
  return kvs_credential_store_issue (self->credentials, source, role_name,
      session_name);
}

/* Reply 403 for a request whose signature is absent or wrong, as AWS does:
 * MissingAuthenticationTokenException, UnrecognizedClientException (unknown
 * access key) or InvalidSignatureException (bad, expired or not yet current
 * signature, malformed authorization). */
static const gchar *
kvs_server_auth_failure (KvsServer * self, const gchar * method,
    const gchar * path, const GError * error)
{
  const gchar *type = "InvalidSignatureException";

  if (error == NULL) {
    type = "MissingAuthenticationTokenException";
  } else if (error->domain == GST_KVS_ERROR &&
      (error->code == GST_KVS_ERROR_NOT_AUTHORIZED ||
          error->code == GST_KVS_ERROR_ACCESS_DENIED)) {
    type = "UnrecognizedClientException";
  }

  self->counters.auth_failures++;
  GST_INFO ("%s %s refused: %s: %s", method, path, type,
      error ? error->message : "no signature");
  return type;
}

static gboolean
kvs_server_check_rest_auth (KvsServer * self, SoupServerMessage * msg,
    GBytes * body)
{
  static const gchar *const types[] = {
    [KVS_AUTH_MISSING] = "MissingAuthenticationTokenException",
    [KVS_AUTH_SIGNATURE] = "InvalidSignatureException",
    [KVS_AUTH_UNKNOWN_KEY] = "UnrecognizedClientException",
    [KVS_AUTH_EXPIRED_TOKEN] = "ExpiredTokenException",
  };
  g_autofree gchar *message = NULL;
  KvsAuthResult result;

  if (self->config->no_auth)
    return TRUE;

  result = kvs_server_authenticate (self, msg, body, self->config->region,
      GST_KVS_SIGV4_SERVICE, NULL, &message);
  if (result == KVS_AUTH_OK)
    return TRUE;
  GST_INFO ("%s %s refused: %s: %s", soup_server_message_get_method (msg),
      g_uri_get_path (soup_server_message_get_uri (msg)), types[result],
      message);
  kvs_server_reply_error (msg, SOUP_STATUS_FORBIDDEN, types[result], message);
  return FALSE;
}

/* ---- channels --------------------------------------------------------- */

gchar *
kvs_server_new_version (void)
{
  static const gchar alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  gchar *version = g_malloc (21);
  guint i;

  for (i = 0; i < 20; i++)
    version[i] = alphabet[g_random_int_range (0, sizeof (alphabet) - 1)];
  version[20] = '\0';
  return version;
}

KvsChannel *
kvs_server_create_channel (KvsServer * self, const gchar * name,
    guint message_ttl, GError ** error)
{
  g_autofree gchar *arn = NULL;
  g_autofree gchar *version = NULL;
  g_autoptr (GError) verror = NULL;
  KvsChannel *channel;
  gint64 ms;

  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);

  if (!gst_kvs_validate_channel_name (name, &verror)) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        verror->message);
    return NULL;
  }
  if (message_ttl == 0)
    message_ttl = KVS_SERVER_DEFAULT_MESSAGE_TTL;
  if (message_ttl < KVS_SERVER_MIN_TTL || message_ttl > KVS_SERVER_MAX_TTL) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value '%u' at "
        "'singleMasterConfiguration.messageTtlSeconds' failed to satisfy "
        "constraint: Member must have value between %u and %u", message_ttl,
        KVS_SERVER_MIN_TTL, KVS_SERVER_MAX_TTL);
    return NULL;
  }
  if (g_hash_table_contains (self->by_name, name)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_IN_USE,
        "The signaling channel %s already exists.", name);
    return NULL;
  }
  if (self->channels->len >= KVS_SERVER_MAX_CHANNELS) {
    g_set_error (error, GST_KVS_ERROR,
        GST_KVS_ERROR_ACCOUNT_CHANNEL_LIMIT_EXCEEDED,
        "You have reached the maximum limit of %u active signaling channels "
        "for this account.", KVS_SERVER_MAX_CHANNELS);
    return NULL;
  }

  /* The ARN's last part is the creation time in ms; keep it unique so that
   * a channel deleted and made again gets a new ARN. */
  ms = MAX (g_get_real_time () / 1000, self->last_creation_ms + 1);
  self->last_creation_ms = ms;
  arn = g_strdup_printf ("arn:aws:kinesisvideo:%s:%s:channel/%s/%"
      G_GINT64_FORMAT, self->config->region, KVS_SERVER_ACCOUNT_ID, name, ms);
  version = kvs_server_new_version ();

  channel = kvs_channel_new (name, arn, message_ttl, ms, version,
      self->config, &self->counters);
  g_ptr_array_add (self->channels, channel);
  g_hash_table_insert (self->by_name, (gpointer) kvs_channel_get_name (channel),
      channel);
  g_hash_table_insert (self->by_arn, (gpointer) kvs_channel_get_arn (channel),
      channel);
  GST_INFO ("created channel %s (%s), MessageTtlSeconds %u", name, arn,
      message_ttl);
  return channel;
}

KvsChannel *
kvs_server_lookup_channel (KvsServer * self, const gchar * name,
    const gchar * arn)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);

  if (arn)
    return g_hash_table_lookup (self->by_arn, arn);
  if (name)
    return g_hash_table_lookup (self->by_name, name);
  return NULL;
}

void
kvs_server_delete_channel (KvsServer * self, KvsChannel * channel)
{
  g_return_if_fail (KVS_IS_SERVER (self));

  GST_INFO ("deleting channel %s", kvs_channel_get_arn (channel));
  g_object_ref (channel);
  g_hash_table_remove (self->by_name, kvs_channel_get_name (channel));
  g_hash_table_remove (self->by_arn, kvs_channel_get_arn (channel));
  g_ptr_array_remove (self->channels, channel);
  kvs_channel_shutdown (channel);
  g_object_unref (channel);
}

GPtrArray *
kvs_server_get_channels (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->channels;
}

GPtrArray *
kvs_server_get_streams (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->streams;
}

GList *
kvs_server_list_connections (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return g_hash_table_get_keys (self->connections);
}

static void
kvs_server_handle_rest (KvsServer * self, SoupServerMessage * msg,
    const gchar * path)
{
  g_autoptr (GBytes) body = NULL;
  const gchar *error_type = NULL;
  const gchar *data;
  guint status = 0;
  gchar *text;
  gsize len;

  self->counters.rest_requests++;
  if (g_str_equal (path, "/createSignalingChannel"))
    self->counters.rest_create++;
  else if (g_str_equal (path, "/describeSignalingChannel"))
    self->counters.rest_describe++;
  else if (g_str_equal (path, "/getSignalingChannelEndpoint"))
    self->counters.rest_get_endpoint++;
  else if (g_str_equal (path, "/v1/get-ice-server-config"))
    self->counters.rest_get_ice_config++;

  if (self->sts && g_str_equal (path, "/")) {
    kvs_sts_api_handle (self->sts, msg);
    return;
  }
  if (!kvs_server_is_rest_operation (path) ||
      soup_server_message_get_method (msg) != SOUP_METHOD_POST) {
    self->counters.rest_errors++;
    GST_INFO ("%s %s: unknown operation",
        soup_server_message_get_method (msg), path);
    kvs_server_reply_error (msg, SOUP_STATUS_NOT_FOUND,
        "UnknownOperationException", "Unknown operation");
    return;
  }

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (!kvs_server_check_rest_auth (self, msg, body))
    return;

  data = g_bytes_get_data (body, &len);
  text = kvs_server_dispatch_rest_message (self, msg, path, data, len,
      soup_message_headers_get_one (soup_server_message_get_request_headers
          (msg), "Host"), &status, &error_type);
  if (text == NULL)
    return;                     /* the operation answers later */
  kvs_server_reply_text (msg, status, error_type, text, strlen (text));
}

/* ---- WebSocket upgrades ----------------------------------------------- */

static void
kvs_server_on_connection_closed (KvsConnection * conn, KvsServer * self)
{
  g_signal_handlers_disconnect_by_data (conn, self);
  g_hash_table_remove (self->connections, conn);
}

static void
kvs_server_on_upgraded (SoupServerMessage * msg, KvsUpgrade * up)
{
  KvsServer *self = up->server;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) remote = NULL;
  g_autoptr (GIOStream) base = NULL;
  g_autoptr (KvsActivityStream) stream = NULL;
  g_autoptr (SoupWebsocketConnection) ws = NULL;
  KvsConnection *conn;
  KvsChannel *channel;
  const gchar *origin;

  remote = soup_server_message_get_remote_address (msg) ?
      g_object_ref (soup_server_message_get_remote_address (msg)) : NULL;
  /* (KvsAcceptor set TCP_NODELAY on it) */
  socket = soup_server_message_get_socket (msg);
  if (socket == NULL)
    socket = kvs_acceptor_socket_for_address (remote);
  if (socket == NULL) {
    /* not one of KvsAcceptor's: cannot happen; close rather than hang */
    GST_ERROR ("no socket for an upgraded connection: closing it");
    base = soup_server_message_steal_connection (msg);
    if (base)
      g_io_stream_close (base, NULL, NULL);
    return;
  }
  g_object_ref (socket);
  origin =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Origin");

  base = soup_server_message_steal_connection (msg);
  stream = kvs_activity_stream_new (base);
  if (!self->tls)
    kvs_activity_stream_watch_socket (stream, socket);
  ws = soup_websocket_connection_new (G_IO_STREAM (stream),
      soup_server_message_get_uri (msg), SOUP_WEBSOCKET_CONNECTION_SERVER,
      origin, NULL, NULL);

  conn = kvs_connection_new (ws, stream, socket, remote, up->channel_arn,
      up->role, up->client_id, self->config, &self->counters);
  g_hash_table_add (self->connections, conn);
  g_signal_connect (conn, "closed",
      G_CALLBACK (kvs_server_on_connection_closed), self);

  channel = kvs_server_lookup_channel (self, NULL, up->channel_arn);
  if (channel)
    kvs_channel_attach (channel, conn);
  else
    kvs_connection_close (conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
        "The signaling channel was deleted");
}

static gboolean
kvs_upgrade_reject (KvsServer * self, KvsUpgradeCheck * check, guint status,
    const gchar * error_type, const gchar * message)
{
  self->counters.handshake_rejects++;
  GST_INFO ("WebSocket upgrade refused: %u %s: %s", status, error_type,
      message);
  check->status = status;
  check->error_type = error_type;
  check->message = g_strdup (message);
  return FALSE;
}

static gboolean
kvs_upgrade_auth_failure (KvsServer * self, KvsUpgradeCheck * check,
    const gchar * path, const GError * error)
{
  self->counters.handshake_rejects++;
  check->status = SOUP_STATUS_FORBIDDEN;
  check->error_type = kvs_server_auth_failure (self, "GET", path, error);
  check->message = g_strdup (error ? error->message :
      "Missing Authentication Token");
  return FALSE;
}

gboolean
kvs_server_check_upgrade (KvsServer * self, const gchar * path,
    const gchar * query, const gchar * host, KvsUpgradeCheck * check)
{
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *arn, *client_id;
  KvsChannel *channel;

  g_return_val_if_fail (KVS_IS_SERVER (self), FALSE);
  g_return_val_if_fail (path != NULL && check != NULL, FALSE);

  memset (check, 0, sizeof (*check));
  params = query ? soup_form_decode (query) :
      g_hash_table_new (g_str_hash, g_str_equal);

  if (!self->config->no_auth) {
    if (!g_hash_table_contains (params, "X-Amz-Signature"))
      return kvs_upgrade_auth_failure (self, check, path, NULL);
    g_autofree gchar *key = NULL;
    g_autofree gchar *message = NULL;

    if (!gst_kvs_sigv4_verify_presigned ("GET", path, query, host,
            self->config->region, GST_KVS_SIGV4_SERVICE,
            kvs_server_lookup_secret, self, NULL, &key, &error))
      return kvs_upgrade_auth_failure (self, check, path, error);
    switch (kvs_server_check_token (self, key,
            g_hash_table_lookup (params, "X-Amz-Security-Token"), &message)) {
      case KVS_AUTH_OK:
        break;
      case KVS_AUTH_EXPIRED_TOKEN:
        self->counters.auth_failures++;
        return kvs_upgrade_reject (self, check, SOUP_STATUS_FORBIDDEN,
            "ExpiredTokenException", message);
      default:
        self->counters.auth_failures++;
        return kvs_upgrade_reject (self, check, SOUP_STATUS_FORBIDDEN,
            "UnrecognizedClientException", message);
    }
  }

  arn = g_hash_table_lookup (params, "X-Amz-ChannelARN");
  client_id = g_hash_table_lookup (params, "X-Amz-ClientId");
  if (arn == NULL || *arn == '\0')
    return kvs_upgrade_reject (self, check, SOUP_STATUS_BAD_REQUEST,
        "InvalidArgumentException", "X-Amz-ChannelARN is required");
  if (!kvs_rest_validate_arn (arn, &error))
    return kvs_upgrade_reject (self, check, SOUP_STATUS_BAD_REQUEST,
        "InvalidArgumentException", error->message);
  if (client_id && !gst_kvs_validate_viewer_client_id (client_id, &error))
    return kvs_upgrade_reject (self, check, SOUP_STATUS_BAD_REQUEST,
        "InvalidArgumentException", error->message);
  channel = kvs_server_lookup_channel (self, NULL, arn);
  if (channel == NULL)
    return kvs_upgrade_reject (self, check, SOUP_STATUS_NOT_FOUND,
        "ResourceNotFoundException",
        "The requested channel is not found or not active.");
  if (client_id && !kvs_channel_can_accept_viewer (channel, client_id)) {
    g_autofree gchar *text = g_strdup_printf ("The channel already has the "
        "maximum of %u viewers connected", self->config->max_viewers);

    return kvs_upgrade_reject (self, check, SOUP_STATUS_BAD_REQUEST,
        "ClientLimitExceededException", text);
  }
  if (!kvs_channel_admit_connect (channel, g_get_monotonic_time ())) {
    g_autofree gchar *text = g_strdup_printf ("More than %u connections "
        "to the channel in a second", self->config->max_connects_per_second);

    return kvs_upgrade_reject (self, check, SOUP_STATUS_BAD_REQUEST,
        "ClientLimitExceededException", text);
  }

  check->channel_arn = g_strdup (arn);
  check->role = client_id ? GST_KVS_ROLE_VIEWER : GST_KVS_ROLE_MASTER;
  check->client_id = g_strdup (client_id);
  return TRUE;
}

void
kvs_upgrade_check_clear (KvsUpgradeCheck * check)
{
  g_clear_pointer (&check->message, g_free);
  g_clear_pointer (&check->channel_arn, g_free);
  g_clear_pointer (&check->client_id, g_free);
}

/* A refused WebSocket upgrade ends its connection (Connection: close): the
 * client asked for another protocol and will not send HTTP requests on it,
 * but some (node's ws) keep it open after the refusal. */
static void
kvs_server_refuse_upgrade (SoupServerMessage * msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Connection", "close");
}

static void
kvs_server_handle_upgrade (KvsServer * self, SoupServerMessage * msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_auto (KvsUpgradeCheck) check = { 0, };
  KvsUpgrade *up;

  if (!kvs_server_check_upgrade (self, g_uri_get_path (uri),
          g_uri_get_query (uri), soup_message_headers_get_one (headers,
              "Host"), &check)) {
    kvs_server_refuse_upgrade (msg);
    kvs_server_reply_error (msg, check.status, check.error_type, check.message);
    return;
  }

  if (!soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL)) {
    kvs_server_refuse_upgrade (msg);
    self->counters.handshake_rejects++;
    GST_INFO ("WebSocket upgrade refused: not a valid WebSocket handshake");
    return;
  }
  up = g_new0 (KvsUpgrade, 1);
  up->server = g_object_ref (self);
  up->channel_arn = g_steal_pointer (&check.channel_arn);
  up->role = check.role;
  up->client_id = g_steal_pointer (&check.client_id);
  g_signal_connect_data (msg, "wrote-informational",
      G_CALLBACK (kvs_server_on_upgraded), up, kvs_upgrade_free, 0);
}

static gboolean
kvs_server_is_upgrade (SoupServerMessage * msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const gchar *query = g_uri_get_query (soup_server_message_get_uri (msg));

  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    return FALSE;
  return soup_message_headers_get_one (headers, "Upgrade") != NULL ||
      (query && strstr (query, "X-Amz-ChannelARN=") != NULL);
}

static void
kvs_server_handle (SoupServer * soup, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer user_data)
{
  KvsServer *self = user_data;
  g_autofree gchar *request_id = g_uuid_string_random ();

  /* Every reply carries one, libsoup's own handshake errors included. */
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "x-amzn-RequestId", request_id);
  if (kvs_server_is_upgrade (msg))
    kvs_server_handle_upgrade (self, msg);
  else
    kvs_server_handle_rest (self, msg, path);
}

/* ---- life cycle ------------------------------------------------------- */

/* Without --keep-alive (the default) every reply closes its connection
 * (Connection: close), whoever handles the request; a WebSocket handshake
 * replaces this with "Connection: Upgrade". libsoup 3.2.3 keeps about
 * 2 KiB of every kept-alive connection its client closes until the
 * service exits, none of a connection it closes itself: a service running
 * for weeks must not grow with its clients' connections. */
static void
kvs_server_on_request_started_close (SoupServer * soup,
    SoupServerMessage * msg, gpointer user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Connection", "close");
}

/* With --keep-alive connections stay open between REST calls (HTTP/1.1
 * keep-alive, as on AWS): KvsAcceptor makes libsoup keep them,
 * kvskeepalive.c closes those their client closes between two requests. */
static void
kvs_server_on_request_started (SoupServer * soup, SoupServerMessage * msg,
    gpointer user_data)
{
  kvs_keep_alive_busy (kvs_acceptor_socket_for_address
      (soup_server_message_get_remote_address (msg)));
}

static void
kvs_server_on_request_finished (SoupServer * soup, SoupServerMessage * msg,
    gpointer user_data)
{
  kvs_keep_alive_watch_idle (kvs_acceptor_socket_for_address
      (soup_server_message_get_remote_address (msg)));
}

static GInetAddress *
kvs_server_parse_host (const gchar * host, GError ** error)
{
  GInetAddress *addr;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  addr = g_inet_address_new_from_string (host);
  if (addr == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' is not an IP address", host);
  return addr;
}

gboolean
kvs_server_start (KvsServer * self, GError ** error)
{
  g_autoptr (GInetAddress) addr = NULL;
  g_autoptr (GSocketAddress) sa = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autofree gchar *host = NULL;
  guint port, i;

  g_return_val_if_fail (KVS_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);

  addr = kvs_server_parse_host (self->config->listen_host, error);
  if (addr == NULL)
    return FALSE;

  self->soup = soup_server_new ("server-header", "kvs-signaling-server",
      "raw-paths", TRUE, NULL);
  if (self->config->tls_cert) {
    cert = g_tls_certificate_new_from_files (self->config->tls_cert,
        self->config->tls_key ? self->config->tls_key : self->config->tls_cert,
        error);
    if (cert == NULL)
      return FALSE;
    self->tls = TRUE;
  }
  if (self->config->keep_alive) {
    g_signal_connect (self->soup, "request-started",
        G_CALLBACK (kvs_server_on_request_started), NULL);
    g_signal_connect (self->soup, "request-finished",
        G_CALLBACK (kvs_server_on_request_finished), NULL);
  } else {
    g_signal_connect (self->soup, "request-started",
        G_CALLBACK (kvs_server_on_request_started_close), NULL);
  }
  soup_server_add_handler (self->soup, NULL, kvs_server_handle, self, NULL);
  if (self->config->control)
    self->control = kvs_control_api_new (self);
  if (self->config->viewer_dir)
    kvs_viewer_page_register (self->soup, self->config->viewer_dir);
  if (self->config->emulate_credentials) {
    self->sts = kvs_sts_api_new (self);
    self->imds = kvs_imds_new (self);
    self->container = kvs_container_credentials_new (self);
    self->sso = kvs_sso_portal_new (self);
  }

  sa = g_inet_socket_address_new (addr, self->config->listen_port);
  self->acceptor = kvs_acceptor_new (self->soup, sa, cert,
      self->config->keep_alive, error);
  if (self->acceptor == NULL)
    return FALSE;
  port = kvs_acceptor_get_port (self->acceptor);

  host = g_inet_address_to_string (addr);
  self->listen_authority = g_strdup_printf (strchr (host, ':') ? "[%s]:%u" :
      "%s:%u", host, port);
  self->base_url = g_strdup_printf ("%s://%s", self->tls ? "https" : "http",
      self->listen_authority);

  if (self->config->iot_listen_host) {
    self->iot = kvs_iot_credentials_new (self);
    if (!kvs_iot_credentials_start (self->iot, error))
      return FALSE;
  }

  for (i = 0; self->config->create_channels &&
      self->config->create_channels[i]; i++) {
    if (!kvs_server_create_channel (self, self->config->create_channels[i],
            0, error))
      return FALSE;
  }

  GST_INFO ("listening on %s (auth %s, control API %s, HTTP keep-alive %s)",
      self->base_url, self->config->no_auth ? "off" : "on",
      self->config->control ? "on" : "off",
      self->config->keep_alive ? "on" : "off");
  return TRUE;
}

void
kvs_server_stop (KvsServer * self)
{
  GList *conns, *l;

  g_return_if_fail (KVS_IS_SERVER (self));

  conns = kvs_server_list_connections (self);
  for (l = conns; l; l = l->next)
    kvs_connection_close (l->data, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
        "Server shutting down");
  g_list_free (conns);
  if (self->acceptor)
    kvs_acceptor_stop (self->acceptor);
  if (self->soup)
    soup_server_disconnect (self->soup);
}

const gchar *
kvs_server_get_base_url (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->base_url;
}

SoupServer *
kvs_server_get_soup_server (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->soup;
}

const KvsServerConfig *
kvs_server_get_config (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->config;
}

KvsCounters *
kvs_server_get_counters (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return &self->counters;
}

gboolean
kvs_server_is_tls (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), FALSE);
  return self->tls;
}

const gchar *
kvs_server_get_listen_authority (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->listen_authority;
}

KvsIotCa *
kvs_server_get_iot_ca (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->iot ? kvs_iot_credentials_get_ca (self->iot) : NULL;
}

const gchar *
kvs_server_get_iot_base_url (KvsServer * self)
{
  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  return self->iot ? kvs_iot_credentials_get_base_url (self->iot) : NULL;
}
