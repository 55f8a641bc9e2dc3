/* kvssignaling: tests of GstKvsControlPlane against an in-process SoupServer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>
#include <gst/kvssignaling/gstkvscontrolplane.h>
#include <gst/kvssignaling/gstkvsiceserver.h>
#include <gst/kvssignaling/gstkvssigv4.h>
#include "gstkvssigv4verify.h"

#define ACCESS_KEY "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "FQoGZXIvYXdzEXAMPLETOKENzzzz/////////wEaDExampleSessionToken=="
#define TURN_PASSWORD "TurnPassw0rd/+EXAMPLE=="
#define REGION "us-west-2"
#define ARN "arn:aws:kinesisvideo:us-west-2:123456789012:channel/demo/1605557568493"

/* What the server answers next and what it saw last. */
typedef struct {
  guint status;
  const gchar *error_type;      /* x-amzn-ErrorType, or NULL */
  gchar *body;                  /* the reply body (may be NULL = empty) */
  gsize body_len;               /* 0: strlen (body) */
  gint64 date_shift;            /* seconds added to now in the Date header */
  gboolean no_date;
  gboolean pause;               /* never answer */
  gint64 verify_shift;          /* server clock for the signature check */

  guint n_requests;
  gchar *method;
  gchar *path;
  gchar *content_type;
  gchar *amz_date;
  gchar *token_header;
  JsonNode *json;
  gboolean sig_ok;
  gchar *sig_error;
  gchar *akid;
} ServerState;

static GMainContext *ctx;
static SoupServer *server;
static SoupSession *session;
static gchar *base_url;
static ServerState st;
static GstKvsCredentials *creds;
static GstKvsControlPlane *cp;

static const gchar *
lookup_secret (const gchar * akid, gpointer user_data)
{
  return g_strcmp0 (akid, ACCESS_KEY) == 0 ? SECRET : NULL;
}

static void
clear_seen (void)
{
  g_clear_pointer (&st.method, g_free);
  g_clear_pointer (&st.path, g_free);
  g_clear_pointer (&st.content_type, g_free);
  g_clear_pointer (&st.amz_date, g_free);
  g_clear_pointer (&st.token_header, g_free);
  g_clear_pointer (&st.json, json_node_unref);
  g_clear_pointer (&st.sig_error, g_free);
  g_clear_pointer (&st.akid, g_free);
  st.sig_ok = FALSE;
}

static void
set_reply (guint status, const gchar * error_type, const gchar * body)
{
  st.status = status;
  st.error_type = error_type;
  g_free (st.body);
  st.body = g_strdup (body);
  st.body_len = 0;
}

static void
server_cb (SoupServer * srv, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  SoupMessageBody *req_body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (req_body);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) verify_now = NULL;
  GError *err = NULL;
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);

  clear_seen ();
  st.n_requests++;
  st.method = g_strdup (soup_server_message_get_method (msg));
  st.path = g_strdup (path);
  st.content_type = g_strdup (soup_message_headers_get_one (req,
          "Content-Type"));
  st.amz_date = g_strdup (soup_message_headers_get_one (req, "x-amz-date"));
  st.token_header = g_strdup (soup_message_headers_get_one (req,
          "x-amz-security-token"));
  if (len > 0 && json_parser_load_from_data (parser, data, len, NULL))
    st.json = json_node_copy (json_parser_get_root (parser));

  verify_now = g_date_time_add_seconds (now, (gdouble) st.verify_shift);
  st.sig_ok = gst_kvs_sigv4_verify_headers ("POST", path,
      g_uri_get_query (soup_server_message_get_uri (msg)), req, bytes,
      REGION, "kinesisvideo", lookup_secret, NULL, verify_now, &st.akid,
      &err);
  if (err) {
    st.sig_error = g_strdup (err->message);
    g_error_free (err);
  }

  if (st.pause) {
    /* Never answered: the client cancels or times out, then goes. */
    soup_server_message_pause (msg);
    return;
  }

  soup_server_message_set_status (msg, st.status, NULL);
  soup_message_headers_replace (resp, "x-amzn-RequestId",
      "c5c5c5c5-0000-4000-8000-000000000001");
  if (st.error_type)
    soup_message_headers_replace (resp, "x-amzn-ErrorType", st.error_type);
  if (st.no_date) {
    soup_message_headers_remove (resp, "Date");
  } else {
    g_autoptr (GDateTime) d = g_date_time_add_seconds (now,
        (gdouble) st.date_shift);
    g_autofree gchar *s = soup_date_time_to_string (d, SOUP_DATE_HTTP);
    soup_message_headers_replace (resp, "Date", s);
  }
  if (st.body) {
    soup_server_message_set_response (msg, "application/json",
        SOUP_MEMORY_COPY, st.body, st.body_len ? st.body_len :
        strlen (st.body));
  }
}

static void
setup (void)
{
  GError *err = NULL;
  GSList *uris;

  memset (&st, 0, sizeof (st));
  st.status = 200;
  ctx = g_main_context_new ();
  g_main_context_push_thread_default (ctx);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, server_cb, NULL, NULL);
  fail_unless (soup_server_listen_local (server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY, &err), "listen: %s",
      err ? err->message : "");
  uris = soup_server_get_uris (server);
  fail_unless (uris != NULL);
  base_url = g_strdup_printf ("http://127.0.0.1:%d",
      g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  session = soup_session_new ();
  creds = gst_kvs_credentials_new (ACCESS_KEY, SECRET, NULL, "test");
  cp = gst_kvs_control_plane_new (session, base_url, REGION, creds);
}

static gboolean on_deadline (gpointer user_data);

static void
teardown (void)
{
  gboolean settled = FALSE;
  GSource *grace;

  g_clear_object (&cp);
  g_clear_pointer (&creds, gst_kvs_credentials_unref);
  soup_session_abort (session);
  g_clear_object (&session);
  /* Let the server see the clients go before it is freed. */
  grace = g_timeout_source_new (50);
  g_source_set_callback (grace, on_deadline, &settled, NULL);
  g_source_attach (grace, ctx);
  while (!settled)
    g_main_context_iteration (ctx, TRUE);
  g_source_unref (grace);
  soup_server_disconnect (server);
  g_clear_object (&server);
  while (g_main_context_iteration (ctx, FALSE));
  g_main_context_pop_thread_default (ctx);
  g_main_context_unref (ctx);
  clear_seen ();
  g_free (st.body);
  g_free (base_url);
}

/* ---------------------------------------------------------------------- */

static void
on_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  fail_unless (*slot == NULL, "callback called twice");
  *slot = g_object_ref (res);
}

