/* kvs-signaling-server: the REST API (control plane and GetIceServerConfig)
 * and its SigV4 header authentication.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>
#include "kvsservertest.h"

static KvsTestServer *server;

static void
setup (void)
{
  server = kvs_test_server_start (NULL);
}

static void
teardown (void)
{
  kvs_test_server_stop (server);
  server = NULL;
}

/* Every reply: x-amzn-RequestId (a UUID) and Date. Errors: the AWS name in
 * x-amzn-ErrorType and {"message": ...}. */
static void
check_reply (KvsTestReply * r, guint status, const gchar * error_type)
{
  fail_unless_equals_int (r->status, status);
  fail_unless (r->request_id && g_uuid_string_is_valid (r->request_id),
      "x-amzn-RequestId '%s'", GST_STR_NULL (r->request_id));
  fail_unless (r->date != NULL && g_str_has_suffix (r->date, " GMT"));
  fail_unless (r->json && JSON_NODE_HOLDS_OBJECT (r->json), "body %s", r->text);
  if (error_type) {
    fail_unless_equals_string (r->error_type, error_type);
    fail_unless (kvs_test_reply_string (r, "message") != NULL, "body %s",
        r->text);
  } else {
    fail_unless (r->error_type == NULL);
  }
}

static KvsTestReply *
call (const gchar * path, const gchar * body, guint status,
    const gchar * error_type)
{
  KvsTestReply *r = kvs_test_rest (server, path, body);

  check_reply (r, status, error_type);
  return r;
}

#define CALL(path, body, status, type) \
  kvs_test_reply_free (call (path, body, status, type))

GST_START_TEST (test_create_and_describe)
{
  g_autoptr (KvsTestReply) c = NULL;
  g_autoptr (KvsTestReply) d1 = NULL;
  g_autoptr (KvsTestReply) d2 = NULL;
  g_autoptr (GRegex) re = NULL;
  const gchar *arn;

  c = call ("/createSignalingChannel", "{\"ChannelName\":\"demo\","
      "\"ChannelType\":\"SINGLE_MASTER\",\"SingleMasterConfiguration\":"
      "{\"MessageTtlSeconds\":30}}", 200, NULL);
  arn = kvs_test_reply_string (c, "ChannelARN");
  re = g_regex_new ("^arn:aws:kinesisvideo:us-west-2:[0-9]{12}:channel/demo/"
      "[0-9]{13}$", 0, 0, NULL);
  fail_unless (arn && g_regex_match (re, arn, 0, NULL), "ARN %s", arn);

  d1 = call ("/describeSignalingChannel", "{\"ChannelName\":\"demo\"}", 200,
      NULL);
  fail_unless_equals_string (kvs_test_reply_string (d1,
          "ChannelInfo.ChannelName"), "demo");
  fail_unless_equals_string (kvs_test_reply_string (d1,
          "ChannelInfo.ChannelARN"), arn);
  fail_unless_equals_string (kvs_test_reply_string (d1,
          "ChannelInfo.ChannelType"), "SINGLE_MASTER");
  fail_unless_equals_string (kvs_test_reply_string (d1,
          "ChannelInfo.ChannelStatus"), "ACTIVE");
  fail_unless_equals_int (kvs_test_reply_int (d1,
          "ChannelInfo.SingleMasterConfiguration.MessageTtlSeconds"), 30);
  fail_unless (kvs_test_reply_string (d1, "ChannelInfo.Version") != NULL);
  {
    JsonNode *t = json_object_get_member (json_object_get_object_member
        (json_node_get_object (d1->json), "ChannelInfo"), "CreationTime");
    gdouble created = json_node_get_double (t);
    gdouble now = g_get_real_time () / 1e6;

    fail_unless (created > now - 60 && created <= now + 1, "CreationTime %f",
        created);
  }

  {
    g_autofree gchar *body = g_strdup_printf ("{\"ChannelARN\":\"%s\"}", arn);

    d2 = call ("/describeSignalingChannel", body, 200, NULL);
    fail_unless_equals_string (kvs_test_reply_string (d2,
            "ChannelInfo.ChannelName"), "demo");
  }
}

GST_END_TEST;

