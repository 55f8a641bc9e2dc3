/* kvs-signaling-server: the credentials it vends (--credential-ttl) and the
 * credential sources it emulates (--emulate-credentials): STS, IMDSv2,
 * container credentials, the SSO portal. The real server process, over
 * 127.0.0.1.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include "kvsservertest.h"

#define ROLE_ARN "arn:aws:iam::123456789012:role/kvs-test-role"

typedef struct
{
  gchar *key;
  gchar *secret;
  gchar *token;
  gchar *expiration;
} TestCreds;

static void
test_creds_free (TestCreds * c)
{
  if (c == NULL)
    return;
  g_free (c->key);
  g_free (c->secret);
  g_free (c->token);
  g_free (c->expiration);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestCreds, test_creds_free);

typedef struct
{
  guint status;
  gchar *text;
  gchar *error_type;
} TestHttp;

static void
test_http_free (TestHttp * r)
{
  g_free (r->text);
  g_free (r->error_type);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestHttp, test_http_free);

/* @method @path with @body (content type @type), optional @headers
 * ("Name", "value", ..., NULL), signed for @service by @creds when set. */
static TestHttp *
test_http (KvsTestServer * s, const gchar * method, const gchar * path,
    const gchar * type, const gchar * body, const gchar * service,
    const gchar * key, const gchar * secret, const gchar * token,
    const gchar * const *headers)
{
  g_autofree gchar *url = g_strdup_printf ("%s%s", s->url, path);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;
  TestHttp *r;
  guint i;

  fail_unless (msg != NULL, "bad URL %s", url);
  for (i = 0; headers && headers[i]; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        headers[i], headers[i + 1]);
  if (body) {
    bytes = g_bytes_new (body, strlen (body));
    soup_message_set_request_body_from_bytes (msg, type, bytes);
  }
  if (key) {
    g_autoptr (GstKvsCredentials) creds =
        gst_kvs_credentials_new (key, secret, token, "test");

    fail_unless (gst_kvs_sigv4_sign_message (msg, bytes, creds,
            KVS_TEST_REGION, service, NULL, &error), "sign: %s",
        error ? error->message : "?");
  }
  reply = soup_session_send_and_read (s->rest, msg, NULL, &error);
  fail_unless (reply != NULL, "%s %s: %s", method, path,
      error ? error->message : "?");
  r = g_new0 (TestHttp, 1);
  r->status = soup_message_get_status (msg);
  r->text = g_strndup (g_bytes_get_data (reply, NULL),
      g_bytes_get_size (reply));
  r->error_type = g_strdup (soup_message_headers_get_one
      (soup_message_get_response_headers (msg), "x-amzn-ErrorType"));
  GST_DEBUG ("%s %s -> %u %s", method, path, r->status, r->text);
  return r;
}

/* The text of the first <@tag> in @xml, or NULL. */
static gchar *
test_xml (const gchar * xml, const gchar * tag)
{
  g_autofree gchar *open = g_strdup_printf ("<%s>", tag);
  g_autofree gchar *close = g_strdup_printf ("</%s>", tag);
  const gchar *a = strstr (xml, open), *b;

  if (a == NULL)
    return NULL;
  a += strlen (open);
  b = strstr (a, close);
  return b ? g_strndup (a, b - a) : NULL;
}

static TestHttp *
test_sts (KvsTestServer * s, const gchar * form, const gchar * key,
    const gchar * secret, const gchar * token)
{
  return test_http (s, "POST", "/",
      "application/x-www-form-urlencoded; charset=utf-8", form, "sts", key,
      secret, token, NULL);
}