static gboolean
on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the context until *@slot is set or 10 s have passed. */
static GAsyncResult *
wait_for (GAsyncResult ** slot)
{
  gboolean expired = FALSE;
  GSource *deadline = g_timeout_source_new_seconds (10);

  g_source_set_callback (deadline, on_deadline, &expired, NULL);
  g_source_attach (deadline, ctx);
  while (*slot == NULL && !expired)
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (deadline);
  g_source_unref (deadline);
  fail_unless (*slot != NULL, "the call never completed");
  return *slot;
}

static GstKvsChannelInfo *
describe (const gchar * name, const gchar * arn, GError ** error)
{
  GAsyncResult *res = NULL;
  GstKvsChannelInfo *info;

  gst_kvs_control_plane_describe_channel_async (cp, name, arn, NULL, on_done,
      &res);
  info = gst_kvs_control_plane_describe_channel_finish (cp, wait_for (&res),
      error);
  g_object_unref (res);
  return info;
}

static gchar *
create (const gchar * name, guint ttl, GError ** error)
{
  GAsyncResult *res = NULL;
  gchar *arn;

  gst_kvs_control_plane_create_channel_async (cp, name, ttl, NULL, on_done,
      &res);
  arn = gst_kvs_control_plane_create_channel_finish (cp, wait_for (&res),
      error);
  g_object_unref (res);
  return arn;
}

static gboolean
delete (const gchar * arn, const gchar * version, GError ** error)
{
  GAsyncResult *res = NULL;
  gboolean ok;

  gst_kvs_control_plane_delete_channel_async (cp, arn, version, NULL,
      on_done, &res);
  ok = gst_kvs_control_plane_delete_channel_finish (cp, wait_for (&res),
      error);
  g_object_unref (res);
  return ok;
}

static GstKvsEndpoints *
endpoints (GstKvsRole role, GError ** error)
{
  GAsyncResult *res = NULL;
  GstKvsEndpoints *ep;

  gst_kvs_control_plane_get_endpoints_async (cp, ARN, role, NULL, on_done,
      &res);
  ep = gst_kvs_control_plane_get_endpoints_finish (cp, wait_for (&res),
      error);
  g_object_unref (res);
  return ep;
}

static GPtrArray *
ice_config (const gchar * https, const gchar * client_id, GError ** error)
{
  GAsyncResult *res = NULL;
  GPtrArray *servers;

  gst_kvs_control_plane_get_ice_server_config_async (cp, https, ARN,
      client_id, NULL, on_done, &res);
  servers = gst_kvs_control_plane_get_ice_server_config_finish (cp,
      wait_for (&res), error);
  g_object_unref (res);
  return servers;
}

/* The request is a signed JSON POST to @path. */
static void
check_request (const gchar * path)
{
  fail_unless_equals_string (st.method, "POST");
  fail_unless_equals_string (st.path, path);
  fail_unless_equals_string (st.content_type, "application/json");
  fail_unless (st.sig_ok, "signature rejected: %s",
      GST_STR_NULL (st.sig_error));
  fail_unless_equals_string (st.akid, ACCESS_KEY);
  fail_unless (st.json != NULL && JSON_NODE_HOLDS_OBJECT (st.json),
      "the request body is not a JSON object");
}

static JsonObject *
req_obj (void)
{
  return json_node_get_object (st.json);
}

static const gchar *
req_string (const gchar * member)
{
  JsonObject *o = req_obj ();

  if (!json_object_has_member (o, member))
    return NULL;
  return json_object_get_string_member (o, member);
}

#define DESCRIBE_REPLY \
  "{\"ChannelInfo\":{\"ChannelName\":\"demo\",\"ChannelARN\":\"" ARN "\"," \
  "\"ChannelType\":\"SINGLE_MASTER\",\"ChannelStatus\":\"ACTIVE\"," \
  "\"CreationTime\":1.605557568493E9,\"SingleMasterConfiguration\":" \
  "{\"MessageTtlSeconds\":60},\"Version\":\"Y0DbHTc3yuyFqwBaPD3Z\"}}"

/* ---------------------------------------------------------------------- */
/* Success */

GST_START_TEST (test_describe_by_name)
{
  g_autoptr (GstKvsChannelInfo) info = NULL;
  g_autoptr (GstKvsChannelInfo) copy = NULL;
  GError *err = NULL;

  fail_unless_equals_int64 (gst_kvs_control_plane_get_last_duration (cp,
          "DescribeSignalingChannel"), -1);
  set_reply (200, NULL, DESCRIBE_REPLY);
  info = describe ("demo", NULL, &err);
  fail_unless (info != NULL, "%s", err ? err->message : "");

  check_request ("/describeSignalingChannel");
  fail_unless_equals_int (json_object_get_size (req_obj ()), 1);
  fail_unless_equals_string (req_string ("ChannelName"), "demo");
  fail_unless (st.token_header == NULL);

  fail_unless_equals_string (info->name, "demo");
  fail_unless_equals_string (info->arn, ARN);
  fail_unless_equals_string (info->type, "SINGLE_MASTER");
  fail_unless_equals_string (info->status, "ACTIVE");
  fail_unless_equals_string (info->version, "Y0DbHTc3yuyFqwBaPD3Z");
  fail_unless_equals_int64 (info->creation_time, 1605557568);
  fail_unless_equals_int (info->message_ttl, 60);

  copy = gst_kvs_channel_info_copy (info);
  fail_unless (copy->arn != info->arn);
  fail_unless_equals_string (copy->arn, ARN);
  fail_unless_equals_string (copy->version, info->version);
  fail_unless_equals_int64 (copy->creation_time, 1605557568);

  fail_unless (gst_kvs_control_plane_get_last_duration (cp,
          "DescribeSignalingChannel") >= 0);
  fail_unless_equals_int64 (gst_kvs_control_plane_get_last_duration (cp,
          "CreateSignalingChannel"), -1);
}

GST_END_TEST;

GST_START_TEST (test_describe_by_arn_minimal_reply)
{
  g_autoptr (GstKvsChannelInfo) info = NULL;
  GError *err = NULL;

  /* Only the required fields; CreationTime as an integer. */
  set_reply (200, NULL, "{\"ChannelInfo\":{\"ChannelName\":\"demo\","
      "\"ChannelARN\":\"" ARN "\",\"CreationTime\":1605557568,"
      "\"Version\":null,\"Unknown\":[1,2]},\"Extra\":true}");
  info = describe (NULL, ARN, &err);
  fail_unless (info != NULL, "%s", err ? err->message : "");

  check_request ("/describeSignalingChannel");
  fail_unless_equals_int (json_object_get_size (req_obj ()), 1);
  fail_unless_equals_string (req_string ("ChannelARN"), ARN);
  fail_unless (info->type == NULL);
  fail_unless (info->version == NULL);
  fail_unless_equals_int64 (info->creation_time, 1605557568);
  fail_unless_equals_int (info->message_ttl, 0);
}

