/* kvssignaling fuzzing: the request handling of the local signaling service
 * (tools/kvs-signaling-server): REST operations
 * (kvs_server_dispatch_rest) and the query of a WebSocket upgrade
 * (kvs_server_check_upgrade). Byte 0 = mode, then '\n'-separated fields:
 *   0: REST      "<host>\n<path>\n<body>[\n<path>\n<body>...]" (up to 8
 *                requests in a row on one server, so that a channel created
 *                can be described, listed, deleted)
 *   1: upgrade   "<host>\n<path>\n<query>" on a server without auth
 *   2: presigned "<host>\n<channel ARN>\n<client id>": the URL a client
 *                would open, presigned, checked by a server with auth
 * "@ARN@" in a field stands for the ARN of the channel "fuzz-channel" that
 * every server holds (ARNs hold the creation time).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Properties: every reply is a JSON object, UTF-8, with an error type
 * exactly when its status is not 200, and a "message" then; the secrets
 * never in a reply; the counters count each error once; what an operation
 * reports matches the server's state (a channel created exists under its
 * name and ARN, one deleted is gone, failed requests change nothing, a list
 * holds at most MaxResults channels matching the prefix); endpoints are
 * URIs pointing at the authority asked; TURN credentials verify; an upgrade
 * is accepted exactly when the ARN names a channel and the client id (if
 * any) is valid, and a client's own presigned URL is accepted. */
#include "fuzz-common.h"
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "gstkvserror.h"
#include "gstkvssigv4.h"
#include "gstkvsvalidation.h"
#include "kvsserver.h"
#include "kvsserverrequest.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TURN_SECRET "fuzz-turn-secret-9c1f0e"
#define REGION "us-west-2"
#define CHANNEL "fuzz-channel"
#define MAX_REQUESTS 8

static KvsServerConfig config_auth, config_open;
static GstKvsCredentials *creds;
static gboolean input_has_secret;

static void
fill_config (KvsServerConfig * c, gboolean no_auth)
{
  static gchar *channels[] = { (gchar *) CHANNEL, (gchar *) "fuzz-other",
    NULL
  };
  static gchar *turn[] = { (gchar *) "turn:127.0.0.1:3478?transport=udp",
    (gchar *) "turns:127.0.0.1:5349?transport=tcp", NULL
  };

  c->listen_host = (gchar *) "127.0.0.1";
  c->region = (gchar *) REGION;
  c->access_key = no_auth ? NULL : (gchar *) AKID;
  c->secret_key = no_auth ? NULL : (gchar *) SECRET;
  c->no_auth = no_auth;
  c->max_viewers = 2;
  c->max_frame_size = KVS_SERVER_DEFAULT_MAX_FRAME_SIZE;
  c->max_queue = 4;
  c->turn_uris = turn;
  c->turn_secret = (gchar *) TURN_SECRET;
  c->create_channels = channels;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  fill_config (&config_auth, FALSE);
  fill_config (&config_open, TRUE);
  creds = gst_kvs_credentials_new (AKID, SECRET, NULL, "fuzz");
  return 0;
}

static KvsServer *
new_server (const KvsServerConfig * config)
{
  g_autoptr (GError) err = NULL;
  KvsServer *server = kvs_server_new (config);

  if (!kvs_server_start (server, &err))
    FUZZ_FAIL ("the service does not start: %s", err->message);
  return server;
}

static void
free_server (KvsServer * server)
{
  kvs_server_stop (server);
  g_object_unref (server);
}

static gchar *
expand_arn (KvsServer * server, const gchar * text)
{
  KvsChannel *ch = kvs_server_lookup_channel (server, CHANNEL, NULL);
  g_auto (GStrv) parts = NULL;

  if (ch == NULL || strstr (text, "@ARN@") == NULL)
    return g_strdup (text);
  parts = g_strsplit (text, "@ARN@", -1);
  return g_strjoinv (kvs_channel_get_arn (ch), parts);
}

/* ---- REST -------------------------------------------------------------- */

static const gchar *
member_string (JsonObject * obj, const gchar * name)
{
  JsonNode *n = obj ? json_object_get_member (obj, name) : NULL;

  if (n && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_STRING)
    return json_node_get_string (n);
  return NULL;
}