static TestCreds *
test_assume_role (KvsTestServer * s)
{
  g_autoptr (TestHttp) r = test_sts (s, "Action=AssumeRole&Version=2011-06-15"
      "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fkvs-test-role"
      "&RoleSessionName=server-test", KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, NULL);
  TestCreds *c = g_new0 (TestCreds, 1);

  fail_unless_equals_int (r->status, 200);
  c->key = test_xml (r->text, "AccessKeyId");
  c->secret = test_xml (r->text, "SecretAccessKey");
  c->token = test_xml (r->text, "SessionToken");
  c->expiration = test_xml (r->text, "Expiration");
  fail_unless (c->key && c->secret && c->token && c->expiration, "%s", r->text);
  fail_unless (g_str_has_prefix (c->key, "ASIA"), "%s", c->key);
  fail_unless (strstr (r->text, "<AssumeRoleResponse xmlns=\"https://sts."
          "amazonaws.com/doc/2011-06-15/\">") != NULL, "%s", r->text);
  fail_unless (strstr (r->text, "<Arn>arn:aws:sts::123456789012:assumed-role/"
          "kvs-test-role/server-test</Arn>") != NULL, "%s", r->text);
  return c;
}

/* DescribeSignalingChannel signed by @c (token @token). */
static TestHttp *
test_describe (KvsTestServer * s, const gchar * key, const gchar * secret,
    const gchar * token)
{
  return test_http (s, "POST", "/describeSignalingChannel",
      "application/json", "{\"ChannelName\":\"cred-channel\"}",
      GST_KVS_SIGV4_SERVICE, key, secret, token, NULL);
}

/* Open a master WebSocket presigned with the credentials; the HTTP status
 * and error type of a refusal. */
static gboolean
test_ws (KvsTestServer * s, const gchar * arn, const gchar * key,
    const gchar * secret, const gchar * token, guint * status,
    gchar ** error_type)
{
  g_autoptr (GstKvsCredentials) creds =
      gst_kvs_credentials_new (key, secret, token, "test");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *arn_enc = g_uri_escape_string (arn, NULL, FALSE);
  g_autofree gchar *url = g_strdup_printf ("ws://%s/?X-Amz-ChannelARN=%s",
      s->authority, arn_enc);
  g_autofree gchar *presigned = gst_kvs_sigv4_presign_url (url, creds,
      KVS_TEST_REGION, GST_KVS_SIGV4_SERVICE, 299, NULL, &error);
  KvsTestWs *ws;

  fail_unless (presigned != NULL, "presign: %s", error ? error->message : "");
  ws = kvs_test_ws_open (s, presigned, status, error_type);
  if (ws == NULL)
    return FALSE;
  kvs_test_ws_free (ws);
  return TRUE;
}

static KvsTestServer *
test_start (const gchar * const *more)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  guint i;

  g_ptr_array_add (args, "--emulate-credentials");
  g_ptr_array_add (args, "--create-channel");
  g_ptr_array_add (args, "cred-channel");
  for (i = 0; more && more[i]; i++)
    g_ptr_array_add (args, (gpointer) more[i]);
  g_ptr_array_add (args, NULL);
  return kvs_test_server_start ((const gchar * const *) args->pdata);
}

static gchar *
test_channel_arn (KvsTestServer * s)
{
  g_autoptr (TestHttp) r = test_describe (s, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, NULL);
  const gchar *a, *b;

  fail_unless_equals_int (r->status, 200);
  a = strstr (r->text, "\"ChannelARN\":\"");
  fail_unless (a != NULL, "%s", r->text);
  a += strlen ("\"ChannelARN\":\"");
  b = strchr (a, '"');
  return g_strndup (a, b - a);
}

static void
test_expect (TestHttp * r, guint status, const gchar * error_type)
{
  fail_unless_equals_int (r->status, status);
  fail_unless_equals_string (r->error_type, error_type);
}

/* Vended credentials work on REST and the WebSocket until they expire,
 * then give ExpiredTokenException; a wrong or missing token gives
 * UnrecognizedClientException; the long-term key is not affected. */