GST_END_TEST;

GST_START_TEST (test_describe_invalid_name_not_sent)
{
  GError *err = NULL;

  fail_unless (describe ("bad name!", NULL, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_CHANNEL_NAME), "%s", err->message);
  fail_unless_equals_int (st.n_requests, 0);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_create)
{
  g_autofree gchar *arn = NULL;
  g_autofree gchar *arn2 = NULL;
  JsonObject *smc;
  GError *err = NULL;

  set_reply (200, NULL, "{\"ChannelARN\":\"" ARN "\"}");
  arn = create ("demo", 30, &err);
  fail_unless (arn != NULL, "%s", err ? err->message : "");
  fail_unless_equals_string (arn, ARN);

  check_request ("/createSignalingChannel");
  fail_unless_equals_int (json_object_get_size (req_obj ()), 3);
  fail_unless_equals_string (req_string ("ChannelName"), "demo");
  fail_unless_equals_string (req_string ("ChannelType"), "SINGLE_MASTER");
  smc = json_object_get_object_member (req_obj (),
      "SingleMasterConfiguration");
  fail_unless (smc != NULL);
  fail_unless_equals_int64 (json_object_get_int_member (smc,
          "MessageTtlSeconds"), 30);

  /* 0 is the service default, 60. */
  arn2 = create ("demo", 0, &err);
  fail_unless (arn2 != NULL, "%s", err ? err->message : "");
  smc = json_object_get_object_member (req_obj (),
      "SingleMasterConfiguration");
  fail_unless_equals_int64 (json_object_get_int_member (smc,
          "MessageTtlSeconds"), 60);
  fail_unless_equals_int (st.n_requests, 2);
}

GST_END_TEST;

GST_START_TEST (test_create_invalid_not_sent)
{
  GError *err = NULL;

  fail_unless (create ("demo", 4, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_INVALID_ARGUMENT));
  fail_unless (strstr (err->message, "5..120") != NULL, "%s", err->message);
  g_clear_error (&err);

  fail_unless (create ("demo", 121, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_INVALID_ARGUMENT));
  g_clear_error (&err);

  fail_unless (create ("", 60, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_VALIDATION_ERROR,
          GST_KVS_VALIDATION_ERROR_CHANNEL_NAME));
  g_clear_error (&err);

  fail_unless_equals_int (st.n_requests, 0);
}

GST_END_TEST;

GST_START_TEST (test_delete)
{
  GError *err = NULL;

  /* Empty 200 reply. */
  set_reply (200, NULL, NULL);
  fail_unless (delete (ARN, "Y0DbHTc3yuyFqwBaPD3Z", &err), "%s",
      err ? err->message : "");
  check_request ("/deleteSignalingChannel");
  fail_unless_equals_int (json_object_get_size (req_obj ()), 2);
  fail_unless_equals_string (req_string ("ChannelARN"), ARN);
  fail_unless_equals_string (req_string ("CurrentVersion"),
      "Y0DbHTc3yuyFqwBaPD3Z");

  /* "{}" reply, no version. */
  set_reply (200, NULL, "{}");
  fail_unless (delete (ARN, NULL, &err), "%s", err ? err->message : "");
  fail_unless_equals_int (json_object_get_size (req_obj ()), 1);
  fail_unless (req_string ("CurrentVersion") == NULL);

  /* Even a reply without result must be JSON when there is one. */
  set_reply (200, NULL, "<html>");
  fail_if (delete (ARN, NULL, &err));
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL));
  g_clear_error (&err);
}

GST_END_TEST;

static void
check_endpoints_request (const gchar * role)
{
  JsonObject *conf;
  JsonArray *protocols;

  check_request ("/getSignalingChannelEndpoint");
  fail_unless_equals_int (json_object_get_size (req_obj ()), 2);
  fail_unless_equals_string (req_string ("ChannelARN"), ARN);
  conf = json_object_get_object_member (req_obj (),
      "SingleMasterChannelEndpointConfiguration");
  fail_unless (conf != NULL);
  fail_unless_equals_string (json_object_get_string_member (conf, "Role"),
      role);
  protocols = json_object_get_array_member (conf, "Protocols");
  fail_unless (protocols != NULL);
  fail_unless_equals_int (json_array_get_length (protocols), 2);
  fail_unless_equals_string (json_array_get_string_element (protocols, 0),
      "WSS");
  fail_unless_equals_string (json_array_get_string_element (protocols, 1),
      "HTTPS");
}

GST_START_TEST (test_get_endpoints)
{
  GError *err = NULL;
  GstKvsEndpoints *ep, *copy;

  /* HTTPS first, an unknown protocol in between: order does not matter. */
  set_reply (200, NULL, "{\"ResourceEndpointList\":["
      "{\"Protocol\":\"HTTPS\",\"ResourceEndpoint\":"
      "\"https://r-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com\"},"
      "{\"Protocol\":\"WEBRTC\",\"ResourceEndpoint\":\"https://w\"},"
      "{\"Protocol\":\"WSS\",\"ResourceEndpoint\":"
      "\"wss://m-26d02974.kinesisvideo.us-west-2.amazonaws.com\"}]}");
  ep = endpoints (GST_KVS_ROLE_MASTER, &err);
  fail_unless (ep != NULL, "%s", err ? err->message : "");
  check_endpoints_request ("MASTER");
  fail_unless_equals_string (ep->wss,
      "wss://m-26d02974.kinesisvideo.us-west-2.amazonaws.com");
  fail_unless_equals_string (ep->https,
      "https://r-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com");
  copy = gst_kvs_endpoints_copy (ep);
  fail_unless_equals_string (copy->wss, ep->wss);
  fail_unless_equals_string (copy->https, ep->https);
  gst_kvs_endpoints_free (copy);
  gst_kvs_endpoints_free (ep);

  set_reply (200, NULL, "{\"ResourceEndpointList\":["
      "{\"Protocol\":\"WSS\",\"ResourceEndpoint\":\"wss://v-1\"},"
      "{\"Protocol\":\"HTTPS\",\"ResourceEndpoint\":\"https://r-1\"}]}");
  ep = endpoints (GST_KVS_ROLE_VIEWER, &err);
  fail_unless (ep != NULL, "%s", err ? err->message : "");
  check_endpoints_request ("VIEWER");
  fail_unless_equals_string (ep->wss, "wss://v-1");
  fail_unless_equals_string (ep->https, "https://r-1");
  gst_kvs_endpoints_free (ep);
}

