/* kvs-signaling-server: the REST operations of the control plane
 * (CreateSignalingChannel, DescribeSignalingChannel, DeleteSignalingChannel,
 * ListSignalingChannels, GetSignalingChannelEndpoint, GetIceServerConfig)
 * on a KvsServer's channels, from the JSON request body to the JSON reply;
 * the dispatch of every REST operation (the others: kvsrestchannel.c,
 * kvsalexaoffer.c, kvsreststorage.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "gstkvserror.h"
#include "gstkvsjson.h"
#include "gstkvsvalidation.h"
#include "kvsserver.h"
#include "kvsserverrequest.h"
#include "kvsrestapi.h"

GST_DEBUG_CATEGORY_EXTERN (kvs_server_debug);
#define GST_CAT_DEFAULT kvs_server_debug

#define KVS_SERVER_LIST_MAX_RESULTS 10000

static const gchar *
kvs_server_error_name (GstKvsError code)
{
  const gchar *name = gst_kvs_error_to_aws_name (code);

  if (name)
    return name;

  switch (code) {
    case GST_KVS_ERROR_INVALID_ARGUMENT:
      return "InvalidArgumentException";
    case GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED:
      return "ClientLimitExceededException";
    case GST_KVS_ERROR_RESOURCE_IN_USE:
      return "ResourceInUseException";
    case GST_KVS_ERROR_ACCOUNT_CHANNEL_LIMIT_EXCEEDED:
      return "AccountChannelLimitExceededException";
    case GST_KVS_ERROR_INVALID_CLIENT:
      return "InvalidClientException";
    case GST_KVS_ERROR_SESSION_EXPIRED:
      return "SessionExpiredException";
    case GST_KVS_ERROR_ACCESS_DENIED:
      return "AccessDeniedException";
    case GST_KVS_ERROR_NOT_AUTHORIZED:
      return "NotAuthorizedException";
    case GST_KVS_ERROR_RESOURCE_NOT_FOUND:
      return "ResourceNotFoundException";
    default:
      return "InternalFailure";
  }
}

static guint
kvs_server_error_status (GstKvsError code)
{
  switch (code) {
    case GST_KVS_ERROR_INVALID_ARGUMENT:
    case GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED:
    case GST_KVS_ERROR_RESOURCE_IN_USE:
    case GST_KVS_ERROR_ACCOUNT_CHANNEL_LIMIT_EXCEEDED:
    case GST_KVS_ERROR_INVALID_CLIENT:
    case GST_KVS_ERROR_SESSION_EXPIRED:
      return SOUP_STATUS_BAD_REQUEST;
    case GST_KVS_ERROR_ACCESS_DENIED:
    case GST_KVS_ERROR_NOT_AUTHORIZED:
      return SOUP_STATUS_UNAUTHORIZED;
    case GST_KVS_ERROR_SIGNATURE:
    case GST_KVS_ERROR_SIGNATURE_EXPIRED:
      return SOUP_STATUS_FORBIDDEN;
    case GST_KVS_ERROR_RESOURCE_NOT_FOUND:
      return SOUP_STATUS_NOT_FOUND;
    default:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
  }
}

/* A service error (GST_KVS_ERROR), or a validation error, which AWS answers
 * with InvalidArgumentException, of POST @path: the reply body. */
static gchar *
kvs_server_gerror_text (KvsServer * self, const gchar * path,
    const GError * error, guint * status, const gchar ** error_type)
{
  GstKvsError code = GST_KVS_ERROR_INVALID_ARGUMENT;

  if (error->domain == GST_KVS_ERROR)
    code = error->code;
  kvs_server_get_counters (self)->rest_errors++;
  GST_INFO ("POST %s: %s: %s", path, kvs_server_error_name (code),
      error->message);
  *status = kvs_server_error_status (code);
  *error_type = kvs_server_error_name (code);
  return kvs_server_error_text (error->message, NULL);
}

/* ---- request fields --------------------------------------------------- */

/* A string member: absent (or null) gives NULL and TRUE; any other type is
 * an InvalidArgumentException. */
gboolean
kvs_rest_get_string (JsonObject * obj, const gchar * name, const gchar ** value,
    GError ** error)
{
  JsonNode *node = json_object_get_member (obj, name);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at '%s' must be a string", name);
    return FALSE;
  }
  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