static JsonObject *
member_object (JsonObject * obj, const gchar * name)
{
  JsonNode *n = obj ? json_object_get_member (obj, name) : NULL;

  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
member_array (JsonObject * obj, const gchar * name)
{
  JsonNode *n = obj ? json_object_get_member (obj, name) : NULL;

  return n && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* "host port" of an endpoint URL, or NULL when it does not parse. */
static gchar *
endpoint_authority (const gchar * url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  return g_strdup_printf ("%s %d", g_uri_get_host (uri), g_uri_get_port (uri));
}

/* An authority any HTTP client sends as it is. */
static gboolean
plain_authority (const gchar * host)
{
  const gchar *p;

  if (host == NULL || *host == '\0')
    return FALSE;
  for (p = host; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr (".-:[]", *p))
      return FALSE;
  return TRUE;
}

static void
check_endpoints (KvsServer * server, JsonObject * reply, const gchar * host)
{
  JsonArray *list = member_array (reply, "ResourceEndpointList");
  const gchar *base = kvs_server_get_base_url (server);
  g_autofree gchar *asked_url = g_strdup_printf ("http://%s/", host);
  g_autofree gchar *asked = host ? endpoint_authority (asked_url) : NULL;
  g_autofree gchar *listen = endpoint_authority (base);
  guint i;

  FUZZ_CHECK (listen != NULL, "listen address %s", base);
  FUZZ_CHECK (list != NULL && json_array_get_length (list) > 0,
      "no ResourceEndpointList");
  for (i = 0; i < json_array_get_length (list); i++) {
    JsonObject *e = json_array_get_object_element (list, i);
    const gchar *proto = member_string (e, "Protocol");
    const gchar *url = member_string (e, "ResourceEndpoint");
    g_autofree gchar *got = NULL;

    FUZZ_CHECK (proto && url, "endpoint without Protocol or ResourceEndpoint");
    FUZZ_CHECK (g_str_equal (proto, "WSS") || g_str_equal (proto, "HTTPS")
        || g_str_equal (proto, "WEBRTC"), "protocol %s", proto);
    FUZZ_CHECK (g_str_has_prefix (url, g_str_equal (proto, "WSS") ? "ws://" :
            "http://"), "scheme of %s", url);
    got = endpoint_authority (url);
    FUZZ_CHECK (got != NULL, "endpoint %s does not parse (Host %s)", url, host);
    /* The authority asked, or the listen address when it is unusable; the
     * one asked when it is plain and a URL parser reads it. */
    FUZZ_CHECK (g_strcmp0 (got, asked) == 0 || g_str_equal (got, listen),
        "endpoint %s points elsewhere (Host %s)", url, host);
    if (asked && plain_authority (host))
      FUZZ_CHECK (g_str_equal (got, asked), "endpoint %s is not the Host %s",
          url, host);
  }
}

static void
check_ice (JsonObject * req, JsonObject * reply)
{
  JsonArray *list = member_array (reply, "IceServerList");
  JsonObject *e;
  const gchar *user, *pass;
  g_autoptr (GHmac) hmac = NULL;
  g_autofree gchar *want = NULL;
  guint8 digest[20];
  gsize digest_len = sizeof (digest);
  const gchar *colon;

  FUZZ_CHECK (list != NULL && json_array_get_length (list) == 1,
      "IceServerList");
  e = json_array_get_object_element (list, 0);
  user = member_string (e, "Username");
  pass = member_string (e, "Password");
  FUZZ_CHECK (user && pass && member_array (e, "Uris"), "ICE server fields");
  colon = strchr (user, ':');
  FUZZ_CHECK (colon != NULL, "username %s", user);
  if (member_string (req, "ClientId"))
    FUZZ_CHECK (g_str_equal (colon + 1, member_string (req, "ClientId")),
        "username %s is not for the client asked", user);
  hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) TURN_SECRET,
      strlen (TURN_SECRET));
  g_hmac_update (hmac, (const guchar *) user, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  want = g_base64_encode (digest, digest_len);
  FUZZ_CHECK (g_str_equal (want, pass), "TURN password does not verify");
}

static void
check_list (KvsServer * server, JsonObject * req, JsonObject * reply)
{
  JsonArray *list = member_array (reply, "ChannelInfoList");
  JsonObject *cond = member_object (req, "ChannelNameCondition");
  const gchar *prefix = member_string (cond, "ComparisonValue");
  JsonNode *maxn = req ? json_object_get_member (req, "MaxResults") : NULL;
  guint i;

  FUZZ_CHECK (list != NULL, "no ChannelInfoList");
  if (maxn && JSON_NODE_HOLDS_VALUE (maxn))
    FUZZ_CHECK (json_array_get_length (list) <= json_node_get_int (maxn),
        "more than MaxResults");
  FUZZ_CHECK (json_array_get_length (list) <=
      kvs_server_get_channels (server)->len, "more channels than exist");
  for (i = 0; i < json_array_get_length (list); i++) {
    JsonObject *info = json_array_get_object_element (list, i);
    const gchar *name = member_string (info, "ChannelName");
    const gchar *arn = member_string (info, "ChannelARN");

    FUZZ_CHECK (name && arn && kvs_server_lookup_channel (server, NULL,
            arn) == kvs_server_lookup_channel (server, name, NULL)
        && kvs_server_lookup_channel (server, name, NULL) != NULL,
        "listed channel %s does not exist", name);
    if (prefix)
      FUZZ_CHECK (g_str_has_prefix (name, prefix), "%s without prefix %s",
          name, prefix);
  }
}

static void
one_rest (KvsServer * server, const gchar * host, const gchar * path,
    const gchar * body)
{
  KvsCounters *counters = kvs_server_get_counters (server);
  guint64 errors = counters->rest_errors;
  guint n_channels = kvs_server_get_channels (server)->len;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) req_parser = json_parser_new ();
  const gchar *error_type = NULL;
  g_autofree gchar *text = NULL;
  JsonObject *reply, *req = NULL;
  guint status = 0;

  text = kvs_server_dispatch_rest (server, path, body, strlen (body), host,
      &status, &error_type);
  FUZZ_CHECK (text != NULL, "no reply");
  FUZZ_CHECK (g_utf8_validate (text, -1, NULL), "reply not UTF-8: %s", text);
  FUZZ_CHECK (input_has_secret || (strstr (text, SECRET) == NULL
          && strstr (text, TURN_SECRET) == NULL), "secret in reply: %s", text);
  FUZZ_CHECK (json_parser_load_from_data (parser, text, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)),
      "reply is no JSON object: %s", text);
  reply = json_node_get_object (json_parser_get_root (parser));

  if (status != SOUP_STATUS_OK) {
    const gchar *message = member_string (reply, "message");

    FUZZ_CHECK (status == 400 || status == 401 || status == 403
        || status == 404 || status == 500, "status %u", status);
    FUZZ_CHECK (error_type != NULL && g_str_has_suffix (error_type,
            "Exception"), "status %u with error type %s", status,
        GST_STR_NULL (error_type));
    FUZZ_CHECK (message != NULL && *message, "error reply without a message:"
        " %s", text);
    FUZZ_CHECK (counters->rest_errors == errors + 1, "errors counted %"
        G_GUINT64_FORMAT " times", counters->rest_errors - errors);
    FUZZ_CHECK (kvs_server_get_channels (server)->len == n_channels,
        "a failed request changed the channels");
    FUZZ_CHECK (kvs_server_is_rest_operation (path)
        || g_str_equal (error_type, "UnknownOperationException"),
        "unknown path %s", path);
    return;
  }
  /* (Parsed only once the service took it: json-glib leaks on some text
   * the service refuses.) */
  if (json_parser_load_from_data (req_parser, body, -1, NULL)
      && json_parser_get_root (req_parser) != NULL
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (req_parser)))
    req = json_node_get_object (json_parser_get_root (req_parser));
  FUZZ_CHECK (error_type == NULL, "200 with error type %s", error_type);
  FUZZ_CHECK (counters->rest_errors == errors, "success counted as error");
  FUZZ_CHECK (req != NULL || *body == '\0', "request body is no object: %s",
      body);

  if (g_str_equal (path, "/createSignalingChannel")) {
    const gchar *arn = member_string (reply, "ChannelARN");
    const gchar *name = member_string (req, "ChannelName");
    KvsChannel *ch = arn ? kvs_server_lookup_channel (server, NULL, arn) : NULL;

    FUZZ_CHECK (name && gst_kvs_validate_channel_name (name, NULL),
        "channel made with an invalid name");
    FUZZ_CHECK (ch != NULL && ch == kvs_server_lookup_channel (server, name,
            NULL), "created channel not found");
    FUZZ_CHECK (g_str_has_prefix (arn, "arn:aws:kinesisvideo:" REGION ":"),
        "ARN %s", arn);
    FUZZ_CHECK (kvs_server_get_channels (server)->len == n_channels + 1,
        "channel count");
  } else if (g_str_equal (path, "/deleteSignalingChannel")) {
    FUZZ_CHECK (kvs_server_get_channels (server)->len == n_channels - 1,
        "channel count after delete");
    FUZZ_CHECK (kvs_server_lookup_channel (server, NULL,
            member_string (req, "ChannelARN")) == NULL, "deleted channel "
        "still there");
  } else {
    FUZZ_CHECK (kvs_server_get_channels (server)->len == n_channels,
        "channel count changed");
    if (g_str_equal (path, "/describeSignalingChannel")) {
      JsonObject *info = member_object (reply, "ChannelInfo");
      const gchar *arn = member_string (info, "ChannelARN");
      const gchar *name = member_string (info, "ChannelName");

      FUZZ_CHECK (arn && name && kvs_server_lookup_channel (server, NULL,
              arn) == kvs_server_lookup_channel (server, name, NULL),
          "described channel");
      if (member_string (req, "ChannelARN"))
        FUZZ_CHECK (g_str_equal (arn, member_string (req, "ChannelARN")),
            "another channel described");
      if (member_string (req, "ChannelName"))
        FUZZ_CHECK (g_str_equal (name, member_string (req, "ChannelName")),
            "another channel described");
    } else if (g_str_equal (path, "/listSignalingChannels")) {
      check_list (server, req, reply);
    } else if (g_str_equal (path, "/getSignalingChannelEndpoint")) {
      check_endpoints (server, reply, host);
    } else if (g_str_equal (path, "/v1/get-ice-server-config")) {
      check_ice (req, reply);
    }
  }
}