GST_START_TEST (test_create_defaults_and_errors)
{
  g_autoptr (KvsTestReply) d = NULL;
  g_autoptr (KvsTestReply) e = NULL;
  g_autofree gchar *long_name = NULL;
  g_autofree gchar *body = NULL;

  CALL ("/createSignalingChannel", "{\"ChannelName\":\"plain\"}", 200, NULL);
  d = call ("/describeSignalingChannel", "{\"ChannelName\":\"plain\"}", 200,
      NULL);
  fail_unless_equals_int (kvs_test_reply_int (d,
          "ChannelInfo.SingleMasterConfiguration.MessageTtlSeconds"), 60);

  e = call ("/createSignalingChannel", "{\"ChannelName\":\"plain\"}", 400,
      "ResourceInUseException");
  fail_unless (strstr (kvs_test_reply_string (e, "message"), "plain"));

  CALL ("/createSignalingChannel", "{}", 400, "InvalidArgumentException");
  CALL ("/createSignalingChannel", "{\"ChannelName\":\"\"}", 400,
      "InvalidArgumentException");
  CALL ("/createSignalingChannel", "{\"ChannelName\":\"a b\"}", 400,
      "InvalidArgumentException");
  CALL ("/createSignalingChannel", "{\"ChannelName\":42}", 400,
      "InvalidArgumentException");
  long_name = g_strnfill (257, 'x');
  body = g_strdup_printf ("{\"ChannelName\":\"%s\"}", long_name);
  CALL ("/createSignalingChannel", body, 400, "InvalidArgumentException");
  long_name[256] = '\0';
  g_free (body);
  body = g_strdup_printf ("{\"ChannelName\":\"%s\"}", long_name);
  CALL ("/createSignalingChannel", body, 200, NULL);

  CALL ("/createSignalingChannel", "{\"ChannelName\":\"ttl4\","
      "\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":4}}", 400,
      "InvalidArgumentException");
  CALL ("/createSignalingChannel", "{\"ChannelName\":\"ttl121\","
      "\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":121}}", 400,
      "InvalidArgumentException");
  CALL ("/createSignalingChannel", "{\"ChannelName\":\"ttl5\","
      "\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":5}}", 200, NULL);
  CALL ("/createSignalingChannel", "{\"ChannelName\":\"ttl120\","
      "\"SingleMasterConfiguration\":{\"MessageTtlSeconds\":120}}", 200, NULL);
  CALL ("/createSignalingChannel", "{\"ChannelName\":\"mesh\","
      "\"ChannelType\":\"FULL_MESH\"}", 400, "InvalidArgumentException");

  /* Not JSON at all. */
  CALL ("/createSignalingChannel", "{\"ChannelName\":", 400,
      "SerializationException");
  CALL ("/createSignalingChannel", "[1,2]", 400, "SerializationException");
}

GST_END_TEST;

GST_START_TEST (test_describe_errors)
{
  g_autoptr (KvsTestReply) e = NULL;

  g_free (kvs_test_create_channel (server, "known"));
  e = call ("/describeSignalingChannel", "{\"ChannelName\":\"unknown\"}", 404,
      "ResourceNotFoundException");
  CALL ("/describeSignalingChannel", "{\"ChannelARN\":\"arn:aws:"
      "kinesisvideo:us-west-2:123456789012:channel/known/1\"}", 404,
      "ResourceNotFoundException");
  CALL ("/describeSignalingChannel", "{}", 400, "InvalidArgumentException");
  CALL ("/describeSignalingChannel", "{\"ChannelARN\":\"not-an-arn\"}", 400,
      "InvalidArgumentException");
}

GST_END_TEST;