kvs_rest_get_required_string (JsonObject * obj, const gchar * name,
    const gchar ** value, GError ** error)
{
  if (!kvs_rest_get_string (obj, name, value, error))
    return FALSE;
  if (*value == NULL) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value null at '%s' failed to satisfy "
        "constraint: Member must not be null", name);
    return FALSE;
  }
  return TRUE;
}

/* An integer member; absent gives @def. */
gboolean
kvs_rest_get_int (JsonObject * obj, const gchar * name, gint64 def,
    gint64 * value, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, name);

  *value = def;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at '%s' must be an integer", name);
    return FALSE;
  }
  *value = json_node_get_int (node);
  return TRUE;
}

/* An object member; absent gives NULL. */
gboolean
kvs_rest_get_object (JsonObject * obj, const gchar * name, JsonObject ** value,
    GError ** error)
{
  JsonNode *node = json_object_get_member (obj, name);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at '%s' must be an object", name);
    return FALSE;
  }
  *value = json_node_get_object (node);
  return TRUE;
}

/* A request value in an error text: quoted, short, printable ASCII (a
 * query value is any bytes once percent-decoded). */
#define kvs_quote(value) gst_kvs_validation_quote_value ((value), -1)

gboolean
kvs_rest_validate_arn (const gchar * arn, GError ** error)
{
  gsize len = strlen (arn);

  if (len < 1 || len > 1024 || !g_str_has_prefix (arn, "arn:")) {
    g_autofree gchar *quoted = kvs_quote (arn);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at 'channelARN' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+"
        "/[0-9]+", quoted);
    return FALSE;
  }
  return TRUE;
}

void
kvs_rest_not_found (GError ** error)
{
  g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND,
      "The requested channel is not found or not active.");
}

/* ---- REST operations -------------------------------------------------- */

static JsonNode *
kvs_rest_create (KvsServer * self, KvsRestContext * ctx, JsonObject * req,
    GError ** error)
{
  const gchar *name, *type;
  JsonObject *config = NULL;
  g_autoptr (GHashTable) tags = NULL;
  gint64 ttl = 0;
  KvsChannel *channel;
  JsonObject *obj;
  JsonNode *node;

  if (!kvs_rest_get_required_string (req, "ChannelName", &name, error) ||
      !kvs_rest_get_string (req, "ChannelType", &type, error) ||
      !kvs_rest_get_object (req, "SingleMasterConfiguration", &config, error))
    return NULL;
  if (config && !kvs_rest_get_int (config, "MessageTtlSeconds", 0, &ttl, error))
    return NULL;
  if (type && g_strcmp0 (type, "SINGLE_MASTER") != 0) {
    g_autofree gchar *quoted = kvs_quote (type);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "Channel type %s is not supported: only SINGLE_MASTER", quoted);
    return NULL;
  }
  if (config && (ttl < KVS_SERVER_MIN_TTL || ttl > KVS_SERVER_MAX_TTL)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value '%" G_GINT64_FORMAT "' at "
        "'singleMasterConfiguration.messageTtlSeconds' failed to satisfy "
        "constraint: Member must have value between %u and %u", ttl,
        KVS_SERVER_MIN_TTL, KVS_SERVER_MAX_TTL);
    return NULL;
  }
  tags = kvs_rest_parse_tags (req, error);
  if (tags == NULL)
    return NULL;

  channel = kvs_server_create_channel (self, name, (guint) ttl, error);
  if (channel == NULL)
    return NULL;
  /* at most 50 tags on a new channel: always applied */
  kvs_rest_apply_tags (self, ctx, channel, tags);

  obj = json_object_new ();
  json_object_set_string_member (obj, "ChannelARN",
      kvs_channel_get_arn (channel));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

/* The channel named by ChannelARN (required) or, when @allow_name, by
 * ChannelName. */