static void
mode_rest (const uint8_t * data, size_t size)
{
  g_auto (GStrv) f = fuzz_fields (data, size, 1 + 2 * MAX_REQUESTS);
  KvsServer *server = new_server (&config_auth);
  guint i;

  for (i = 1; i + 1 < 1 + 2 * MAX_REQUESTS; i += 2) {
    g_autofree gchar *path = expand_arn (server, f[i]);
    g_autofree gchar *body = expand_arn (server, f[i + 1]);

    if (*path == '\0')
      break;
    one_rest (server, *f[0] ? f[0] : NULL, path, body);
  }
  free_server (server);
}

/* ---- WebSocket upgrade ------------------------------------------------- */

/* What the server must decide about an upgrade with @arn and @client_id
 * (no connection exists, so no viewer limit). */
static gboolean
upgrade_acceptable (KvsServer * server, const gchar * arn,
    const gchar * client_id)
{
  KvsChannel *ch = arn ? kvs_server_lookup_channel (server, NULL, arn) : NULL;

  return ch != NULL && (client_id == NULL
      || gst_kvs_validate_viewer_client_id (client_id, NULL));
}

static void
check_upgrade (KvsServer * server, gboolean ok, KvsUpgradeCheck * check,
    const gchar * arn, const gchar * client_id, guint64 rejects)
{
  KvsCounters *counters = kvs_server_get_counters (server);

  if (ok) {
    FUZZ_CHECK (check->status == 0 && check->message == NULL,
        "accepted with an error");
    FUZZ_CHECK (g_strcmp0 (check->channel_arn, arn) == 0, "ARN %s for %s",
        check->channel_arn, arn);
    FUZZ_CHECK (g_strcmp0 (check->client_id, client_id) == 0,
        "client id %s for %s", check->client_id, client_id);
    FUZZ_CHECK (check->role == (client_id ? GST_KVS_ROLE_VIEWER :
            GST_KVS_ROLE_MASTER), "role");
    FUZZ_CHECK (counters->handshake_rejects == rejects, "accept counted");
    return;
  }
  FUZZ_CHECK (check->status == 400 || check->status == 403
      || check->status == 404, "status %u", check->status);
  FUZZ_CHECK (check->error_type && check->message && *check->message,
      "refusal without error type or message");
  FUZZ_CHECK (g_utf8_validate (check->message, -1, NULL),
      "message not UTF-8: %s", check->message);
  FUZZ_CHECK (input_has_secret || strstr (check->message, SECRET) == NULL,
      "secret in refusal: %s", check->message);
  FUZZ_CHECK (check->channel_arn == NULL && check->client_id == NULL,
      "refused with a channel");
  FUZZ_CHECK (counters->handshake_rejects == rejects + 1,
      "refusal counted %" G_GUINT64_FORMAT " times",
      counters->handshake_rejects - rejects);
}