GST_START_TEST (test_list)
{
  g_autoptr (KvsTestReply) all = NULL;
  g_autoptr (KvsTestReply) p1 = NULL;
  g_autoptr (KvsTestReply) p2 = NULL;
  g_autoptr (KvsTestReply) p3 = NULL;
  g_autoptr (KvsTestReply) prefixed = NULL;
  g_autofree gchar *body = NULL;
  JsonArray *list;
  const gchar *token;

  all = call ("/listSignalingChannels", "{}", 200, NULL);
  fail_unless_equals_int (json_array_get_length (json_object_get_array_member
          (json_node_get_object (all->json), "ChannelInfoList")), 0);

  g_free (kvs_test_create_channel (server, "cam-1"));
  g_free (kvs_test_create_channel (server, "cam-2"));
  g_free (kvs_test_create_channel (server, "door"));

  p1 = call ("/listSignalingChannels", "{\"MaxResults\":2}", 200, NULL);
  list = json_object_get_array_member (json_node_get_object (p1->json),
      "ChannelInfoList");
  fail_unless_equals_int (json_array_get_length (list), 2);
  fail_unless_equals_string (json_object_get_string_member
      (json_array_get_object_element (list, 0), "ChannelName"), "cam-1");
  token = kvs_test_reply_string (p1, "NextToken");
  fail_unless (token != NULL);

  body = g_strdup_printf ("{\"MaxResults\":2,\"NextToken\":\"%s\"}", token);
  p2 = call ("/listSignalingChannels", body, 200, NULL);
  list = json_object_get_array_member (json_node_get_object (p2->json),
      "ChannelInfoList");
  fail_unless_equals_int (json_array_get_length (list), 1);
  fail_unless_equals_string (json_object_get_string_member
      (json_array_get_object_element (list, 0), "ChannelName"), "door");
  fail_unless (kvs_test_reply_string (p2, "NextToken") == NULL);

  prefixed = call ("/listSignalingChannels", "{\"ChannelNameCondition\":"
      "{\"ComparisonOperator\":\"BEGINS_WITH\",\"ComparisonValue\":\"cam\"}}",
      200, NULL);
  list = json_object_get_array_member (json_node_get_object (prefixed->json),
      "ChannelInfoList");
  fail_unless_equals_int (json_array_get_length (list), 2);

  CALL ("/listSignalingChannels", "{\"MaxResults\":0}", 400,
      "InvalidArgumentException");
  CALL ("/listSignalingChannels", "{\"NextToken\":\"garbage\"}", 400,
      "InvalidArgumentException");
  p3 = call ("/listSignalingChannels", "{\"ChannelNameCondition\":"
      "{\"ComparisonOperator\":\"ENDS_WITH\",\"ComparisonValue\":\"x\"}}",
      400, "InvalidArgumentException");
}

GST_END_TEST;

static void
check_endpoints (KvsTestReply * r, const gchar * p1, const gchar * p2)
{
  JsonArray *list = json_object_get_array_member (json_node_get_object
      (r->json), "ResourceEndpointList");
  g_autofree gchar *ws = g_strdup_printf ("ws://%s", server->authority);
  const gchar *protocols[] = { p1, p2 };
  guint n = p2 ? 2 : 1;
  guint i;

  fail_unless_equals_int (json_array_get_length (list), n);
  for (i = 0; i < json_array_get_length (list); i++) {
    JsonObject *e = json_array_get_object_element (list, i);

    fail_unless_equals_string (json_object_get_string_member (e, "Protocol"),
        protocols[i]);
    fail_unless_equals_string (json_object_get_string_member (e,
            "ResourceEndpoint"), g_str_equal (protocols[i], "WSS") ? ws :
        server->url);
  }
}