KvsChannel *
kvs_rest_find_channel (KvsServer * self, JsonObject * req,
    gboolean allow_name, GError ** error)
{
  const gchar *name = NULL, *arn = NULL;
  KvsChannel *channel;

  if (!kvs_rest_get_string (req, "ChannelARN", &arn, error))
    return NULL;
  if (allow_name && !kvs_rest_get_string (req, "ChannelName", &name, error))
    return NULL;
  if (arn == NULL && name == NULL) {
    if (allow_name)
      g_set_error_literal (error, GST_KVS_ERROR,
          GST_KVS_ERROR_INVALID_ARGUMENT,
          "Either ChannelName or ChannelARN must be specified.");
    else
      g_set_error_literal (error, GST_KVS_ERROR,
          GST_KVS_ERROR_INVALID_ARGUMENT,
          "1 validation error detected: Value null at 'channelARN' failed to "
          "satisfy constraint: Member must not be null");
    return NULL;
  }
  if (arn && !kvs_rest_validate_arn (arn, error))
    return NULL;

  channel = kvs_server_lookup_channel (self, name, arn);
  if (channel == NULL || (name && arn &&
          g_strcmp0 (kvs_channel_get_name (channel), name) != 0)) {
    kvs_rest_not_found (error);
    return NULL;
  }
  return channel;
}

static JsonNode *
kvs_rest_describe (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  KvsChannel *channel;
  JsonObject *obj;
  JsonNode *node;

  channel = kvs_rest_find_channel (self, req, TRUE, error);
  if (channel == NULL)
    return NULL;

  obj = json_object_new ();
  json_object_set_member (obj, "ChannelInfo",
      kvs_channel_info_to_json (channel));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

static JsonNode *
kvs_rest_delete (KvsServer * self, KvsRestContext * ctx, JsonObject * req,
    GError ** error)
{
  const gchar *version;
  KvsChannel *channel;
  JsonNode *node;

  if (!kvs_rest_get_string (req, "CurrentVersion", &version, error))
    return NULL;
  channel = kvs_rest_find_channel (self, req, FALSE, error);
  if (channel == NULL)
    return NULL;
  if (version && g_strcmp0 (version, kvs_channel_get_version (channel)) != 0) {
    kvs_server_get_counters (self)->rest_errors++;
    ctx->status = SOUP_STATUS_BAD_REQUEST;
    ctx->error_type = "VersionMismatchException";
    ctx->message = "The version of the signaling channel does not match the "
        "CurrentVersion specified.";
    return NULL;
  }

  kvs_server_delete_channel (self, channel);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, json_object_new ());
  return node;
}

static JsonNode *
kvs_rest_list (KvsServer * self, KvsRestContext * ctx, JsonObject * req,
    GError ** error)
{
  const gchar *token, *op = NULL, *prefix = NULL;
  JsonObject *cond = NULL, *obj;
  JsonArray *list;
  JsonNode *node;
  gint64 max, after = -1;
  guint i, n = 0;

  if (!kvs_rest_get_int (req, "MaxResults", KVS_SERVER_LIST_MAX_RESULTS, &max,
          error) || !kvs_rest_get_string (req, "NextToken", &token, error)
      || !kvs_rest_get_object (req, "ChannelNameCondition", &cond, error))
    return NULL;
  if (cond && (!kvs_rest_get_string (cond, "ComparisonOperator", &op, error) ||
          !kvs_rest_get_string (cond, "ComparisonValue", &prefix, error)))
    return NULL;
  if (max < 1 || max > KVS_SERVER_LIST_MAX_RESULTS) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value '%" G_GINT64_FORMAT "' at "
        "'maxResults' failed to satisfy constraint: Member must have value "
        "between 1 and %u", max, KVS_SERVER_LIST_MAX_RESULTS);
    return NULL;
  }
  if (op && g_strcmp0 (op, "BEGINS_WITH") != 0) {
    g_autofree gchar *quoted = kvs_quote (op);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "ComparisonOperator %s is not valid: only BEGINS_WITH", quoted);
    return NULL;
  }
  if (token) {
    gsize len = 0;
    g_autofree guchar *raw = g_base64_decode (token, &len);
    g_autofree gchar *text = g_strndup ((const gchar *) raw, len);
    gchar *end = NULL;

    if (g_str_has_prefix (text, "after:"))
      after = g_ascii_strtoll (text + 6, &end, 10);
    if (end == NULL || *end != '\0' || after < 0) {
      g_set_error_literal (error, GST_KVS_ERROR,
          GST_KVS_ERROR_INVALID_ARGUMENT, "The NextToken is not valid.");
      return NULL;
    }
  }

  obj = json_object_new ();
  list = json_array_new ();
  for (i = 0; i < kvs_server_get_channels (self)->len; i++) {
    KvsChannel *channel = g_ptr_array_index (kvs_server_get_channels (self), i);
    gint64 ms = kvs_channel_get_creation_time_ms (channel);

    if (ms <= after)
      continue;
    if (prefix && !g_str_has_prefix (kvs_channel_get_name (channel), prefix))
      continue;
    if (n == max) {
      g_autofree gchar *text = g_strdup_printf ("after:%" G_GINT64_FORMAT,
          after);
      g_autofree gchar *next = g_base64_encode ((const guchar *) text,
          strlen (text));

      json_object_set_string_member (obj, "NextToken", next);
      break;
    }
    json_array_add_element (list, kvs_channel_info_to_json (channel));
    after = ms;
    n++;
  }
  json_object_set_array_member (obj, "ChannelInfoList", list);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