GST_END_TEST;

#define ICE_REPLY \
  "{\"IceServerList\":[{\"Uris\":[" \
  "\"turn:1-2-3-4.t-1.kinesisvideo.us-west-2.amazonaws.com:443?transport=udp\"," \
  "\"turns:1-2-3-4.t-1.kinesisvideo.us-west-2.amazonaws.com:443?transport=udp\"," \
  "\"turns:1-2-3-4.t-1.kinesisvideo.us-west-2.amazonaws.com:443?transport=tcp\"]," \
  "\"Username\":\"1605557923:djE6YXJu\",\"Password\":\"" TURN_PASSWORD "\"," \
  "\"Ttl\":300},{\"Uris\":[\"turn:5-6-7-8.t-2:443?transport=udp\"]," \
  "\"Username\":\"u2\",\"Password\":\"p2\"}]}"

GST_START_TEST (test_ice_server_config)
{
  g_autofree gchar *https = g_strconcat (base_url, "/", NULL);
  g_autoptr (GPtrArray) servers = NULL;
  g_autoptr (GPtrArray) none = NULL;
  GstKvsIceServer *s;
  GError *err = NULL;

  set_reply (200, NULL, ICE_REPLY);
  /* A trailing '/' on the endpoint must not double the slash. */
  servers = ice_config (https, "viewer-1", &err);
  fail_unless (servers != NULL, "%s", err ? err->message : "");
  check_request ("/v1/get-ice-server-config");
  fail_unless_equals_int (json_object_get_size (req_obj ()), 3);
  fail_unless_equals_string (req_string ("ChannelARN"), ARN);
  fail_unless_equals_string (req_string ("ClientId"), "viewer-1");
  fail_unless_equals_string (req_string ("Service"), "TURN");

  fail_unless_equals_int (servers->len, 2);
  s = g_ptr_array_index (servers, 0);
  fail_unless_equals_int (g_strv_length (s->uris), 3);
  fail_unless_equals_string (s->uris[2],
      "turns:1-2-3-4.t-1.kinesisvideo.us-west-2.amazonaws.com:443"
      "?transport=tcp");
  fail_unless_equals_string (s->username, "1605557923:djE6YXJu");
  fail_unless_equals_string (s->password, TURN_PASSWORD);
  fail_unless_equals_int (s->ttl, 300);
  s = g_ptr_array_index (servers, 1);
  fail_unless_equals_int (g_strv_length (s->uris), 1);
  fail_unless_equals_string (s->username, "u2");
  /* Ttl absent: AWS's usual 300 s. */
  fail_unless_equals_int (s->ttl, 300);

  /* No client id: no ClientId member; no list: no servers. */
  set_reply (200, NULL, "{}");
  none = ice_config (base_url, NULL, &err);
  fail_unless (none != NULL, "%s", err ? err->message : "");
  fail_unless_equals_int (none->len, 0);
  fail_unless_equals_int (json_object_get_size (req_obj ()), 2);
  fail_unless (req_string ("ClientId") == NULL);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* Service errors */

typedef struct {
  guint status;
  const gchar *error_type;
  const gchar *body;
  GstKvsError code;
  const gchar *message;         /* exact */
} ErrorCase;

static const ErrorCase error_cases[] = {
  {404, "ResourceNotFoundException",
        "{\"message\":\"The requested channel is not found or not active.\"}",
        GST_KVS_ERROR_RESOURCE_NOT_FOUND,
      "ResourceNotFoundException: The requested channel is not found or not "
        "active. (DescribeSignalingChannel, HTTP 404)"},
  {400, "ClientLimitExceededException",
        "{\"message\":\"Rate exceeded\"}",
        GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED,
      "ClientLimitExceededException: Rate exceeded "
        "(DescribeSignalingChannel, HTTP 400)"},
  /* Capitalised "Message", as some AWS services write it. */
  {400, "InvalidArgumentException",
        "{\"Message\":\"1 validation error detected\"}",
        GST_KVS_ERROR_INVALID_ARGUMENT,
      "InvalidArgumentException: 1 validation error detected "
        "(DescribeSignalingChannel, HTTP 400)"},
  {400, "ResourceInUseException", "{\"message\":\"in use\"}",
        GST_KVS_ERROR_RESOURCE_IN_USE,
      "ResourceInUseException: in use (DescribeSignalingChannel, HTTP 400)"},
  {401, "AccessDeniedException", "{\"message\":\"denied\"}",
        GST_KVS_ERROR_ACCESS_DENIED,
      "AccessDeniedException: denied (DescribeSignalingChannel, HTTP 401)"},
  {401, "NotAuthorizedException", "{\"message\":\"no\"}",
        GST_KVS_ERROR_NOT_AUTHORIZED,
      "NotAuthorizedException: no (DescribeSignalingChannel, HTTP 401)"},
  /* AWS's own 403 for a skewed clock carries no error name at all. */
  {403, NULL,
        "{\"message\":\"Signature expired: 20201116T000000Z is now earlier "
        "than 20201116T000500Z (20201116T001000Z - 5 min.)\"}",
        GST_KVS_ERROR_SIGNATURE_EXPIRED,
      "InvalidSignatureException: Signature expired: 20201116T000000Z is now "
        "earlier than 20201116T000500Z (20201116T001000Z - 5 min.) "
        "(DescribeSignalingChannel, HTTP 403)"},
  {403, "InvalidSignatureException",
        "{\"message\":\"The request signature we calculated does not match "
        "the signature you provided.\"}", GST_KVS_ERROR_SIGNATURE,
      "InvalidSignatureException: The request signature we calculated does "
        "not match the signature you provided. (DescribeSignalingChannel, "
        "HTTP 403)"},
  {500, NULL, "oops", GST_KVS_ERROR_SERVICE,
      "HTTP 500: oops (DescribeSignalingChannel, HTTP 500)"},
  {503, NULL, NULL, GST_KVS_ERROR_SERVICE,
      "HTTP 503: Service Unavailable (DescribeSignalingChannel, HTTP 503)"},
  /* The name may carry a ":url" suffix; the message never shows it. */
  {404,
        "ResourceNotFoundException:http://internal.amazon.com/coral/"
        "com.amazonaws.kinesisvideo.v20170930/", "{\"message\":\"gone\"}",
        GST_KVS_ERROR_RESOURCE_NOT_FOUND,
      "ResourceNotFoundException: gone (DescribeSignalingChannel, HTTP 404)"},
  /* No body: the reason phrase stands in. */
  {404, "ResourceNotFoundException", NULL, GST_KVS_ERROR_RESOURCE_NOT_FOUND,
      "ResourceNotFoundException: Not Found (DescribeSignalingChannel, "
        "HTTP 404)"},
  /* No header, the JSON protocols' __type in the body. */
  {400, NULL,
        "{\"__type\":\"com.amazonaws#ClientLimitExceededException\","
        "\"message\":\"slow down\"}", GST_KVS_ERROR_CLIENT_LIMIT_EXCEEDED,
      "ClientLimitExceededException: slow down (DescribeSignalingChannel, "
        "HTTP 400)"},
};

GST_START_TEST (test_service_errors)
{
  const ErrorCase *c = &error_cases[__i__];
  GError *err = NULL;

  set_reply (c->status, c->error_type, c->body);
  fail_unless (describe ("demo", NULL, &err) == NULL);
  fail_unless (err != NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, c->code),
      "case %d: code %d, expected %d (%s)", __i__, err->code, c->code,
      err->message);
  fail_unless_equals_string (err->message, c->message);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_service_error_other_operations)
{
  GError *err = NULL;

  set_reply (400, "ResourceInUseException",
      "{\"message\":\"The channel demo already exists\"}");
  fail_unless (create ("demo", 60, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_RESOURCE_IN_USE));
  fail_unless_equals_string (err->message, "ResourceInUseException: The "
      "channel demo already exists (CreateSignalingChannel, HTTP 400)");
  g_clear_error (&err);

  set_reply (400, "SessionExpiredException", "{\"message\":\"expired\"}");
  fail_unless (ice_config (base_url, NULL, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_SESSION_EXPIRED));
  fail_unless_equals_string (err->message, "SessionExpiredException: "
      "expired (GetIceServerConfig, HTTP 400)");
  g_clear_error (&err);

  set_reply (404, "ResourceNotFoundException", "{\"message\":\"x\"}");
  fail_if (delete (ARN, NULL, &err));
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_RESOURCE_NOT_FOUND));
  g_clear_error (&err);

  set_reply (401, "AccessDeniedException", "{\"message\":\"x\"}");
  fail_unless (endpoints (GST_KVS_ROLE_MASTER, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_ACCESS_DENIED));
  g_clear_error (&err);
}