GST_START_TEST (test_get_endpoint)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "ep");
  g_autofree gchar *master = NULL;
  g_autofree gchar *viewer = NULL;
  g_autofree gchar *dflt = NULL;
  g_autofree gchar *bad_role = NULL;
  g_autofree gchar *bad_protocol = NULL;
  g_autoptr (KvsTestReply) m = NULL;
  g_autoptr (KvsTestReply) v = NULL;
  g_autoptr (KvsTestReply) d = NULL;

  master = g_strdup_printf ("{\"ChannelARN\":\"%s\","
      "\"SingleMasterChannelEndpointConfiguration\":{\"Protocols\":"
      "[\"WSS\",\"HTTPS\"],\"Role\":\"MASTER\"}}", arn);
  m = call ("/getSignalingChannelEndpoint", master, 200, NULL);
  check_endpoints (m, "WSS", "HTTPS");

  viewer = g_strdup_printf ("{\"ChannelARN\":\"%s\","
      "\"SingleMasterChannelEndpointConfiguration\":{\"Protocols\":"
      "[\"HTTPS\"],\"Role\":\"VIEWER\"}}", arn);
  v = call ("/getSignalingChannelEndpoint", viewer, 200, NULL);
  check_endpoints (v, "HTTPS", NULL);

  dflt = g_strdup_printf ("{\"ChannelARN\":\"%s\"}", arn);
  d = call ("/getSignalingChannelEndpoint", dflt, 200, NULL);
  check_endpoints (d, "WSS", "HTTPS");

  bad_role = g_strdup_printf ("{\"ChannelARN\":\"%s\","
      "\"SingleMasterChannelEndpointConfiguration\":{\"Role\":\"BOSS\"}}", arn);
  CALL ("/getSignalingChannelEndpoint", bad_role, 400,
      "InvalidArgumentException");
  bad_protocol = g_strdup_printf ("{\"ChannelARN\":\"%s\","
      "\"SingleMasterChannelEndpointConfiguration\":{\"Protocols\":"
      "[\"FTP\"]}}", arn);
  CALL ("/getSignalingChannelEndpoint", bad_protocol, 400,
      "InvalidArgumentException");
  CALL ("/getSignalingChannelEndpoint", "{}", 400, "InvalidArgumentException");
  CALL ("/getSignalingChannelEndpoint", "{\"ChannelARN\":\"arn:aws:"
      "kinesisvideo:us-west-2:123456789012:channel/none/1605557568493\"}",
      404, "ResourceNotFoundException");
}

GST_END_TEST;

GST_START_TEST (test_delete)
{
  g_autofree gchar *arn = kvs_test_create_channel (server, "gone");
  g_autofree gchar *arn2 = NULL;
  g_autofree gchar *stale = NULL;
  g_autofree gchar *by_arn = NULL;
  g_autofree gchar *right = NULL;
  g_autoptr (KvsTestReply) d = NULL;

  d = call ("/describeSignalingChannel", "{\"ChannelName\":\"gone\"}", 200,
      NULL);
  stale = g_strdup_printf ("{\"ChannelARN\":\"%s\",\"CurrentVersion\":"
      "\"nope\"}", arn);
  CALL ("/deleteSignalingChannel", stale, 400, "VersionMismatchException");
  CALL ("/deleteSignalingChannel", "{}", 400, "InvalidArgumentException");

  right = g_strdup_printf ("{\"ChannelARN\":\"%s\",\"CurrentVersion\":"
      "\"%s\"}", arn, kvs_test_reply_string (d, "ChannelInfo.Version"));
  CALL ("/deleteSignalingChannel", right, 200, NULL);
  CALL ("/describeSignalingChannel", "{\"ChannelName\":\"gone\"}", 404,
      "ResourceNotFoundException");
  CALL ("/deleteSignalingChannel", right, 404, "ResourceNotFoundException");

  /* The name is free again, with a new ARN; the old ARN stays unknown. */
  arn2 = kvs_test_create_channel (server, "gone");
  fail_if (g_str_equal (arn, arn2));
  by_arn = g_strdup_printf ("{\"ChannelARN\":\"%s\"}", arn);
  CALL ("/describeSignalingChannel", by_arn, 404, "ResourceNotFoundException");
}

GST_END_TEST;

/* --no-turn: an empty list (by default the service's own TURN server:
 * server_turn.c). */
GST_START_TEST (test_ice_server_config_without_turn)
{
  const gchar *extra[] = { "--no-turn", NULL };
  KvsTestServer *own = kvs_test_server_start (extra);
  KvsTestServer *fixture = server;
  g_autofree gchar *arn = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *bad_client = NULL;
  g_autofree gchar *bad_service = NULL;
  g_autoptr (KvsTestReply) r = NULL;

  server = own;                 /* what call() talks to */
  arn = kvs_test_create_channel (server, "ice");
  body = g_strdup_printf ("{\"ChannelARN\":\"%s\",\"ClientId\":\"v1\","
      "\"Service\":\"TURN\"}", arn);
  r = call ("/v1/get-ice-server-config", body, 200, NULL);
  fail_unless_equals_int (json_array_get_length (json_object_get_array_member
          (json_node_get_object (r->json), "IceServerList")), 0);

  bad_client = g_strdup_printf ("{\"ChannelARN\":\"%s\",\"ClientId\":"
      "\"a b\"}", arn);
  CALL ("/v1/get-ice-server-config", bad_client, 400,
      "InvalidArgumentException");
  bad_service = g_strdup_printf ("{\"ChannelARN\":\"%s\",\"Service\":"
      "\"STUN\"}", arn);
  CALL ("/v1/get-ice-server-config", bad_service, 400,
      "InvalidArgumentException");
  CALL ("/v1/get-ice-server-config", "{}", 400, "InvalidArgumentException");
  CALL ("/v1/get-ice-server-config", "{\"ChannelARN\":\"arn:aws:"
      "kinesisvideo:us-west-2:123456789012:channel/none/1605557568493\"}",
      404, "ResourceNotFoundException");
  g_clear_pointer (&r, kvs_test_reply_free);
  kvs_test_server_stop (own);
  server = fixture;
}