/* "127.0.0.1:4566" as the client reached us (its Host header), else the
 * address we listen on. */
static gchar *
kvs_server_request_authority (KvsServer * self, const gchar * host)
{
  g_autofree gchar *url = NULL;
  g_autoptr (GUri) uri = NULL;
  const gchar *p;

  if (host == NULL || *host == '\0')
    return g_strdup (kvs_server_get_listen_authority (self));
  /* Only an authority that goes into a URL as it is: printable ASCII, no
   * userinfo, path, query or fragment, and a host and port a URL parser
   * reads (libsoup lets more through, e.g. bytes that are not UTF-8). */
  for (p = host; *p; p++)
    if ((guchar) * p <= 0x20 || (guchar) * p >= 0x7f || strchr ("/\\?#@", *p))
      return g_strdup (kvs_server_get_listen_authority (self));
  url = g_strconcat ("http://", host, "/", NULL);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL
      || *g_uri_get_host (uri) == '\0')
    return g_strdup (kvs_server_get_listen_authority (self));
  return g_strdup (host);
}

static JsonNode *
kvs_rest_get_endpoint (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  static const gchar *default_protocols[] = { "WSS", "HTTPS", NULL };
  g_autofree gchar *authority = NULL;
  g_autoptr (GPtrArray) protocols = g_ptr_array_new ();
  JsonObject *config = NULL, *obj;
  JsonArray *list;
  JsonNode *node;
  const gchar *role = NULL;
  KvsChannel *channel;
  guint i;

  channel = kvs_rest_find_channel (self, req, FALSE, error);
  if (channel == NULL)
    return NULL;
  if (!kvs_rest_get_object (req, "SingleMasterChannelEndpointConfiguration",
          &config, error))
    return NULL;
  if (config) {
    JsonNode *pnode = json_object_get_member (config, "Protocols");

    if (!kvs_rest_get_string (config, "Role", &role, error))
      return NULL;
    if (pnode && !JSON_NODE_HOLDS_NULL (pnode)) {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (pnode)) {
        g_set_error_literal (error, GST_KVS_ERROR,
            GST_KVS_ERROR_INVALID_ARGUMENT, "1 validation error detected: "
            "Value at 'singleMasterChannelEndpointConfiguration.protocols' "
            "must be a list");
        return NULL;
      }
      array = json_node_get_array (pnode);
      for (i = 0; i < json_array_get_length (array); i++) {
        JsonNode *e = json_array_get_element (array, i);
        const gchar *p = NULL;

        if (JSON_NODE_HOLDS_VALUE (e) &&
            json_node_get_value_type (e) == G_TYPE_STRING)
          p = json_node_get_string (e);
        if (g_strcmp0 (p, "WSS") != 0 && g_strcmp0 (p, "HTTPS") != 0 &&
            g_strcmp0 (p, "WEBRTC") != 0) {
          g_autofree gchar *quoted = p ? kvs_quote (p) :
              g_strdup ("'(not a string)'");

          g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
              "1 validation error detected: Value %s at "
              "'singleMasterChannelEndpointConfiguration.protocols' failed to "
              "satisfy constraint: Member must satisfy enum value set: "
              "[WSS, HTTPS, WEBRTC]", quoted);
          return NULL;
        }
        g_ptr_array_add (protocols, (gpointer) p);
      }
    }
  }
  if (role && g_strcmp0 (role, "MASTER") != 0 &&
      g_strcmp0 (role, "VIEWER") != 0) {
    g_autofree gchar *quoted = kvs_quote (role);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at "
        "'singleMasterChannelEndpointConfiguration.role' failed to satisfy "
        "constraint: Member must satisfy enum value set: [MASTER, VIEWER]",
        quoted);
    return NULL;
  }
  if (protocols->len == 0)
    for (i = 0; default_protocols[i]; i++)
      g_ptr_array_add (protocols, (gpointer) default_protocols[i]);

  authority = kvs_server_request_authority (self, ctx->host);
  list = json_array_new ();
  for (i = 0; i < protocols->len; i++) {
    const gchar *p = g_ptr_array_index (protocols, i);
    JsonObject *e = json_object_new ();
    g_autofree gchar *url = NULL;

    if (g_str_equal (p, "WSS"))
      url =
          g_strdup_printf ("%s://%s", kvs_server_is_tls (self) ? "wss" : "ws",
          authority);
    else
      url =
          g_strdup_printf ("%s://%s",
          kvs_server_is_tls (self) ? "https" : "http", authority);
    json_object_set_string_member (e, "Protocol", p);
    json_object_set_string_member (e, "ResourceEndpoint", url);
    json_array_add_object_element (list, e);
  }

  obj = json_object_new ();
  json_object_set_array_member (obj, "ResourceEndpointList", list);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