GST_START_TEST (test_vended_credentials_until_expiry)
{
  const gchar *more[] = { "--credential-ttl", "900", NULL };
  KvsTestServer *s = test_start (more);
  g_autofree gchar *arn = test_channel_arn (s);
  g_autoptr (TestCreds) c = test_assume_role (s);
  g_autoptr (GDateTime) exp = g_date_time_new_from_iso8601 (c->expiration,
      NULL);
  g_autofree gchar *error_type = NULL;
  gint64 left;
  guint status = 0;

  /* the lifetime is --credential-ttl */
  fail_unless (exp != NULL, "%s", c->expiration);
  left = g_date_time_to_unix (exp) - g_get_real_time () / G_USEC_PER_SEC;
  fail_unless (left > 890 && left <= 900, "expires in %" G_GINT64_FORMAT
      " s", left);

  {
    g_autoptr (TestHttp) ok = test_describe (s, c->key, c->secret, c->token);
    g_autoptr (TestHttp) wrong = test_describe (s, c->key, c->secret,
        "IQoJb3JpZ2luX2VjEnotthetoken");
    g_autoptr (TestHttp) none = test_describe (s, c->key, c->secret, NULL);
    g_autoptr (TestHttp) bad_secret = test_describe (s, c->key,
        "wrongsecretwrongsecretwrongsecretwrongse", c->token);

    test_expect (ok, 200, NULL);
    test_expect (wrong, 403, "UnrecognizedClientException");
    fail_unless (strstr (wrong->text, "The security token included in the "
            "request is invalid.") != NULL, "%s", wrong->text);
    test_expect (none, 403, "UnrecognizedClientException");
    test_expect (bad_secret, 403, "InvalidSignatureException");
    fail_if (strstr (wrong->text, c->secret) != NULL);
  }
  fail_unless (test_ws (s, arn, c->key, c->secret, c->token, NULL, NULL));
  fail_if (test_ws (s, arn, c->key, c->secret, "IQoJwrong", &status,
          &error_type));
  fail_unless_equals_int (status, 403);
  fail_unless_equals_string (error_type, "UnrecognizedClientException");
  g_clear_pointer (&error_type, g_free);

  /* expiry (the control API moves it to now: no waiting) */
  {
    g_autoptr (KvsTestReply) r = kvs_test_control (s, "POST",
        "/_control/expire-credentials", "{}");
    g_autoptr (TestHttp) expired = NULL;
    g_autoptr (TestHttp) longterm = NULL;

    fail_unless_equals_int (r->status, 200);
    fail_unless_equals_int (kvs_test_reply_int (r, "affected"), 1);
    expired = test_describe (s, c->key, c->secret, c->token);
    test_expect (expired, 403, "ExpiredTokenException");
    fail_unless (strstr (expired->text, "The security token included in the "
            "request is expired") != NULL, "%s", expired->text);
    longterm = test_describe (s, KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY,
        NULL);
    test_expect (longterm, 200, NULL);
  }
  fail_if (test_ws (s, arn, c->key, c->secret, c->token, &status, &error_type));
  fail_unless_equals_int (status, 403);
  fail_unless_equals_string (error_type, "ExpiredTokenException");
  {
    g_autoptr (KvsTestReply) counters = kvs_test_control (s, "GET",
        "/_control/counters", NULL);

    fail_unless_equals_int (kvs_test_reply_int (counters,
            "credentialsVended"), 1);
  }
  kvs_test_server_stop (s);
}

GST_END_TEST;

/* The real clock: credentials of --credential-ttl 15 pass, then, past
 * their expiry, are refused. */