GST_END_TEST;

static void
check_turn_credentials (JsonObject * e, const gchar * name)
{
  const gchar *username = json_object_get_string_member (e, "Username");
  const gchar *password = json_object_get_string_member (e, "Password");
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1,
      (const guchar *) "turn-secret", 11);
  g_autofree gchar *expected = NULL;
  g_autofree gchar *suffix = g_strdup_printf (":%s", name);
  guint8 digest[20];
  gsize len = sizeof (digest);
  gint64 expiry, now = g_get_real_time () / G_USEC_PER_SEC;

  fail_unless (g_str_has_suffix (username, suffix), "username %s", username);
  expiry = g_ascii_strtoll (username, NULL, 10);
  fail_unless (expiry >= now + 299 && expiry <= now + 301, "expiry %"
      G_GINT64_FORMAT " now %" G_GINT64_FORMAT, expiry, now);
  g_hmac_update (hmac, (const guchar *) username, -1);
  g_hmac_get_digest (hmac, digest, &len);
  expected = g_base64_encode (digest, len);
  fail_unless_equals_string (password, expected);
  fail_unless_equals_int (json_object_get_int_member (e, "Ttl"), 300);
}

GST_START_TEST (test_ice_server_config_with_turn)
{
  const gchar *extra[] = { "--turn-uri", "turn:127.0.0.1:3478?transport=udp",
    "--turn-uri", "turn:127.0.0.1:3478?transport=tcp", "--turn-secret",
    "turn-secret", NULL
  };
  KvsTestServer *s = kvs_test_server_start (extra);
  g_autofree gchar *arn = kvs_test_create_channel (s, "turn");
  g_autofree gchar *with_id = NULL;
  g_autofree gchar *without_id = NULL;
  g_autoptr (KvsTestReply) r1 = NULL;
  g_autoptr (KvsTestReply) r2 = NULL;
  JsonArray *list, *uris;
  JsonObject *e;

  with_id = g_strdup_printf ("{\"ChannelARN\":\"%s\",\"ClientId\":\"viewer-7\","
      "\"Service\":\"TURN\"}", arn);
  r1 = kvs_test_rest (s, "/v1/get-ice-server-config", with_id);
  check_reply (r1, 200, NULL);
  list = json_object_get_array_member (json_node_get_object (r1->json),
      "IceServerList");
  fail_unless_equals_int (json_array_get_length (list), 1);
  e = json_array_get_object_element (list, 0);
  uris = json_object_get_array_member (e, "Uris");
  fail_unless_equals_int (json_array_get_length (uris), 2);
  fail_unless_equals_string (json_array_get_string_element (uris, 0),
      "turn:127.0.0.1:3478?transport=udp");
  fail_unless_equals_string (json_array_get_string_element (uris, 1),
      "turn:127.0.0.1:3478?transport=tcp");
  check_turn_credentials (e, "viewer-7");

  without_id = g_strdup_printf ("{\"ChannelARN\":\"%s\"}", arn);
  r2 = kvs_test_rest (s, "/v1/get-ice-server-config", without_id);
  check_reply (r2, 200, NULL);
  e = json_array_get_object_element (json_object_get_array_member
      (json_node_get_object (r2->json), "IceServerList"), 0);
  check_turn_credentials (e, "turn");

  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_unknown_operation)
{
  g_autoptr (KvsTestReply) r1 = NULL;
  g_autoptr (KvsTestReply) r2 = NULL;

  r1 = kvs_test_rest (server, "/noSuchOperation", "{}");
  check_reply (r1, 404, "UnknownOperationException");
  r2 = kvs_test_rest_full (server, "GET", "/describeSignalingChannel", NULL,
      NULL, KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY, KVS_TEST_REGION, NULL);
  check_reply (r2, 404, "UnknownOperationException");
}