/* TURN REST API credentials (as coturn's --use-auth-secret checks them):
 * username "<expiry>:<name>", password base64(HMAC-SHA1(secret, username)). */
static JsonNode *
kvs_rest_get_ice_server_config (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  const gchar *client_id, *service, *name;
  g_autoptr (GError) verror = NULL;
  KvsChannel *channel;
  JsonObject *obj;
  JsonArray *list;
  JsonNode *node;

  channel = kvs_rest_find_channel (self, req, FALSE, error);
  if (channel == NULL)
    return NULL;
  if (!kvs_rest_get_string (req, "ClientId", &client_id, error) ||
      !kvs_rest_get_string (req, "Service", &service, error))
    return NULL;
  if (client_id && !gst_kvs_validate_id ("client id", client_id, &verror)) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        verror->message);
    return NULL;
  }
  if (service && g_strcmp0 (service, "TURN") != 0) {
    g_autofree gchar *quoted = kvs_quote (service);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at 'service' failed to "
        "satisfy constraint: Member must satisfy enum value set: [TURN]",
        quoted);
    return NULL;
  }

  list = json_array_new ();
  if (kvs_server_get_config (self)->turn_uris
      && kvs_server_get_config (self)->turn_uris[0]
      && kvs_server_get_config (self)->turn_secret) {
    g_autoptr (GHmac) hmac = NULL;
    g_autofree gchar *username = NULL;
    g_autofree gchar *password = NULL;
    JsonObject *e = json_object_new ();
    JsonArray *uris = json_array_new ();
    guint8 digest[20];
    gsize digest_len = sizeof (digest);
    guint i;

    name = client_id ? client_id : kvs_channel_get_name (channel);
    username = g_strdup_printf ("%" G_GINT64_FORMAT ":%s",
        g_get_real_time () / G_USEC_PER_SEC + KVS_SERVER_TURN_TTL, name);
    hmac = g_hmac_new (G_CHECKSUM_SHA1,
        (const guchar *) kvs_server_get_config (self)->turn_secret,
        strlen (kvs_server_get_config (self)->turn_secret));
    g_hmac_update (hmac, (const guchar *) username, -1);
    g_hmac_get_digest (hmac, digest, &digest_len);
    password = g_base64_encode (digest, digest_len);

    for (i = 0; kvs_server_get_config (self)->turn_uris[i]; i++)
      json_array_add_string_element (uris,
          kvs_server_get_config (self)->turn_uris[i]);
    json_object_set_array_member (e, "Uris", uris);
    json_object_set_string_member (e, "Username", username);
    json_object_set_string_member (e, "Password", password);
    json_object_set_int_member (e, "Ttl", KVS_SERVER_TURN_TTL);
    json_array_add_object_element (list, e);
    GST_INFO ("TURN credentials for %s on %s", name,
        kvs_channel_get_name (channel));
  }

  obj = json_object_new ();
  json_object_set_array_member (obj, "IceServerList", list);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