GST_START_TEST (test_credential_ttl_real_expiry)
{
  const gchar *more[] = { "--credential-ttl", "15", NULL };
  KvsTestServer *s = test_start (more);
  g_autoptr (TestCreds) c = test_assume_role (s);
  g_autoptr (GDateTime) exp = g_date_time_new_from_iso8601 (c->expiration,
      NULL);
  g_autoptr (TestHttp) before = test_describe (s, c->key, c->secret, c->token);
  g_autoptr (TestHttp) after = NULL;

  test_expect (before, 200, NULL);
  while (g_get_real_time () / G_USEC_PER_SEC <= g_date_time_to_unix (exp))
    kvs_test_iterate (250);
  after = test_describe (s, c->key, c->secret, c->token);
  test_expect (after, 403, "ExpiredTokenException");
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_sts_query_api)
{
  const gchar *more[] = { "--web-identity-token", "good-oidc-token", NULL };
  KvsTestServer *s = test_start (more);
  g_autoptr (TestCreds) c = test_assume_role (s);

  /* AssumeRole must be signed */
  {
    g_autoptr (TestHttp) r = test_sts (s, "Action=AssumeRole&Version="
        "2011-06-15&RoleArn=" ROLE_ARN "&RoleSessionName=x1", NULL, NULL, NULL);
    g_autofree gchar *code = test_xml (r->text, "Code");

    fail_unless_equals_int (r->status, 403);
    fail_unless_equals_string (code, "MissingAuthenticationToken");
    fail_unless (strstr (r->text, "<ErrorResponse xmlns=\"https://sts."
            "amazonaws.com/doc/2011-06-15/\">") != NULL, "%s", r->text);
    fail_unless (strstr (r->text, "<Type>Sender</Type>") != NULL);
  }
  /* another account's role */
  {
    g_autoptr (TestHttp) r = test_sts (s, "Action=AssumeRole&Version="
        "2011-06-15&RoleArn=arn:aws:iam::210987654321:role/x&"
        "RoleSessionName=x1", KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY, NULL);
    g_autofree gchar *code = test_xml (r->text, "Code");

    fail_unless_equals_int (r->status, 403);
    fail_unless_equals_string (code, "AccessDenied");
  }
  /* unknown key */
  {
    g_autoptr (TestHttp) r = test_sts (s, "Action=AssumeRole&Version="
        "2011-06-15&RoleArn=" ROLE_ARN "&RoleSessionName=x1",
        "AKIDUNKNOWN000000000", KVS_TEST_SECRET_KEY, NULL);
    g_autofree gchar *code = test_xml (r->text, "Code");

    fail_unless_equals_int (r->status, 403);
    fail_unless_equals_string (code, "InvalidClientTokenId");
  }
  /* GetCallerIdentity with vended credentials: the assumed role */
  {
    g_autoptr (TestHttp) r = test_sts (s,
        "Action=GetCallerIdentity&Version=2011-06-15", c->key, c->secret,
        c->token);
    g_autofree gchar *arn = test_xml (r->text, "Arn");
    g_autofree gchar *account = test_xml (r->text, "Account");

    fail_unless_equals_int (r->status, 200);
    fail_unless_equals_string (arn,
        "arn:aws:sts::123456789012:assumed-role/kvs-test-role/server-test");
    fail_unless_equals_string (account, "123456789012");
  }
  /* AssumeRoleWithWebIdentity: unsigned, the token checked */
  {
    g_autoptr (TestHttp) good = test_sts (s, "Action=AssumeRoleWithWebIdentity"
        "&Version=2011-06-15&RoleArn=" ROLE_ARN "&RoleSessionName=web1"
        "&WebIdentityToken=good-oidc-token", NULL, NULL, NULL);
    g_autoptr (TestHttp) bad = test_sts (s, "Action=AssumeRoleWithWebIdentity"
        "&Version=2011-06-15&RoleArn=" ROLE_ARN "&RoleSessionName=web1"
        "&WebIdentityToken=other-token", NULL, NULL, NULL);
    g_autofree gchar *key = test_xml (good->text, "AccessKeyId");
    g_autofree gchar *secret = test_xml (good->text, "SecretAccessKey");
    g_autofree gchar *token = test_xml (good->text, "SessionToken");
    g_autofree gchar *code = test_xml (bad->text, "Code");
    g_autoptr (TestHttp) use = NULL;

    fail_unless_equals_int (good->status, 200);
    fail_unless (strstr (good->text, "<AssumeRoleWithWebIdentityResult>") !=
        NULL, "%s", good->text);
    use = test_describe (s, key, secret, token);
    test_expect (use, 200, NULL);
    fail_unless_equals_int (bad->status, 400);
    fail_unless_equals_string (code, "InvalidIdentityToken");
  }
  /* expired credentials at STS: ExpiredToken */
  {
    g_autoptr (KvsTestReply) x = kvs_test_control (s, "POST",
        "/_control/expire-credentials", "{}");
    g_autoptr (TestHttp) r = test_sts (s,
        "Action=GetCallerIdentity&Version=2011-06-15", c->key, c->secret,
        c->token);
    g_autofree gchar *code = test_xml (r->text, "Code");

    fail_unless_equals_int (r->status, 400);
    fail_unless_equals_string (code, "ExpiredToken");
  }
  kvs_test_server_stop (s);
}