static void
mode_upgrade (const uint8_t * data, size_t size)
{
  g_auto (GStrv) f = fuzz_fields (data, size, 3);
  KvsServer *server = new_server (&config_open);
  g_auto (KvsUpgradeCheck) check = { 0, };
  g_autofree gchar *query = expand_arn (server, f[2]);
  g_autoptr (GHashTable) params = soup_form_decode (query);
  const gchar *arn = g_hash_table_lookup (params, "X-Amz-ChannelARN");
  const gchar *client_id = g_hash_table_lookup (params, "X-Amz-ClientId");
  guint64 rejects = kvs_server_get_counters (server)->handshake_rejects;
  gboolean ok;

  ok = kvs_server_check_upgrade (server, *f[1] ? f[1] : "/", query,
      *f[0] ? f[0] : NULL, &check);
  check_upgrade (server, ok, &check, arn, client_id, rejects);
  FUZZ_CHECK (ok == upgrade_acceptable (server, arn, client_id),
      "upgrade %s: %s", ok ? "accepted" : "refused", query);
  free_server (server);
}

/* A host the presigner and the server agree on (the presigner's handling
 * of %-escapes and userinfo is a finding of the sigv4-verify target). */
static gboolean
plain_host (const gchar * host)
{
  const gchar *p;

  if (*host == '\0')
    return FALSE;
  for (p = host; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr (".-:", *p))
      return FALSE;
  return TRUE;
}