GST_END_TEST;

/* AWS echoes the canonical request (token included) on a bad signature:
 * the GError must not carry the token or the secret. */
GST_START_TEST (test_error_text_scrubbed)
{
  GstKvsCredentials *tc =
      gst_kvs_credentials_new (ACCESS_KEY, SECRET, TOKEN, "test");
  g_autofree gchar *body = g_strdup_printf ("{\"message\":\"The request "
      "signature we calculated does not match. The Canonical String was "
      "'x-amz-security-token:%s' key %s\"}", TOKEN, SECRET);
  GError *err = NULL;

  gst_kvs_control_plane_set_credentials (cp, tc);
  gst_kvs_credentials_unref (tc);
  set_reply (403, "InvalidSignatureException", body);
  fail_unless (describe ("demo", NULL, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE));
  fail_unless (strstr (err->message, TOKEN) == NULL, "%s", err->message);
  fail_unless (strstr (err->message, SECRET) == NULL, "%s", err->message);
  fail_unless (strstr (err->message, "x-amz-security-token:<redacted>"),
      "%s", err->message);
  g_error_free (err);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* Malformed replies */

typedef struct {
  const gchar *body;
  const gchar *message;         /* exact, or a prefix ending in '*' */
} ProtoCase;

static const ProtoCase describe_proto_cases[] = {
  {"", "DescribeSignalingChannel reply is empty"},
  {"{\"ChannelInfo\":", "DescribeSignalingChannel reply is not JSON: *"},
  {"[1,2]", "DescribeSignalingChannel reply is not a JSON object: it starts "
        "with '['"},
  {"\"ChannelInfo\"", "DescribeSignalingChannel reply is not a JSON object: "
        "it starts with '\"'"},
  /* What json-glib must not see (gst_kvs_json_check_object_text). */
  {"{}{}", "DescribeSignalingChannel reply has data after its JSON object, "
        "at offset 2"},
  {"{\"ChannelInfo\":\"\\ud800\"}", "DescribeSignalingChannel reply has an "
        "invalid escape at offset 16: *"},
  {"{\"a\":[[[[[[[[[[[[[[[[" "[[[[[[[[[[[[[[[[",
      "DescribeSignalingChannel reply is nested more than 32 levels deep"},
  {"{}", "DescribeSignalingChannel reply has no ChannelInfo"},
  {"{\"ChannelInfo\":null}",
      "DescribeSignalingChannel reply has no ChannelInfo"},
  {"{\"ChannelInfo\":[]}", "DescribeSignalingChannel reply has ChannelInfo "
        "of type Array, expected an object"},
  {"{\"ChannelInfo\":{\"ChannelName\":\"demo\"}}",
      "DescribeSignalingChannel reply has no ChannelInfo.ChannelARN"},
  {"{\"ChannelInfo\":{\"ChannelARN\":\"" ARN "\"}}",
      "DescribeSignalingChannel reply has no ChannelInfo.ChannelName"},
  {"{\"ChannelInfo\":{\"ChannelName\":\"demo\",\"ChannelARN\":42}}",
        "DescribeSignalingChannel reply has ChannelInfo.ChannelARN of type "
        "Integer, expected a string"},
  {"{\"ChannelInfo\":{\"ChannelName\":\"demo\",\"ChannelARN\":\"\"}}",
      "DescribeSignalingChannel reply has an empty ChannelInfo.ChannelARN"},
  {"{\"ChannelInfo\":{\"ChannelName\":\"demo\",\"ChannelARN\":\"" ARN "\","
        "\"ChannelStatus\":true}}", "DescribeSignalingChannel reply has "
        "ChannelInfo.ChannelStatus of type Boolean, expected a string"},
  {"{\"ChannelInfo\":{\"ChannelName\":\"demo\",\"ChannelARN\":\"" ARN "\","
        "\"CreationTime\":\"yesterday\"}}", "DescribeSignalingChannel reply "
        "has ChannelInfo.CreationTime of type String, expected a number"},
  {"{\"ChannelInfo\":{\"ChannelName\":\"demo\",\"ChannelARN\":\"" ARN "\","
        "\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":\"60\"}}}",
        "DescribeSignalingChannel reply has ChannelInfo."
        "SingleMasterConfiguration.MessageTtlSeconds of type String, "
        "expected an integer"},
  {"{\"ChannelInfo\":{\"ChannelName\":\"demo\",\"ChannelARN\":\"" ARN "\","
        "\"SingleMasterConfiguration\":5}}", "DescribeSignalingChannel reply "
        "has ChannelInfo.SingleMasterConfiguration of type Integer, expected "
        "an object"},
};

static void
check_message (const gchar * message, const gchar * expected)
{
  gsize n = strlen (expected);

  if (n > 0 && expected[n - 1] == '*') {
    g_autofree gchar *prefix = g_strndup (expected, n - 1);
    fail_unless (g_str_has_prefix (message, prefix),
        "'%s' does not start with '%s'", message, prefix);
  } else
    fail_unless_equals_string (message, expected);
}

GST_START_TEST (test_describe_malformed)
{
  const ProtoCase *c = &describe_proto_cases[__i__];
  GError *err = NULL;

  set_reply (200, NULL, c->body);
  fail_unless (describe ("demo", NULL, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL),
      "case %d: %s", __i__, err ? err->message : "no error");
  check_message (err->message, c->message);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_other_malformed)
{
  GError *err = NULL;

  set_reply (200, NULL, "{\"ChannelArn\":\"" ARN "\"}");
  fail_unless (create ("demo", 60, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL));
  fail_unless_equals_string (err->message,
      "CreateSignalingChannel reply has no ChannelARN");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"ResourceEndpointList\":{}}");
  fail_unless (endpoints (GST_KVS_ROLE_MASTER, &err) == NULL);
  fail_unless_equals_string (err->message, "GetSignalingChannelEndpoint "
      "reply has ResourceEndpointList of type Object, expected an array");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"ResourceEndpointList\":[{\"Protocol\":\"HTTPS\","
      "\"ResourceEndpoint\":\"https://r\"}]}");
  fail_unless (endpoints (GST_KVS_ROLE_MASTER, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL));
  fail_unless_equals_string (err->message, "GetSignalingChannelEndpoint "
      "reply has no WSS endpoint in ResourceEndpointList");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"ResourceEndpointList\":[{\"Protocol\":\"WSS\","
      "\"ResourceEndpoint\":\"wss://m\"}]}");
  fail_unless (endpoints (GST_KVS_ROLE_MASTER, &err) == NULL);
  fail_unless_equals_string (err->message, "GetSignalingChannelEndpoint "
      "reply has no HTTPS endpoint in ResourceEndpointList");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"ResourceEndpointList\":[{\"Protocol\":\"WSS\"}]}");
  fail_unless (endpoints (GST_KVS_ROLE_MASTER, &err) == NULL);
  fail_unless_equals_string (err->message, "GetSignalingChannelEndpoint "
      "reply has no ResourceEndpointList[0].ResourceEndpoint");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"ResourceEndpointList\":[\"wss://m\"]}");
  fail_unless (endpoints (GST_KVS_ROLE_MASTER, &err) == NULL);
  fail_unless_equals_string (err->message, "GetSignalingChannelEndpoint "
      "reply has ResourceEndpointList[0] of type String, expected an object");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"IceServerList\":[{\"Uris\":\"turn:h\","
      "\"Username\":\"u\",\"Password\":\"p\"}]}");
  fail_unless (ice_config (base_url, NULL, &err) == NULL);
  fail_unless_equals_string (err->message, "GetIceServerConfig reply has "
      "IceServerList[0].Uris of type String, expected an array");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"IceServerList\":[{\"Uris\":[\"turn:h\",7],"
      "\"Username\":\"u\",\"Password\":\"p\"}]}");
  fail_unless (ice_config (base_url, NULL, &err) == NULL);
  fail_unless_equals_string (err->message, "GetIceServerConfig reply has "
      "IceServerList[0].Uris[1] of type Integer, expected a string");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"IceServerList\":[{\"Uris\":[\"turn:h\"],"
      "\"Username\":\"u\"}]}");
  fail_unless (ice_config (base_url, NULL, &err) == NULL);
  fail_unless_equals_string (err->message, "GetIceServerConfig reply has "
      "no IceServerList[0].Password");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"IceServerList\":[{\"Uris\":[\"turn:h\"],"
      "\"Username\":\"u\",\"Password\":\"p\",\"Ttl\":\"300\"}]}");
  fail_unless (ice_config (base_url, NULL, &err) == NULL);
  fail_unless_equals_string (err->message, "GetIceServerConfig reply has "
      "IceServerList[0].Ttl of type String, expected an integer");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"IceServerList\":[{\"Uris\":[],"
      "\"Username\":\"u\",\"Password\":\"p\"}]}");
  fail_unless (ice_config (base_url, NULL, &err) == NULL);
  fail_unless_equals_string (err->message, "GetIceServerConfig reply has "
      "an empty IceServerList[0].Uris");
  g_clear_error (&err);

  set_reply (200, NULL, "{\"IceServerList\":\"none\"}");
  fail_unless (ice_config (base_url, NULL, &err) == NULL);
  fail_unless_equals_string (err->message, "GetIceServerConfig reply has "
      "IceServerList of type String, expected an array");
  g_clear_error (&err);

  set_reply (200, NULL, "");
  fail_unless (ice_config (base_url, NULL, &err) == NULL);
  fail_unless_equals_string (err->message, "GetIceServerConfig reply is "
      "empty");
  g_clear_error (&err);
}