GST_END_TEST;

/* JSON credentials {key_member, ...} of @r used for DescribeSignalingChannel. */
static void
test_use_json_creds (KvsTestServer * s, TestHttp * r, const gchar * key,
    const gchar * secret, const gchar * token)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (TestHttp) use = NULL;
  JsonObject *obj;

  fail_unless_equals_int (r->status, 200);
  fail_unless (json_parser_load_from_data (parser, r->text, -1, NULL), "%s",
      r->text);
  obj = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (obj, "roleCredentials"))
    obj = json_object_get_object_member (obj, "roleCredentials");
  use = test_describe (s, json_object_get_string_member (obj, key),
      json_object_get_string_member (obj, secret),
      json_object_get_string_member (obj, token));
  test_expect (use, 200, NULL);
}

GST_START_TEST (test_imds_v2)
{
  const gchar *more[] = { "--instance-role", "camera-role", NULL };
  KvsTestServer *s = test_start (more);
  const gchar *ttl[] = { "X-aws-ec2-metadata-token-ttl-seconds", "60", NULL };
  g_autoptr (TestHttp) token = test_http (s, "PUT", "/latest/api/token",
      NULL, NULL, NULL, NULL, NULL, NULL, ttl);
  g_autoptr (TestHttp) no_ttl = test_http (s, "PUT", "/latest/api/token",
      NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  g_autoptr (TestHttp) v1 = test_http (s, "GET",
      "/latest/meta-data/iam/security-credentials/", NULL, NULL, NULL, NULL,
      NULL, NULL, NULL);
  const gchar *with[] = { "X-aws-ec2-metadata-token", token->text, NULL };
  const gchar *wrong[] = { "X-aws-ec2-metadata-token", "AQAEAnottoken", NULL };
  g_autoptr (TestHttp) role = test_http (s, "GET",
      "/latest/meta-data/iam/security-credentials/", NULL, NULL, NULL, NULL,
      NULL, NULL, with);
  g_autoptr (TestHttp) creds = test_http (s, "GET",
      "/latest/meta-data/iam/security-credentials/camera-role", NULL, NULL,
      NULL, NULL, NULL, NULL, with);
  g_autoptr (TestHttp) bad_token = test_http (s, "GET",
      "/latest/meta-data/iam/security-credentials/camera-role", NULL, NULL,
      NULL, NULL, NULL, NULL, wrong);
  g_autoptr (TestHttp) other_role = test_http (s, "GET",
      "/latest/meta-data/iam/security-credentials/other", NULL, NULL,
      NULL, NULL, NULL, NULL, with);

  fail_unless_equals_int (token->status, 200);
  fail_unless (strlen (token->text) > 10);
  fail_unless_equals_int (no_ttl->status, 400);
  fail_unless_equals_int (v1->status, 401);
  fail_unless_equals_int (bad_token->status, 401);
  fail_unless_equals_int (role->status, 200);
  fail_unless_equals_string (role->text, "camera-role");
  fail_unless_equals_int (other_role->status, 404);
  fail_unless (strstr (creds->text, "\"Code\":\"Success\"") != NULL, "%s",
      creds->text);
  fail_unless (strstr (creds->text, "\"Type\":\"AWS-HMAC\"") != NULL);
  test_use_json_creds (s, creds, "AccessKeyId", "SecretAccessKey", "Token");
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_container_credentials)
{
  const gchar *more[] = { "--container-token", "Bearer-test-token", NULL };
  KvsTestServer *s = test_start (more);
  const gchar *good[] = { "Authorization", "Bearer-test-token", NULL };
  const gchar *bad[] = { "Authorization", "Bearer-other", NULL };
  g_autoptr (TestHttp) ecs = test_http (s, "GET", "/v2/credentials/task-1",
      NULL, NULL, NULL, NULL, NULL, NULL, good);
  g_autoptr (TestHttp) eks = test_http (s, "GET", "/v1/credentials",
      NULL, NULL, NULL, NULL, NULL, NULL, good);
  g_autoptr (TestHttp) none = test_http (s, "GET", "/v1/credentials",
      NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  g_autoptr (TestHttp) wrong = test_http (s, "GET", "/v2/credentials/x",
      NULL, NULL, NULL, NULL, NULL, NULL, bad);

  fail_unless_equals_int (none->status, 401);
  fail_unless_equals_int (wrong->status, 403);
  fail_unless (strstr (ecs->text, "\"RoleArn\":\"arn:aws:iam::123456789012:"
          "role/") != NULL, "%s", ecs->text);
  fail_unless (strstr (ecs->text, "\"Expiration\":\"") != NULL);
  test_use_json_creds (s, ecs, "AccessKeyId", "SecretAccessKey", "Token");
  test_use_json_creds (s, eks, "AccessKeyId", "SecretAccessKey", "Token");
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_sso_portal)
{
  const gchar *more[] = { "--sso-token", "sso-access-token", NULL };
  KvsTestServer *s = test_start (more);
  const gchar *good[] = { "x-amz-sso_bearer_token", "sso-access-token", NULL };
  const gchar *bad[] = { "x-amz-sso_bearer_token", "expired-token", NULL };
  g_autoptr (TestHttp) ok = test_http (s, "GET", "/federation/credentials?"
      "account_id=123456789012&role_name=kvs-sso", NULL, NULL, NULL, NULL,
      NULL, NULL, good);
  g_autoptr (TestHttp) unauthorized = test_http (s, "GET",
      "/federation/credentials?account_id=123456789012&role_name=kvs-sso",
      NULL, NULL, NULL, NULL, NULL, NULL, bad);
  g_autoptr (TestHttp) other = test_http (s, "GET", "/federation/credentials?"
      "account_id=210987654321&role_name=kvs-sso", NULL, NULL, NULL, NULL,
      NULL, NULL, good);
  g_autoptr (TestHttp) missing = test_http (s, "GET",
      "/federation/credentials?account_id=123456789012", NULL, NULL, NULL,
      NULL, NULL, NULL, good);
  g_autoptr (JsonParser) parser = json_parser_new ();
  gint64 expiration;

  test_expect (unauthorized, 401, "UnauthorizedException");
  test_expect (other, 403, "ForbiddenException");
  test_expect (missing, 400, "InvalidRequestException");
  fail_unless (json_parser_load_from_data (parser, ok->text, -1, NULL));
  expiration = json_object_get_int_member (json_object_get_object_member
      (json_node_get_object (json_parser_get_root (parser)),
          "roleCredentials"), "expiration");
  /* milliseconds since the epoch, --credential-ttl (3600) ahead */
  fail_unless (expiration / 1000 - g_get_real_time () / G_USEC_PER_SEC > 3590,
      "%" G_GINT64_FORMAT, expiration);
  test_use_json_creds (s, ok, "accessKeyId", "secretAccessKey", "sessionToken");
  kvs_test_server_stop (s);
}

GST_END_TEST;

/* Without --emulate-credentials the sources are not there. */
GST_START_TEST (test_sources_off_by_default)
{
  KvsTestServer *s = kvs_test_server_start (NULL);
  const gchar *ttl[] = { "X-aws-ec2-metadata-token-ttl-seconds", "60", NULL };
  g_autoptr (TestHttp) sts = test_sts (s, "Action=AssumeRole&Version="
      "2011-06-15&RoleArn=" ROLE_ARN "&RoleSessionName=x1",
      KVS_TEST_ACCESS_KEY, KVS_TEST_SECRET_KEY, NULL);
  g_autoptr (TestHttp) imds = test_http (s, "PUT", "/latest/api/token",
      NULL, NULL, NULL, NULL, NULL, NULL, ttl);
  g_autoptr (TestHttp) ecs = test_http (s, "GET", "/v2/credentials/x",
      NULL, NULL, NULL, NULL, NULL, NULL, NULL);

  test_expect (sts, 404, "UnknownOperationException");
  test_expect (imds, 404, "UnknownOperationException");
  test_expect (ecs, 404, "UnknownOperationException");
  kvs_test_server_stop (s);
}

GST_END_TEST;

/* GST_DEBUG=*:9: the log of everything the service does with credentials
 * names no secret: no secret key, session token, IMDS token, container
 * token or SSO token. */
GST_START_TEST (test_no_secrets_in_debug_log)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("kvs-cred-log-XXXXXX", NULL);
  g_autofree gchar *log_path = g_build_filename (dir, "server.log", NULL);
  g_autofree gchar *line = NULL;
  g_autofree gchar *log = NULL;
  g_autoptr (TestCreds) c = NULL;
  const gchar *argv[] = { kvs_test_server_path (), "--listen", "127.0.0.1:0",
    "--region", KVS_TEST_REGION, "--access-key", KVS_TEST_ACCESS_KEY,
    "--secret-key", KVS_TEST_SECRET_KEY, "--emulate-credentials",
    "--create-channel", "cred-channel", "--container-token",
    "Container-Secret-Token", "--sso-token", "Sso-Secret-Token",
    "--web-identity-token", "Oidc-Secret-Token", NULL
  };
  const gchar *ttl[] = { "X-aws-ec2-metadata-token-ttl-seconds", "60", NULL };
  const gchar *container[] = { "Authorization", "Container-Secret-Token",
    NULL
  };
  const gchar *sso[] = { "x-amz-sso_bearer_token", "Sso-Secret-Token", NULL };
  g_autoptr (GPtrArray) secrets = g_ptr_array_new_with_free_func (g_free);
  KvsTestServer *s = g_new0 (KvsTestServer, 1);
  guint i;

  g_subprocess_launcher_setenv (launcher, "GST_DEBUG", "*:9", TRUE);
  g_subprocess_launcher_setenv (launcher, "GST_DEBUG_NO_COLOR", "1", TRUE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  s->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  fail_unless (s->proc != NULL, "%s", error ? error->message : "");
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line (data, NULL, NULL, NULL);
  fail_unless (line && g_str_has_prefix (line, "kvs-signaling-server "
          "listening on http://"), "%s", GST_STR_NULL (line));
  s->authority = g_strdup (strrchr (line, '/') + 1);
  s->url = g_strdup_printf ("http://%s", s->authority);
  s->port = atoi (strrchr (s->authority, ':') + 1);
  s->rest = soup_session_new_with_options ("timeout", 10, NULL);
  s->ws = soup_session_new_with_options ("timeout", 10, NULL);

  g_ptr_array_add (secrets, g_strdup (KVS_TEST_SECRET_KEY));
  g_ptr_array_add (secrets, g_strdup ("Container-Secret-Token"));
  g_ptr_array_add (secrets, g_strdup ("Sso-Secret-Token"));
  g_ptr_array_add (secrets, g_strdup ("Oidc-Secret-Token"));
  c = test_assume_role (s);
  g_ptr_array_add (secrets, g_strdup (c->secret));
  g_ptr_array_add (secrets, g_strdup (c->token));
  {
    g_autoptr (TestHttp) use = test_describe (s, c->key, c->secret, c->token);
    g_autoptr (TestHttp) wrong = test_describe (s, c->key, c->secret,
        "IQoJb3JpZ2luX2VjWrongToken");
    g_autoptr (TestHttp) web = test_sts (s, "Action=AssumeRoleWithWebIdentity"
        "&Version=2011-06-15&RoleArn=" ROLE_ARN "&RoleSessionName=web1"
        "&WebIdentityToken=Oidc-Secret-Token", NULL, NULL, NULL);
    g_autoptr (TestHttp) token = test_http (s, "PUT", "/latest/api/token",
        NULL, NULL, NULL, NULL, NULL, NULL, ttl);
    g_autoptr (TestHttp) ecs = test_http (s, "GET", "/v2/credentials/x",
        NULL, NULL, NULL, NULL, NULL, NULL, container);
    g_autoptr (TestHttp) portal = test_http (s, "GET",
        "/federation/credentials?account_id=123456789012&role_name=r1",
        NULL, NULL, NULL, NULL, NULL, NULL, sso);
    const gchar *with[] = { "X-aws-ec2-metadata-token", token->text, NULL };
    g_autoptr (TestHttp) imds = test_http (s, "GET",
        "/latest/meta-data/iam/security-credentials/kvs-instance-role", NULL,
        NULL, NULL, NULL, NULL, NULL, with);

    test_expect (use, 200, NULL);
    test_expect (wrong, 403, "UnrecognizedClientException");
    fail_unless_equals_int (web->status, 200);
    fail_unless_equals_int (ecs->status, 200);
    fail_unless_equals_int (portal->status, 200);
    fail_unless_equals_int (imds->status, 200);
    g_ptr_array_add (secrets, g_strdup (token->text));
    g_ptr_array_add (secrets, test_xml (web->text, "SecretAccessKey"));
    g_ptr_array_add (secrets, test_xml (web->text, "SessionToken"));
  }
  kvs_test_server_stop (s);

  fail_unless (g_file_get_contents (log_path, &log, NULL, NULL));
  fail_unless (strstr (log, "kvsservercredentials") != NULL &&
      strstr (log, c->key) != NULL, "the log has no credential lines");
  for (i = 0; i < secrets->len; i++)
    fail_if (strstr (log, g_ptr_array_index (secrets, i)) != NULL,
        "secret #%u is in the GST_DEBUG=*:9 log", i);
  g_unlink (log_path);
  g_rmdir (dir);
}

GST_END_TEST;

GST_START_TEST (test_credential_options_usage)
{
  const gchar *cases[][9] = {
    {"--access-key", "A", "--secret-key", "B", "--credential-ttl", "14", NULL},
    {"--access-key", "A", "--secret-key", "B", "--credential-ttl", "43201",
        NULL},
    {"--access-key", "A", "--secret-key", "B", "--sso-token", "t", NULL},
    /* a given CA (no key): the IoT port needs a server certificate */
    {"--access-key", "A", "--secret-key", "B", "--iot-listen",
        "127.0.0.1:0", "--iot-ca-cert", "/nonexistent/ca.pem", NULL},
    {"--access-key", "A", "--secret-key", "B", "--iot-role-alias", "a", NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *out = NULL;
    g_autofree gchar *err = NULL;

    fail_unless_equals_int (kvs_test_server_run (cases[i], NULL, &out, &err),
        2);
    fail_unless (strstr (err, "--") != NULL, "%s", err);
  }
}

GST_END_TEST;

static Suite *
server_credentials_suite (void)
{
  Suite *s = suite_create ("server_credentials");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 40);
  tcase_add_test (tc, test_vended_credentials_until_expiry);
  tcase_add_test (tc, test_credential_ttl_real_expiry);
  tcase_add_test (tc, test_sts_query_api);
  tcase_add_test (tc, test_imds_v2);
  tcase_add_test (tc, test_container_credentials);
  tcase_add_test (tc, test_sso_portal);
  tcase_add_test (tc, test_sources_off_by_default);
  tcase_add_test (tc, test_credential_options_usage);
  tcase_add_test (tc, test_no_secrets_in_debug_log);
  return s;
}

GST_CHECK_MAIN (server_credentials);