GST_END_TEST;

/* ---- SigV4 ------------------------------------------------------------ */

static KvsTestReply *
signed_call (const gchar * body, const gchar * sent_body,
    const gchar * access_key, const gchar * secret_key, const gchar * region,
    GDateTime * now)
{
  return kvs_test_rest_full (server, "POST", "/describeSignalingChannel",
      body, sent_body, access_key, secret_key, region, now);
}

GST_START_TEST (test_signature_failures)
{
  const gchar *body = "{\"ChannelName\":\"sig\"}";
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) past = g_date_time_add_minutes (now, -10);
  g_autoptr (GDateTime) future = g_date_time_add_minutes (now, 10);
  g_autoptr (GDateTime) near_past = g_date_time_add_minutes (now, -4);
  g_autoptr (GDateTime) near_future = g_date_time_add_minutes (now, 4);
  KvsTestReply *r;
  g_autoptr (KvsTestReply) counters = NULL;

  g_free (kvs_test_create_channel (server, "sig"));

  /* The reference: well signed. */
  r = signed_call (body, NULL, KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
      KVS_TEST_REGION, NULL);
  check_reply (r, 200, NULL);
  kvs_test_reply_free (r);

  /* Wrong secret key. */
  r = signed_call (body, NULL, KVS_TEST_ACCESS_KEY, "wrong-secret",
      KVS_TEST_REGION, NULL);
  check_reply (r, 403, "InvalidSignatureException");
  fail_if (strstr (r->text, KVS_TEST_SECRET_KEY));
  kvs_test_reply_free (r);

  /* Unknown access key. */
  r = signed_call (body, NULL, "AKIDUNKNOWN000000000", KVS_TEST_SECRET_KEY,
      KVS_TEST_REGION, NULL);
  check_reply (r, 403, "UnrecognizedClientException");
  kvs_test_reply_free (r);

  /* Body changed after signing. */
  r = signed_call (body, "{\"ChannelName\":\"sih\"}", KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, KVS_TEST_REGION, NULL);
  check_reply (r, 403, "InvalidSignatureException");
  kvs_test_reply_free (r);

  /* Another region in the scope. */
  r = signed_call (body, NULL, KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
      "eu-west-1", NULL);
  check_reply (r, 403, "InvalidSignatureException");
  kvs_test_reply_free (r);

  /* Expired: signed 10 minutes ago. */
  r = signed_call (body, NULL, KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
      KVS_TEST_REGION, past);
  check_reply (r, 403, "InvalidSignatureException");
  fail_unless (strstr (kvs_test_reply_string (r, "message"),
          "Signature expired"), "%s", r->text);
  kvs_test_reply_free (r);

  /* Clock skew: signed 10 minutes ahead. */
  r = signed_call (body, NULL, KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
      KVS_TEST_REGION, future);
  check_reply (r, 403, "InvalidSignatureException");
  fail_unless (strstr (kvs_test_reply_string (r, "message"),
          "Signature not yet current"), "%s", r->text);
  kvs_test_reply_free (r);

  /* Within the 5-minute window either way: accepted. */
  r = signed_call (body, NULL, KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
      KVS_TEST_REGION, near_past);
  check_reply (r, 200, NULL);
  kvs_test_reply_free (r);
  r = signed_call (body, NULL, KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
      KVS_TEST_REGION, near_future);
  check_reply (r, 200, NULL);
  kvs_test_reply_free (r);

  /* No signature at all. */
  r = signed_call (body, NULL, NULL, NULL, NULL, NULL);
  check_reply (r, 403, "MissingAuthenticationTokenException");
  kvs_test_reply_free (r);

  counters = kvs_test_control (server, "GET", "/_control/counters", NULL);
  fail_unless_equals_int (kvs_test_reply_int (counters, "authFailures"), 7);
}