static const struct
{
  const gchar *path;
  KvsRestOperation operation;
} kvs_rest_operations[] = {
  {"/createSignalingChannel", kvs_rest_create},
  {"/describeSignalingChannel", kvs_rest_describe},
  {"/deleteSignalingChannel", kvs_rest_delete},
  {"/listSignalingChannels", kvs_rest_list},
  {"/getSignalingChannelEndpoint", kvs_rest_get_endpoint},
  {"/v1/get-ice-server-config", kvs_rest_get_ice_server_config},
  {"/updateSignalingChannel", kvs_rest_update},
  {"/TagResource", kvs_rest_tag},
  {"/UntagResource", kvs_rest_untag},
  {"/ListTagsForResource", kvs_rest_list_tags},
  {"/v1/send-alexa-offer-to-master", kvs_rest_send_alexa_offer},
  {"/createStream", kvs_rest_create_stream},
  {"/describeStream", kvs_rest_describe_stream},
  {"/listStreams", kvs_rest_list_streams},
  {"/deleteStream", kvs_rest_delete_stream},
  {"/updateMediaStorageConfiguration", kvs_rest_update_media_storage},
  {"/describeMediaStorageConfiguration", kvs_rest_describe_media_storage},
  {"/joinStorageSession", kvs_rest_join_storage_session},
  {"/joinStorageSessionAsViewer", kvs_rest_join_storage_session_as_viewer},
};

static KvsRestOperation
kvs_rest_find_operation (const gchar * path)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (kvs_rest_operations); i++)
    if (g_str_equal (path, kvs_rest_operations[i].path))
      return kvs_rest_operations[i].operation;
  return NULL;
}

gboolean
kvs_server_is_rest_operation (const gchar * path)
{
  g_return_val_if_fail (path != NULL, FALSE);

  return kvs_rest_find_operation (path) != NULL;
}

gchar *
kvs_server_dispatch_rest (KvsServer * self, const gchar * path,
    const gchar * body, gsize len, const gchar * host, guint * status,
    const gchar ** error_type)
{
  return kvs_server_dispatch_rest_message (self, NULL, path, body, len, host,
      status, error_type);
}

gchar *
kvs_server_dispatch_rest_message (KvsServer * self, SoupServerMessage * msg,
    const gchar * path, const gchar * body, gsize len, const gchar * host,
    guint * status, const gchar ** error_type)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  KvsRestContext ctx = { host, 0, NULL, NULL, msg, FALSE };
  KvsRestOperation operation;
  JsonNode *root;

  g_return_val_if_fail (KVS_IS_SERVER (self), NULL);
  g_return_val_if_fail (path != NULL && status != NULL && error_type != NULL,
      NULL);
  g_return_val_if_fail (body != NULL || len == 0, NULL);

  operation = kvs_rest_find_operation (path);
  if (operation == NULL) {
    kvs_server_get_counters (self)->rest_errors++;
    GST_INFO ("POST %s: unknown operation", path);
    *status = SOUP_STATUS_NOT_FOUND;
    *error_type = "UnknownOperationException";
    return kvs_server_error_text ("Unknown operation", NULL);
  }

  /* The library's check first: json-glib 1.6 accepts "{}{}" (leaking the
   * first value), recurses without limit, lets lone surrogates through;
   * and a body of only white space parses to no root at all. */
  parser = json_parser_new ();
  if (len > 0 && (!gst_kvs_json_check_object_text ("request body", body,
              len, G_MAXSIZE, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
              NULL) ||
          !json_parser_load_from_data (parser, body, len, NULL) ||
          json_parser_get_root (parser) == NULL ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))) {
    kvs_server_get_counters (self)->rest_errors++;
    *status = SOUP_STATUS_BAD_REQUEST;
    *error_type = "SerializationException";
    return kvs_server_error_text ("The request body is not a JSON object.",
        NULL);
  }
  if (len > 0) {
    root = json_node_ref (json_parser_get_root (parser));
  } else {
    root = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (root, json_object_new ());
  }

  GST_DEBUG ("POST %s", path);
  reply = operation (self, &ctx, json_node_get_object (root), &error);
  json_node_unref (root);
  if (reply) {
    *status = SOUP_STATUS_OK;
    *error_type = NULL;
    return kvs_server_json_text (reply, NULL);
  }
  if (error)
    return kvs_server_gerror_text (self, path, error, status, error_type);
  if (ctx.deferred)
    return NULL;
  /* The operation's own error (counted there). */
  g_assert (ctx.status != 0);
  *status = ctx.status;
  *error_type = ctx.error_type;
  return kvs_server_error_text (ctx.message, NULL);
}