GST_END_TEST;

GST_START_TEST (test_reply_too_large)
{
  gsize n = 1024 * 1024 + 100;
  gchar *big = g_malloc (n + 1);
  GError *err = NULL;

  /* A valid JSON string, just too long. */
  memset (big, 'a', n);
  big[0] = '"';
  big[n - 1] = '"';
  big[n] = '\0';
  set_reply (200, NULL, NULL);
  st.body = big;
  fail_unless (describe ("demo", NULL, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL));
  fail_unless_equals_string (err->message,
      "DescribeSignalingChannel reply is larger than 1048576 bytes");
  g_error_free (err);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* Clock, token, transport */

static GDateTime *
parse_amz_date (const gchar * s)
{
  gint y, mo, d, h, mi, se;

  fail_unless (s != NULL && strlen (s) == 16, "bad x-amz-date");
  fail_unless_equals_int (sscanf (s, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h,
          &mi, &se), 6);
  return g_date_time_new_utc (y, mo, d, h, mi, se);
}

GST_START_TEST (test_clock_offset_from_date)
{
  g_autoptr (GstKvsChannelInfo) info = NULL;
  g_autoptr (GstKvsChannelInfo) info2 = NULL;
  g_autoptr (GDateTime) sent = NULL;
  g_autoptr (GDateTime) now = NULL;
  GError *err = NULL;
  gint64 offset, diff;

  fail_unless_equals_int64 (gst_kvs_control_plane_get_clock_offset (cp), 0);

  /* The server's clock is an hour ahead of ours. */
  set_reply (200, NULL, DESCRIBE_REPLY);
  st.date_shift = 3600;
  info = describe ("demo", NULL, &err);
  fail_unless (info != NULL, "%s", err ? err->message : "");
  /* The first request was signed with our own clock. */
  sent = parse_amz_date (st.amz_date);
  now = g_date_time_new_now_utc ();
  diff = g_date_time_to_unix (sent) - g_date_time_to_unix (now);
  fail_unless (diff > -5 && diff <= 1, "first x-amz-date off by %"
      G_GINT64_FORMAT, diff);

  offset = gst_kvs_control_plane_get_clock_offset (cp);
  fail_unless (offset >= 3598 && offset <= 3601, "offset %" G_GINT64_FORMAT,
      offset);

  /* The next one is signed with the server's clock, and a server whose
   * clock is an hour ahead accepts it. */
  st.verify_shift = 3600;
  info2 = describe ("demo", NULL, &err);
  fail_unless (info2 != NULL, "%s", err ? err->message : "");
  fail_unless (st.sig_ok, "signature rejected: %s",
      GST_STR_NULL (st.sig_error));
  g_date_time_unref (sent);
  g_date_time_unref (now);
  sent = parse_amz_date (st.amz_date);
  now = g_date_time_new_now_utc ();
  diff = g_date_time_to_unix (sent) - g_date_time_to_unix (now);
  fail_unless (diff >= 3595 && diff <= 3602, "second x-amz-date off by %"
      G_GINT64_FORMAT, diff);
}

GST_END_TEST;

GST_START_TEST (test_clock_offset_from_error_reply)
{
  GError *err = NULL;

  /* An error reply's Date counts too (the 403 for a skewed clock is
   * exactly the reply that must fix the clock). */
  set_reply (403, NULL, "{\"message\":\"Signature expired: x\"}");
  st.date_shift = -7200;
  fail_unless (describe ("demo", NULL, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_SIGNATURE_EXPIRED));
  g_clear_error (&err);
  fail_unless (gst_kvs_control_plane_get_clock_offset (cp) <= -7198);
  fail_unless (gst_kvs_control_plane_get_clock_offset (cp) >= -7201);

  /* No Date: the offset stays what it was. */
  gst_kvs_control_plane_set_clock_offset (cp, 77);
  st.no_date = TRUE;
  set_reply (200, NULL, DESCRIBE_REPLY);
  st.verify_shift = 77;
  {
    g_autoptr (GstKvsChannelInfo) info = describe ("demo", NULL, &err);
    fail_unless (info != NULL, "%s", err ? err->message : "");
  }
  fail_unless_equals_int64 (gst_kvs_control_plane_get_clock_offset (cp), 77);
}

GST_END_TEST;

GST_START_TEST (test_session_token)
{
  GstKvsCredentials *tc =
      gst_kvs_credentials_new (ACCESS_KEY, SECRET, TOKEN, "test");
  g_autoptr (GstKvsChannelInfo) info = NULL;
  GError *err = NULL;

  gst_kvs_control_plane_set_credentials (cp, tc);
  gst_kvs_credentials_unref (tc);
  set_reply (200, NULL, DESCRIBE_REPLY);
  info = describe ("demo", NULL, &err);
  fail_unless (info != NULL, "%s", err ? err->message : "");
  check_request ("/describeSignalingChannel");
  fail_unless_equals_string (st.token_header, TOKEN);
}

GST_END_TEST;

GST_START_TEST (test_no_credentials)
{
  GError *err = NULL;

  gst_kvs_control_plane_set_credentials (cp, NULL);
  fail_unless (describe ("demo", NULL, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR,
          GST_KVS_ERROR_NO_CREDENTIALS));
  fail_unless_equals_int (st.n_requests, 0);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_wrong_secret_rejected_by_server)
{
  GstKvsCredentials *bad =
      gst_kvs_credentials_new (ACCESS_KEY, "not-the-secret", NULL, "test");
  GError *err = NULL;

  /* Control for check_request(): the server's check does reject a bad
   * signature, so sig_ok in the other tests means something. */
  gst_kvs_control_plane_set_credentials (cp, bad);
  gst_kvs_credentials_unref (bad);
  set_reply (200, NULL, DESCRIBE_REPLY);
  {
    g_autoptr (GstKvsChannelInfo) info = describe ("demo", NULL, &err);
    fail_unless (info != NULL, "%s", err ? err->message : "");
  }
  fail_unless_equals_int (st.n_requests, 1);
  fail_if (st.sig_ok);
}

GST_END_TEST;

GST_START_TEST (test_connection_refused)
{
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GstKvsControlPlane) dead = NULL;
  g_autofree gchar *url = NULL;
  GAsyncResult *res = NULL;
  GError *err = NULL;
  guint port;

  /* A port that was free a moment ago and has no listener. */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &err);
  fail_unless (sock != NULL);
  fail_unless (g_socket_bind (sock, addr, FALSE, &err));
  bound = g_socket_get_local_address (sock, &err);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  dead = gst_kvs_control_plane_new (session, url, REGION, creds);
  gst_kvs_control_plane_describe_channel_async (dead, "demo", NULL, NULL,
      on_done, &res);
  fail_unless (gst_kvs_control_plane_describe_channel_finish (dead,
          wait_for (&res), &err) == NULL);
  g_object_unref (res);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION),
      "%s", err->message);
  fail_unless (g_str_has_prefix (err->message, "DescribeSignalingChannel to "
          "http://127.0.0.1:"), "%s", err->message);
  fail_unless (gst_kvs_control_plane_get_last_duration (dead,
          "DescribeSignalingChannel") >= 0);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_invalid_url)
{
  g_autoptr (GstKvsControlPlane) bad =
      gst_kvs_control_plane_new (session, "not a url", REGION, creds);
  GAsyncResult *res = NULL;
  GError *err = NULL;

  gst_kvs_control_plane_get_endpoints_async (bad, ARN, GST_KVS_ROLE_MASTER,
      NULL, on_done, &res);
  fail_unless (gst_kvs_control_plane_get_endpoints_finish (bad,
          wait_for (&res), &err) == NULL);
  g_object_unref (res);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION),
      "%s", err->message);
  g_error_free (err);
}