GST_END_TEST;

/* A ListSignalingChannels POST ("{}") to the service of the fixture,
 * @flags added, signed now with the test credentials and the session token
 * @token (NULL: none); fails the test when it cannot be signed. */
static SoupMessage *
signed_list_message (const gchar * token, SoupMessageFlags flags)
{
  g_autoptr (GstKvsCredentials) creds =
      gst_kvs_credentials_new (KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
      token, "test");
  g_autofree gchar *url = g_strdup_printf ("%s/listSignalingChannels",
      server->url);
  SoupMessage *msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);
  g_autoptr (GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_add_flags (msg, flags);
  fail_unless (gst_kvs_sigv4_sign_message (msg, body, creds, KVS_TEST_REGION,
          GST_KVS_SIGV4_SERVICE, NULL, &error), "%s",
      error ? error->message : "");
  return msg;
}

/* Temporary credentials: x-amz-security-token is signed like any x-amz-*
 * header; its value is not checked, changing it breaks the signature. */
static guint
post_with_token (const gchar * token, const gchar * sent_token)
{
  g_autoptr (SoupMessage) msg = signed_list_message (token, 0);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;

  fail_unless_equals_string (soup_message_headers_get_one
      (soup_message_get_request_headers (msg), "x-amz-security-token"), token);
  if (sent_token)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "x-amz-security-token", sent_token);
  reply = soup_session_send_and_read (server->rest, msg, NULL, &error);
  fail_unless (reply != NULL);
  return soup_message_get_status (msg);
}

GST_START_TEST (test_session_token)
{
  fail_unless_equals_int (post_with_token ("FwoGZXIvYXdzEXAMPLETOKEN", NULL),
      200);
  fail_unless_equals_int (post_with_token ("FwoGZXIvYXdzEXAMPLETOKEN",
          "FwoGZXIvYXdzOTHERTOKEN"), 403);
}

GST_END_TEST;

/* Connections the clients close are released (libsoup 3.2.3 alone would
 * keep every kept-alive one in CLOSE-WAIT). */
GST_START_TEST (test_connections_released)
{
  guint baseline = kvs_test_server_fd_count (server);
  guint i;

  for (i = 0; i < 20; i++) {
    g_autoptr (KvsTestReply) r = kvs_test_rest (server,
        "/listSignalingChannels", "{}");

    fail_unless_equals_int (r->status, 200);
    fail_unless_equals_string (r->error_type, NULL);
  }
  for (i = 0; i < 5; i++) {
    g_autoptr (KvsTestReply) r = kvs_test_rest (server,
        "/describeSignalingChannel", "{\"ChannelName\":\"none\"}");

    fail_unless_equals_int (r->status, 404);
  }
  soup_session_abort (server->rest);
  kvs_test_server_expect_fds_released (server, baseline, "25 REST calls");
}

GST_END_TEST;

/* Server-side TCP connections of @port in CLOSE-WAIT (the client closed,
 * the service did not), from /proc/net/tcp: state 08. */