static void
mode_presigned (const uint8_t * data, size_t size)
{
  g_auto (GStrv) f = fuzz_fields (data, size, 3);
  KvsServer *server = new_server (&config_auth);
  g_auto (KvsUpgradeCheck) check = { 0, };
  g_autofree gchar *arn = expand_arn (server, f[1]);
  const gchar *client_id = *f[2] ? f[2] : NULL;
  const gchar *host = plain_host (f[0]) ? f[0] : "127.0.0.1:4566";
  g_autofree gchar *earn = g_uri_escape_string (arn, NULL, FALSE);
  g_autofree gchar *ecid = client_id ? g_uri_escape_string (client_id, NULL,
      FALSE) : NULL;
  g_autofree gchar *url = NULL;
  g_autofree gchar *signed_url = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *authority = NULL;
  guint64 rejects = kvs_server_get_counters (server)->handshake_rejects;
  gboolean ok;

  url = g_strdup_printf ("wss://%s/?X-Amz-ChannelARN=%s%s%s", host, earn,
      ecid ? "&X-Amz-ClientId=" : "", ecid ? ecid : "");
  signed_url = gst_kvs_sigv4_presign_url (url, creds, REGION,
      GST_KVS_SIGV4_SERVICE, 299, NULL, &err);
  if (signed_url == NULL) {
    FUZZ_CHECK_ERROR (err);
    free_server (server);
    return;
  }
  uri = g_uri_parse (signed_url, G_URI_FLAGS_ENCODED, &err);
  FUZZ_CHECK (uri != NULL, "presigned URL does not parse: %s", signed_url);
  authority = g_uri_get_port (uri) > 0 ? g_strdup_printf ("%s:%d",
      g_uri_get_host (uri), g_uri_get_port (uri)) :
      g_strdup (g_uri_get_host (uri));
  ok = kvs_server_check_upgrade (server, g_uri_get_path (uri),
      g_uri_get_query (uri), authority, &check);
  check_upgrade (server, ok, &check, arn, client_id, rejects);
  FUZZ_CHECK (ok == upgrade_acceptable (server, arn, client_id),
      "presigned upgrade %s: %s (%s)", ok ? "accepted" : "refused",
      signed_url, check.message ? check.message : "");
  free_server (server);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  if (data == NULL || size == 0)
    return 0;
  input_has_secret = memmem (data, size, SECRET, strlen (SECRET)) != NULL
      || memmem (data, size, TURN_SECRET, strlen (TURN_SECRET)) != NULL;
  switch (data[0] % 3) {
    case 0:
      mode_rest (data + 1, size - 1);
      break;
    case 1:
      mode_upgrade (data + 1, size - 1);
      break;
    default:
      mode_presigned (data + 1, size - 1);
      break;
  }
  return 0;
}