GST_END_TEST;

static gboolean
cancel_when_request_arrives (gpointer user_data)
{
  if (st.n_requests == 0)
    return G_SOURCE_CONTINUE;
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

GST_START_TEST (test_cancel_in_flight)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GSource *poll = g_timeout_source_new (5);
  GAsyncResult *res = NULL;
  GError *err = NULL;

  st.pause = TRUE;
  g_source_set_callback (poll, cancel_when_request_arrives, cancellable,
      NULL);
  g_source_attach (poll, ctx);

  gst_kvs_control_plane_describe_channel_async (cp, "demo", NULL,
      cancellable, on_done, &res);
  fail_unless (gst_kvs_control_plane_describe_channel_finish (cp,
          wait_for (&res), &err) == NULL);
  g_object_unref (res);
  g_source_destroy (poll);
  g_source_unref (poll);
  fail_unless_equals_int (st.n_requests, 1);
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED),
      "%s", err->message);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_cancel_before)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *res = NULL;
  GError *err = NULL;

  g_cancellable_cancel (cancellable);
  set_reply (200, NULL, DESCRIBE_REPLY);
  gst_kvs_control_plane_describe_channel_async (cp, "demo", NULL,
      cancellable, on_done, &res);
  fail_unless (gst_kvs_control_plane_describe_channel_finish (cp,
          wait_for (&res), &err) == NULL);
  g_object_unref (res);
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED),
      "%s", err->message);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_timeout)
{
  GError *err = NULL;
  gint64 start = g_get_monotonic_time ();

  st.pause = TRUE;
  gst_kvs_control_plane_set_timeout (cp, 1);
  fail_unless (describe ("demo", NULL, &err) == NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION),
      "%s", err->message);
  fail_unless (strstr (err->message, "timed out after 1 s") != NULL, "%s",
      err->message);
  fail_unless (g_get_monotonic_time () - start < 5 * G_USEC_PER_SEC);
  g_error_free (err);
}