static guint
close_wait_count (guint port)
{
  g_autofree gchar *text = NULL;
  g_autofree gchar *local = g_strdup_printf (":%04X", port);
  g_auto (GStrv) lines = NULL;
  guint i, n = 0;

  fail_unless (g_file_get_contents ("/proc/net/tcp", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  /* "sl local_address rem_address st ...", after a header line */
  for (i = 1; lines[i]; i++) {
    gchar local_address[64], state[8];

    if (sscanf (lines[i], " %*s %63s %*s %7s", local_address, state) == 2 &&
        g_str_has_suffix (local_address, local) && g_str_equal (state, "08"))
      n++;
  }
  return n;
}

/* One signed ListSignalingChannels on @session: the id of the connection
 * it went over. The reply says Connection: close unless @keep_alive. */
static guint64
list_on (SoupSession * session, gboolean keep_alive)
{
  /* as the library's REST calls (gstkvsresttransport.c): libsoup sends a
   * POST on a new connection unless it is marked idempotent */
  g_autoptr (SoupMessage) msg = signed_list_message (NULL,
      SOUP_MESSAGE_IDEMPOTENT);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;

  reply = soup_session_send_and_read (session, msg, NULL, &error);
  fail_unless (reply != NULL, "%s", error ? error->message : "");
  fail_unless_equals_int (soup_message_get_status (msg), 200);
  if (keep_alive)
    fail_if (soup_message_headers_header_contains
        (soup_message_get_response_headers (msg), "Connection", "close"),
        "with --keep-alive the service closes its REST connections after "
        "each reply");
  else
    fail_unless (soup_message_headers_header_contains
        (soup_message_get_response_headers (msg), "Connection", "close"),
        "without --keep-alive a REST reply does not close its connection");
  return soup_message_get_connection_id (msg);
}

/* With --keep-alive a client's consecutive REST calls go over one TCP
 * connection (HTTP/1.1 keep-alive, as AWS keeps them), and the kept-alive connections their
 * clients close between two calls are closed by the service too: none
 * left in CLOSE-WAIT, the service's descriptors back to what they were
 * (libsoup 3.2.3 alone keeps each in CLOSE-WAIT for ever). */
GST_START_TEST (test_rest_keep_alive)
{
  const gchar *extra[] = { "--keep-alive", NULL };
  KvsTestServer *own = kvs_test_server_start (extra);
  KvsTestServer *fixture = server;
  guint baseline, i, j;

  server = own;                 /* what list_on() talks to */
  baseline = kvs_test_server_fd_count (server);

  for (i = 0; i < 20; i++) {
    g_autoptr (SoupSession) session =
        soup_session_new_with_options ("timeout", 10, NULL);
    guint64 first = list_on (session, TRUE);

    for (j = 1; j < 3; j++) {
      guint64 id = list_on (session, TRUE);

      fail_unless (id == first, "client %u: call %u went over connection %"
          G_GUINT64_FORMAT ", the first over %" G_GUINT64_FORMAT, i, j,
          id, first);
    }
    soup_session_abort (session);
  }
  kvs_test_server_expect_fds_released (server, baseline,
      "20 clients that closed their kept-alive connection");
  /* the last ones may take a main-loop iteration of the service */
  {
    gint64 end = g_get_monotonic_time () + 3 * G_TIME_SPAN_SECOND;
    guint n;

    while ((n = close_wait_count (server->port)) > 0 &&
        g_get_monotonic_time () < end)
      g_usleep (20 * 1000);
    fail_unless_equals_int (n, 0);
  }
  kvs_test_server_stop (own);
  server = fixture;
}

GST_END_TEST;

/* By default (no --keep-alive) every REST reply closes its connection
 * (Connection: close): a client's consecutive calls each open a new one,
 * and the service keeps nothing of them (libsoup 3.2.3 keeps about 2 KiB
 * of each kept-alive connection its client closes). */
GST_START_TEST (test_rest_connection_close_by_default)
{
  g_autoptr (SoupSession) session =
      soup_session_new_with_options ("timeout", 10, NULL);
  guint64 ids[3];
  guint j;

  for (j = 0; j < G_N_ELEMENTS (ids); j++) {
    ids[j] = list_on (session, FALSE);
    if (j > 0)
      fail_if (ids[j] == ids[j - 1], "call %u went over the connection of "
          "the call before (%" G_GUINT64_FORMAT ")", j, ids[j]);
  }
  soup_session_abort (session);
}

GST_END_TEST;

static Suite *
server_rest_suite (void)
{
  Suite *s = suite_create ("server_rest");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_create_and_describe);
  tcase_add_test (tc, test_create_defaults_and_errors);
  tcase_add_test (tc, test_describe_errors);
  tcase_add_test (tc, test_list);
  tcase_add_test (tc, test_get_endpoint);
  tcase_add_test (tc, test_delete);
  tcase_add_test (tc, test_ice_server_config_without_turn);
  tcase_add_test (tc, test_ice_server_config_with_turn);
  tcase_add_test (tc, test_unknown_operation);
  tcase_add_test (tc, test_signature_failures);
  tcase_add_test (tc, test_session_token);
  tcase_add_test (tc, test_connections_released);
  tcase_add_test (tc, test_rest_keep_alive);
  tcase_add_test (tc, test_rest_connection_close_by_default);
  return s;
}

GST_CHECK_MAIN (server_rest);