GST_END_TEST;

/* ---------------------------------------------------------------------- */
/* Nothing secret in the debug log */

static GString *captured_log;

static void
capture_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  if (g_str_has_prefix (gst_debug_category_get_name (category), "kvs")) {
    g_string_append (captured_log, gst_debug_message_get (message));
    g_string_append_c (captured_log, '\n');
  }
}

GST_START_TEST (test_no_secrets_in_log)
{
  GstKvsCredentials *tc =
      gst_kvs_credentials_new (ACCESS_KEY, SECRET, TOKEN, "test");
  g_autoptr (GPtrArray) servers = NULL;
  g_autofree gchar *body = g_strdup_printf ("{\"message\":\"token %s\"}",
      TOKEN);
  GError *err = NULL;

#ifdef GST_DISABLE_GST_DEBUG
  g_printerr ("SKIP: GStreamer built without debug logging\n");
  return;
#endif
  gst_debug_set_active (TRUE);
  captured_log = g_string_new (NULL);
  gst_debug_add_log_function (capture_log, NULL, NULL);
  gst_debug_set_threshold_for_name ("kvscontrolplane", GST_LEVEL_MEMDUMP);

  gst_kvs_control_plane_set_credentials (cp, tc);
  gst_kvs_credentials_unref (tc);
  set_reply (200, NULL, ICE_REPLY);
  servers = ice_config (base_url, "viewer-1", &err);
  fail_unless (servers != NULL);
  set_reply (403, "InvalidSignatureException", body);
  fail_unless (describe ("demo", NULL, &err) == NULL);
  g_clear_error (&err);

  gst_debug_remove_log_function (capture_log);
  /* The log did record the calls... */
  fail_unless (strstr (captured_log->str, "GetIceServerConfig: HTTP 200"),
      "%s", captured_log->str);
  fail_unless (strstr (captured_log->str, "DescribeSignalingChannel"));
  /* ...and nothing secret. */
  fail_if (strstr (captured_log->str, SECRET), "%s", captured_log->str);
  fail_if (strstr (captured_log->str, TOKEN), "%s", captured_log->str);
  fail_if (strstr (captured_log->str, TURN_PASSWORD), "%s",
      captured_log->str);
  fail_if (strstr (captured_log->str, "Signature="), "%s", captured_log->str);
  g_string_free (captured_log, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_properties)
{
  gchar *endpoint = NULL, *region = NULL;
  SoupSession *s = NULL;
  GstKvsCredentials *c = NULL;
  guint timeout = 0;
  gint64 offset = 0;

  g_object_get (cp, "endpoint", &endpoint, "region", &region, "session", &s,
      "credentials", &c, "timeout", &timeout, NULL);
  fail_unless_equals_string (endpoint, base_url);
  fail_unless_equals_string (region, REGION);
  fail_unless (s == session);
  fail_unless (c == creds);
  fail_unless_equals_int (timeout, 30);
  g_object_set (cp, "clock-offset", (gint64) - 12, NULL);
  g_object_get (cp, "clock-offset", &offset, NULL);
  fail_unless_equals_int64 (offset, -12);
  fail_unless_equals_int64 (gst_kvs_control_plane_get_clock_offset (cp), -12);
  g_free (endpoint);
  g_free (region);
  g_object_unref (s);
  gst_kvs_credentials_unref (c);
}

GST_END_TEST;

static Suite *
controlplane_suite (void)
{
  Suite *s = suite_create ("kvscontrolplane");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_describe_by_name);
  tcase_add_test (tc, test_describe_by_arn_minimal_reply);
  tcase_add_test (tc, test_describe_invalid_name_not_sent);
  tcase_add_test (tc, test_create);
  tcase_add_test (tc, test_create_invalid_not_sent);
  tcase_add_test (tc, test_delete);
  tcase_add_test (tc, test_get_endpoints);
  tcase_add_test (tc, test_ice_server_config);
  tcase_add_loop_test (tc, test_service_errors, 0,
      G_N_ELEMENTS (error_cases));
  tcase_add_test (tc, test_service_error_other_operations);
  tcase_add_test (tc, test_error_text_scrubbed);
  tcase_add_loop_test (tc, test_describe_malformed, 0,
      G_N_ELEMENTS (describe_proto_cases));
  tcase_add_test (tc, test_other_malformed);
  tcase_add_test (tc, test_reply_too_large);
  tcase_add_test (tc, test_clock_offset_from_date);
  tcase_add_test (tc, test_clock_offset_from_error_reply);
  tcase_add_test (tc, test_session_token);
  tcase_add_test (tc, test_no_credentials);
  tcase_add_test (tc, test_wrong_secret_rejected_by_server);
  tcase_add_test (tc, test_connection_refused);
  tcase_add_test (tc, test_invalid_url);
  tcase_add_test (tc, test_cancel_in_flight);
  tcase_add_test (tc, test_cancel_before);
  tcase_add_test (tc, test_timeout);
  tcase_add_test (tc, test_no_secrets_in_log);
  tcase_add_test (tc, test_properties);

  return s;
}

GST_CHECK_MAIN (controlplane);
