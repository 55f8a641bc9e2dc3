/* Unit tests of the credentials providers: the cache and refresh of
 * GstKvsCredentialsProvider (with a fake source), and every source against
 * an in-process SoupServer on 127.0.0.1 playing STS, IMDSv2, the container
 * endpoint, the SSO portal and the AWS IoT credentials provider. Every
 * test runs with the GStreamer debug log at level 9 captured, and checks
 * that no secret reached it or an error message.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <glib/gstdio.h>

#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "testenv.h"

#include <gst/kvssignaling/gstkvscredentialsprovider.h>
#include <gst/kvssignaling/gstkvschainprovider.h>
#include <gst/kvssignaling/gstkvsstaticprovider.h>
#include <gst/kvssignaling/gstkvsenvprovider.h>
#include <gst/kvssignaling/gstkvswebidentityprovider.h>
#include <gst/kvssignaling/gstkvsprofileprovider.h>
#include <gst/kvssignaling/gstkvsprocessprovider.h>
#include <gst/kvssignaling/gstkvsssoprovider.h>
#include <gst/kvssignaling/gstkvscontainerprovider.h>
#include <gst/kvssignaling/gstkvsimdsprovider.h>
#include <gst/kvssignaling/gstkvsiotprovider.h>
#include <gst/kvssignaling/gstkvssigv4verify.h>

/* Every secret of these tests contains this marker: it must never be seen
 * in the debug log or an error message. */
#define MARK "S3CR3T"
#define BASE_AKID "AKIDBASEPROFILE"
#define BASE_SECRET "base/" MARK "+key"
#define ENV_SECRET "env/" MARK "+key"
#define WEB_TOKEN "web-identity-" MARK "-token"
#define IMDS_TOKEN "imds-" MARK "-session"
#define CONTAINER_TOKEN "container-" MARK "-auth"
#define SSO_TOKEN "sso-" MARK "-access-token"
#define ROLE_ARN "arn:aws:iam::123456789012:role/kvs-test"

static const gchar *const env_vars[] = {
  "HOME", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION",
  "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
  "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_USE_FIPS_ENDPOINT",
  "AWS_USE_DUALSTACK_ENDPOINT", "AWS_IOT_CORE_CREDENTIAL_ENDPOINT",
  "AWS_IOT_CORE_CERT", "AWS_IOT_CORE_PRIVATE_KEY", "AWS_IOT_CORE_ROLE_ALIAS",
  "AWS_IOT_CORE_THING_NAME", "AWS_KVS_CACERT_PATH", "AWS_CA_BUNDLE", NULL
};

static GMainContext *ctx;
static GString *logs;           /* the debug log and every error message */

/* ---- the debug log ---- */

static void
log_fn (GstDebugCategory * category, GstDebugLevel level, const gchar * file,
    const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text = gst_debug_message_get (message);

  if (text && logs) {
    g_string_append (logs, text);
    g_string_append_c (logs, '\n');
  }
}

static void
assert_no_secret (void)
{
  fail_unless (strstr (logs->str, MARK) == NULL,
      "a secret reached the log or an error: %s", strstr (logs->str, MARK));
}

/* ---- a fake source for the cache and refresh ---- */

#define FAKE_TYPE_PROVIDER (fake_provider_get_type ())
G_DECLARE_FINAL_TYPE (FakeProvider, fake_provider, FAKE, PROVIDER,
    GstKvsCredentialsProvider);

struct _FakeProvider
{
  GstKvsCredentialsProvider parent;
  guint fetches;
  gint lifetime_s;              /* 0: never expire */
  gboolean fail;
  gboolean hold;
  GTask *pending;
};

G_DEFINE_TYPE (FakeProvider, fake_provider, GST_KVS_TYPE_CREDENTIALS_PROVIDER);

static GstKvsCredentials *
fake_creds (FakeProvider * self)
{
  g_autofree gchar *akid = g_strdup_printf ("AKIDFAKE%u", self->fetches);
  g_autofree gchar *secret = g_strdup_printf ("fake-" MARK "-%u",
      self->fetches);

  return gst_kvs_credentials_new_full (akid, secret, "fake-" MARK "-token",
      self->lifetime_s ? g_get_real_time () / G_USEC_PER_SEC +
      self->lifetime_s : 0, "fake");
}

static void
fake_fetch (GstKvsCredentialsProvider * provider, GTask * task)
{
  FakeProvider *self = FAKE_PROVIDER (provider);

  self->fetches++;
  if (self->hold) {
    self->pending = task;
    return;
  }
  if (self->fail)
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "fake: failing");
  else
    g_task_return_pointer (task, fake_creds (self),
        (GDestroyNotify) gst_kvs_credentials_unref);
  g_object_unref (task);
}

static void
fake_provider_class_init (FakeProviderClass * klass)
{
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch = fake_fetch;
}

static void
fake_provider_init (FakeProvider * self)
{
}

static void
fake_release (FakeProvider * self)
{
  GTask *task = g_steal_pointer (&self->pending);

  fail_unless (task != NULL);
  g_task_return_pointer (task, fake_creds (self),
      (GDestroyNotify) gst_kvs_credentials_unref);
  g_object_unref (task);
}

/* ---- running the loop ---- */

static void
on_result (GObject * source, GAsyncResult * result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GstKvsCredentials *
get_sync (GstKvsCredentialsProvider * p, GError ** error)
{
  GAsyncResult *res = NULL;
  GError *err = NULL;
  GstKvsCredentials *c;

  gst_kvs_credentials_provider_get_async (p, NULL, on_result, &res);
  while (res == NULL)
    g_main_context_iteration (ctx, TRUE);
  c = gst_kvs_credentials_provider_get_finish (p, res, &err);
  g_object_unref (res);
  if (err) {
    g_string_append_printf (logs, "error: %s\n", err->message);
    if (g_getenv ("KVS_TEST_VERBOSE"))
      g_printerr ("error: %s\n", err->message);
    g_propagate_error (error, err);
  }
  return c;
}

static GstKvsCredentials *
get_ok (GstKvsCredentialsProvider * p)
{
  g_autoptr (GError) err = NULL;
  GstKvsCredentials *c = get_sync (p, &err);

  fail_unless (c != NULL, "no credentials: %s", err ? err->message : "");
  return c;
}

/* The error message of a failing get; checks the code. */
static gchar *
get_error (GstKvsCredentialsProvider * p, gint code)
{
  GError *err = NULL;
  GstKvsCredentials *c = get_sync (p, &err);
  gchar *message;

  fail_unless (c == NULL, "credentials from %s where an error was expected",
      c ? c->source : "");
  fail_unless (err != NULL);
  fail_unless (g_error_matches (err, GST_KVS_ERROR, code),
      "error code %d, expected %d: %s", err->code, code, err->message);
  message = g_strdup (err->message);
  g_error_free (err);
  return message;
}

#define assert_contains(haystack, needle) \
  fail_unless (strstr ((haystack), (needle)) != NULL, \
      "'%s' does not contain '%s'", (haystack), (needle))

static gboolean
on_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterate @c until *@counter >= @target; fails after @max_ms. */
static void
wait_count_in (GMainContext * c, guint * counter, guint target, guint max_ms)
{
  gboolean expired = FALSE;
  GSource *t = g_timeout_source_new (max_ms);

  g_source_set_callback (t, on_flag, &expired, NULL);
  g_source_attach (t, c);
  while (*counter < target && !expired)
    g_main_context_iteration (c, TRUE);
  g_source_destroy (t);
  g_source_unref (t);
  fail_unless (*counter >= target, "waited %u ms for %u, have %u", max_ms,
      target, *counter);
}

static void
wait_count (guint * counter, guint target, guint max_ms)
{
  wait_count_in (ctx, counter, target, max_ms);
}

static void
wait_until_us (gint64 real_time_us)
{
  while (g_get_real_time () < real_time_us) {
    gboolean done = FALSE;
    GSource *t = g_timeout_source_new (50);

    g_source_set_callback (t, on_flag, &done, NULL);
    g_source_attach (t, ctx);
    while (!done)
      g_main_context_iteration (ctx, TRUE);
    g_source_unref (t);
  }
}

/* ---- the fake AWS ---- */

static SoupServer *server;
static gchar *base_url;
static struct
{
  guint requests;
  gint ttl;
  gboolean sts_deny;
  gchar *last_path;
  gchar *last_action;
  gboolean sig_ok;
  gchar *sig_error;
  gchar *web_token;
  gchar *auth;
} st;

static const gchar *
lookup_secret (const gchar * akid, gpointer user_data)
{
  return g_strcmp0 (akid, BASE_AKID) == 0 ? BASE_SECRET : NULL;
}

static gchar *
iso_in (gint seconds)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) t = g_date_time_add_seconds (now, seconds);

  return g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ");
}

static void
reply_json (SoupServerMessage * msg, guint status, const gchar * json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_COPY, json, strlen (json));
}

static void
sts_cb (SoupServerMessage * msg)
{
  SoupMessageBody *req_body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (req_body);
  g_autofree gchar *form_text = g_strndup (g_bytes_get_data (bytes, NULL),
      g_bytes_get_size (bytes));
  g_autoptr (GHashTable) form = soup_form_decode (form_text);
  const gchar *action = g_hash_table_lookup (form, "Action");
  g_autofree gchar *exp = iso_in (st.ttl);
  g_autofree gchar *xml = NULL;
  GError *err = NULL;

  g_free (st.last_action);
  st.last_action = g_strdup (action);
  if (g_strcmp0 (action, "AssumeRole") == 0) {
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

    g_clear_pointer (&st.sig_error, g_free);
    st.sig_ok = gst_kvs_sigv4_verify_headers ("POST", "/", NULL,
        soup_server_message_get_request_headers (msg), bytes, "us-east-1",
        "sts", lookup_secret, NULL, now, NULL, &err);
    if (err) {
      st.sig_error = g_strdup (err->message);
      g_error_free (err);
    }
  } else if (g_strcmp0 (action, "AssumeRoleWithWebIdentity") == 0) {
    g_free (st.web_token);
    st.web_token = g_strdup (g_hash_table_lookup (form, "WebIdentityToken"));
  }
  if (st.sts_deny) {
    const gchar *deny = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/"
        "doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied"
        "</Code><Message>User: arn:aws:iam::123456789012:user/x is not "
        "authorized to perform: sts:AssumeRole</Message></Error><RequestId>"
        "1</RequestId></ErrorResponse>";

    soup_server_message_set_status (msg, 403, NULL);
    soup_server_message_set_response (msg, "text/xml", SOUP_MEMORY_COPY,
        deny, strlen (deny));
    return;
  }
  xml = g_strdup_printf ("<%sResponse xmlns=\"https://sts.amazonaws.com/doc/"
      "2011-06-15/\"><%sResult><Credentials><AccessKeyId>ASIASTS%u"
      "</AccessKeyId><SecretAccessKey>sts/" MARK "/%u</SecretAccessKey>"
      "<SessionToken>sts-token-" MARK "</SessionToken><Expiration>%s"
      "</Expiration></Credentials></%sResult></%sResponse>", action, action,
      st.requests, st.requests, exp, action, action);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/xml", SOUP_MEMORY_COPY, xml,
      strlen (xml));
}

static void
server_cb (SoupServer * srv, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  const gchar *method = soup_server_message_get_method (msg);
  g_autofree gchar *exp = iso_in (st.ttl);
  g_autofree gchar *json = NULL;

  st.requests++;
  g_free (st.last_path);
  st.last_path = g_strdup (path);
  g_free (st.auth);
  st.auth = g_strdup (soup_message_headers_get_one (req, "Authorization"));

  if (strcmp (path, "/") == 0 && strcmp (method, "POST") == 0) {
    sts_cb (msg);
  } else if (strcmp (path, "/latest/api/token") == 0) {
    if (strcmp (method, "PUT") != 0 || !soup_message_headers_get_one (req,
            "X-aws-ec2-metadata-token-ttl-seconds")) {
      soup_server_message_set_status (msg, 400, NULL);
      return;
    }
    soup_server_message_set_status (msg, 200, NULL);
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
        IMDS_TOKEN, strlen (IMDS_TOKEN));
  } else if (g_str_has_prefix (path,
          "/latest/meta-data/iam/security-credentials/")) {
    const gchar *role = path + strlen
        ("/latest/meta-data/iam/security-credentials/");

    if (g_strcmp0 (soup_message_headers_get_one (req,
                "X-aws-ec2-metadata-token"), IMDS_TOKEN) != 0) {
      soup_server_message_set_status (msg, 401, NULL);
      return;
    }
    if (*role == '\0') {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain",
          SOUP_MEMORY_STATIC, "kvs-instance-role", 17);
      return;
    }
    json = g_strdup_printf ("{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\","
        "\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":\"imds/" MARK "\","
        "\"Token\":\"imds-token-" MARK "\",\"Expiration\":\"%s\"}", exp);
    reply_json (msg, 200, json);
  } else if (strcmp (path, "/v1/credentials") == 0) {
    if (g_strcmp0 (st.auth, CONTAINER_TOKEN) != 0) {
      reply_json (msg, 401, "{\"message\":\"bad authorization token\"}");
      return;
    }
    json = g_strdup_printf ("{\"AccessKeyId\":\"ASIACONTAINER\","
        "\"SecretAccessKey\":\"container/" MARK "\",\"Token\":\"ctoken-" MARK
        "\",\"Expiration\":\"%s\",\"RoleArn\":\"" ROLE_ARN "\"}", exp);
    reply_json (msg, 200, json);
  } else if (strcmp (path, "/federation/credentials") == 0) {
    if (g_strcmp0 (soup_message_headers_get_one (req,
                "x-amz-sso_bearer_token"), SSO_TOKEN) != 0
        || g_strcmp0 (g_hash_table_lookup (query, "account_id"),
            "123456789012") != 0
        || g_strcmp0 (g_hash_table_lookup (query, "role_name"), "kvs") != 0) {
      reply_json (msg, 401, "{\"message\":\"Session token not found or "
          "invalid\"}");
      return;
    }
    json = g_strdup_printf ("{\"roleCredentials\":{\"accessKeyId\":"
        "\"ASIASSO\",\"secretAccessKey\":\"sso/" MARK "\",\"sessionToken\":"
        "\"ssotok-" MARK "\",\"expiration\":%" G_GINT64_FORMAT "}}",
        (g_get_real_time () / G_USEC_PER_SEC + st.ttl) * 1000);
    reply_json (msg, 200, json);
  } else {
    soup_server_message_set_status (msg, 404, NULL);
  }
}

static void
setup (void)
{
  GError *err = NULL;
  GSList *uris;

  kvs_test_env_setup (env_vars, "kvs-credprov-XXXXXX");
  g_setenv ("AWS_CONFIG_FILE", "/nonexistent/kvs-test/config", TRUE);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kvs-test/cred", TRUE);
  g_setenv ("AWS_EC2_METADATA_DISABLED", "true", TRUE);

  logs = g_string_new (NULL);
  gst_debug_set_active (TRUE);
  gst_debug_set_default_threshold (GST_LEVEL_MEMDUMP);
  gst_debug_add_log_function (log_fn, NULL, NULL);

  memset (&st, 0, sizeof (st));
  st.ttl = 3600;
  ctx = g_main_context_new ();
  g_main_context_push_thread_default (ctx);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, server_cb, NULL, NULL);
  fail_unless (soup_server_listen_local (server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY, &err), "listen: %s",
      err ? err->message : "");
  uris = soup_server_get_uris (server);
  base_url = g_strdup_printf ("http://127.0.0.1:%d",
      g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
teardown (void)
{
  assert_no_secret ();
  gst_debug_remove_log_function (log_fn);
  gst_debug_set_default_threshold (GST_LEVEL_NONE);
  soup_server_disconnect (server);
  g_clear_object (&server);
  while (g_main_context_iteration (ctx, FALSE));
  g_main_context_pop_thread_default (ctx);
  g_main_context_unref (ctx);
  g_free (base_url);
  g_free (st.last_path);
  g_free (st.last_action);
  g_free (st.sig_error);
  g_free (st.web_token);
  g_free (st.auth);
  g_string_free (logs, TRUE);
  logs = NULL;
  kvs_test_env_teardown ();
}

/* ---- the cache and refresh ---- */

GST_START_TEST (test_margins)
{
  gint64 adv, mand;

  gst_kvs_credentials_refresh_margins ((gint64) 3600 * G_USEC_PER_SEC, &adv,
      &mand);
  fail_unless_equals_int64 (adv, (gint64) 15 * 60 * G_USEC_PER_SEC);
  fail_unless_equals_int64 (mand, (gint64) 10 * 60 * G_USEC_PER_SEC);
  gst_kvs_credentials_refresh_margins (30 * G_USEC_PER_SEC, &adv, &mand);
  fail_unless_equals_int64 (adv, 7500 * 1000);
  fail_unless_equals_int64 (mand, 5 * G_USEC_PER_SEC);
}

GST_END_TEST;

static void
on_changed (GstKvsCredentialsProvider * p, GstKvsCredentials * c, gpointer data)
{
  (*(guint *) data)++;
  fail_unless (c != NULL && c->access_key_id != NULL);
}

GST_START_TEST (test_cache_single_flight)
{
  g_autoptr (FakeProvider) fake = g_object_new (FAKE_TYPE_PROVIDER, "name",
      "fake", NULL);
  GstKvsCredentialsProvider *p = GST_KVS_CREDENTIALS_PROVIDER (fake);
  GAsyncResult *r1 = NULL, *r2 = NULL;
  g_autoptr (GstKvsCredentials) c1 = NULL, c2 = NULL, c3 = NULL;
  guint changed = 0;

  g_signal_connect (p, "credentials-changed", G_CALLBACK (on_changed),
      &changed);
  fake->hold = TRUE;
  gst_kvs_credentials_provider_get_async (p, NULL, on_result, &r1);
  gst_kvs_credentials_provider_get_async (p, NULL, on_result, &r2);
  while (g_main_context_iteration (ctx, FALSE));
  fail_unless_equals_int (fake->fetches, 1);
  fail_unless (r1 == NULL && r2 == NULL);
  fake->hold = FALSE;
  fake_release (fake);
  while (r1 == NULL || r2 == NULL)
    g_main_context_iteration (ctx, TRUE);
  c1 = gst_kvs_credentials_provider_get_finish (p, r1, NULL);
  c2 = gst_kvs_credentials_provider_get_finish (p, r2, NULL);
  fail_unless (c1 != NULL && c1 == c2);
  fail_unless_equals_int (changed, 1);
  c3 = get_ok (p);
  fail_unless (c3 == c1);
  fail_unless_equals_int (fake->fetches, 1);
  fail_unless_equals_string (gst_kvs_credentials_provider_get_name (p), "fake");
  g_object_unref (r1);
  g_object_unref (r2);

  gst_kvs_credentials_provider_invalidate (p);
  g_clear_pointer (&c3, gst_kvs_credentials_unref);
  c3 = get_ok (p);
  fail_unless_equals_int (fake->fetches, 2);
  fail_unless_equals_int (changed, 2);
}

GST_END_TEST;

typedef struct
{
  GAsyncResult *res;
  guint n;
} Got;

static void
on_got (GObject * source, GAsyncResult * result, gpointer user_data)
{
  Got *got = user_data;

  g_clear_object (&got->res);
  got->res = g_object_ref (result);
  got->n++;
}

/* A get whose cancellable is cancelled (then, @stop: the provider is
 * stopped before the cancel source ran, as at the client's shutdown): told
 * once, G_IO_ERROR_CANCELLED. */
static void
check_cancelled_get (gboolean stop)
{
  g_autoptr (FakeProvider) fake = g_object_new (FAKE_TYPE_PROVIDER, NULL);
  GstKvsCredentialsProvider *p = GST_KVS_CREDENTIALS_PROVIDER (fake);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (GError) err = NULL;
  Got got = { NULL, 0 };

  fake->hold = TRUE;
  gst_kvs_credentials_provider_get_async (p, cancel, on_got, &got);
  while (g_main_context_iteration (ctx, FALSE));
  g_cancellable_cancel (cancel);
  if (stop)
    gst_kvs_credentials_provider_stop (p);
  wait_count (&got.n, 1, 2000);
  while (g_main_context_iteration (ctx, FALSE));
  fail_unless_equals_int (got.n, 1);
  fail_if (gst_kvs_credentials_provider_get_finish (p, got.res, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_clear_object (&got.res);
  fake_release (fake);
  while (g_main_context_iteration (ctx, FALSE));
}

GST_START_TEST (test_cancel)
{
  check_cancelled_get (FALSE);
}

GST_END_TEST;

GST_START_TEST (test_refresh_ahead)
{
  g_autoptr (FakeProvider) fake = g_object_new (FAKE_TYPE_PROVIDER, NULL);
  GstKvsCredentialsProvider *p = GST_KVS_CREDENTIALS_PROVIDER (fake);
  g_autoptr (GstKvsCredentials) c1 = NULL, c2 = NULL;
  guint changed = 0;

  g_signal_connect (p, "credentials-changed", G_CALLBACK (on_changed),
      &changed);
  fake->lifetime_s = 3;
  c1 = get_ok (p);
  fail_unless_equals_int (changed, 1);
  /* Renewed by the provider's own timer, before expiry, without a get. */
  wait_count (&changed, 2, 5000);
  fail_unless (g_get_real_time () < c1->expiration * G_USEC_PER_SEC);
  fail_unless_equals_int (fake->fetches, 2);
  c2 = gst_kvs_credentials_provider_get_cached (p);
  fail_unless (c2 != NULL);
  fail_unless_equals_string (c2->access_key_id, "AKIDFAKE2");
}

GST_END_TEST;

/* stop() at the end of a client's run, resume() in the next run's thread
 * (another context): the cached credentials are kept and refreshed from
 * the new context; a fetch that stop() cut off (its reply never comes) is
 * not waited for. */
GST_START_TEST (test_stop_resume)
{
  g_autoptr (FakeProvider) fake = g_object_new (FAKE_TYPE_PROVIDER, NULL);
  GstKvsCredentialsProvider *p = GST_KVS_CREDENTIALS_PROVIDER (fake);
  GMainContext *ctx2 = g_main_context_new ();
  g_autoptr (GstKvsCredentials) c1 = NULL, c2 = NULL;
  g_autoptr (GError) err = NULL;
  Got got = { NULL, 0 };
  guint changed = 0;

  g_signal_connect (p, "credentials-changed", G_CALLBACK (on_changed),
      &changed);
  fake->lifetime_s = 3;
  c1 = get_ok (p);
  gst_kvs_credentials_provider_stop (p);

  g_main_context_push_thread_default (ctx2);
  gst_kvs_credentials_provider_resume (p);
  /* kept: no fetch; renewed ahead of expiry on the new context */
  c2 = gst_kvs_credentials_provider_get_cached (p);
  fail_unless_equals_string (c2->access_key_id, c1->access_key_id);
  fail_unless_equals_int (fake->fetches, 1);
  wait_count_in (ctx2, &changed, 2, 5000);
  fail_unless_equals_int (fake->fetches, 2);

  /* a fetch cut off by stop(): its waiter is told, a later get fetches */
  fake->hold = TRUE;
  gst_kvs_credentials_provider_invalidate (p);
  gst_kvs_credentials_provider_get_async (p, NULL, on_got, &got);
  gst_kvs_credentials_provider_stop (p);
  wait_count_in (ctx2, &got.n, 1, 2000);
  fail_if (gst_kvs_credentials_provider_get_finish (p, got.res, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  gst_kvs_credentials_provider_resume (p);
  fake->hold = FALSE;
  gst_kvs_credentials_provider_get_async (p, NULL, on_got, &got);
  wait_count_in (ctx2, &got.n, 2, 2000);
  g_clear_pointer (&c2, gst_kvs_credentials_unref);
  c2 = gst_kvs_credentials_provider_get_finish (p, got.res, NULL);
  fail_unless (c2 != NULL);
  fail_unless_equals_int (fake->fetches, 4);

  /* the cut-off reply comes after all: ignored */
  fake_release (fake);
  while (g_main_context_iteration (ctx2, FALSE));
  g_clear_object (&got.res);
  gst_kvs_credentials_provider_stop (p);
  g_main_context_pop_thread_default (ctx2);
  g_main_context_unref (ctx2);
}

GST_END_TEST;

GST_START_TEST (test_cancel_then_stop)
{
  check_cancelled_get (TRUE);
}

GST_END_TEST;

GST_START_TEST (test_refresh_failure_keeps_old)
{
  g_autoptr (FakeProvider) fake = g_object_new (FAKE_TYPE_PROVIDER, NULL);
  GstKvsCredentialsProvider *p = GST_KVS_CREDENTIALS_PROVIDER (fake);
  g_autoptr (GstKvsCredentials) c1 = NULL, c2 = NULL, c3 = NULL;
  g_autofree gchar *msg = NULL;

  fake->lifetime_s = 3;
  c1 = get_ok (p);
  fake->fail = TRUE;
  wait_count (&fake->fetches, 2, 5000);
  while (g_main_context_iteration (ctx, FALSE));
  /* The refresh failed: the old credentials, while they are valid. */
  c2 = get_ok (p);
  fail_unless_equals_string (c2->access_key_id, c1->access_key_id);
  wait_until_us (c1->expiration * G_USEC_PER_SEC + 1000);
  /* Retried with backoff before the expiry. */
  fail_unless (fake->fetches >= 3, "%u fetches", fake->fetches);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "fake: failing");
  fake->fail = FALSE;
  c3 = get_ok (p);
  fail_if (g_str_equal (c3->access_key_id, c1->access_key_id));
}

GST_END_TEST;

GST_START_TEST (test_expired_on_arrival)
{
  g_autoptr (FakeProvider) fake = g_object_new (FAKE_TYPE_PROVIDER, NULL);
  GstKvsCredentialsProvider *p = GST_KVS_CREDENTIALS_PROVIDER (fake);
  g_autofree gchar *msg = NULL;

  fake->lifetime_s = -10;
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "expired already");
  wait_until_us (g_get_real_time () + 300 * 1000);
  /* No refresh loop. */
  fail_unless_equals_int (fake->fetches, 1);
}

GST_END_TEST;

/* ---- the sources ---- */

static void
set_file (const gchar * var, const gchar * relpath, const gchar * contents)
{
  g_autofree gchar *path = kvs_test_env_write_home_file (relpath, contents);

  if (var)
    g_setenv (var, path, TRUE);
}

static GstKvsCredentials *
default_chain_get (GError ** error)
{
  g_autoptr (GstKvsCredentialsProvider) p =
      gst_kvs_credentials_provider_new_default (NULL, NULL, NULL, NULL, NULL);

  return get_sync (p, error);
}

GST_START_TEST (test_chain_order)
{
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autofree gchar *msg = NULL;

  /* Nothing anywhere: every source named. */
  p = gst_kvs_credentials_provider_new_default (NULL, NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_NO_CREDENTIALS);
  assert_contains (msg, "explicit");
  assert_contains (msg, "AWS_IOT_CORE_CREDENTIAL_ENDPOINT");
  assert_contains (msg, "AWS_ACCESS_KEY_ID");
  assert_contains (msg, "AWS_WEB_IDENTITY_TOKEN_FILE");
  assert_contains (msg, "/nonexistent/kvs-test/cred");
  assert_contains (msg, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  assert_contains (msg, "AWS_EC2_METADATA_DISABLED");
  g_clear_object (&p);

  /* The profile's static keys. */
  set_file ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials",
      "[default]\naws_access_key_id = " BASE_AKID "\n"
      "aws_secret_access_key = " BASE_SECRET "\n");
  c = default_chain_get (NULL);
  fail_unless (c != NULL);
  fail_unless_equals_string (c->access_key_id, BASE_AKID);
  assert_contains (c->source, "profile default");
  g_clear_pointer (&c, gst_kvs_credentials_unref);

  /* The environment before the profile. */
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", ENV_SECRET, TRUE);
  c = default_chain_get (NULL);
  fail_unless_equals_string (c->source, "environment");
  g_clear_pointer (&c, gst_kvs_credentials_unref);

  /* The explicit values before all. */
  p = gst_kvs_credentials_provider_new_default ("AKIDEXPLICIT",
      "explicit/" MARK, NULL, NULL, NULL);
  c = get_ok (p);
  fail_unless_equals_string (c->source, "explicit");
  fail_unless_equals_string (gst_kvs_chain_provider_get_current
      (GST_KVS_CHAIN_PROVIDER (p)), "explicit");
  g_clear_object (&p);
  g_clear_pointer (&msg, g_free);

  /* Half the explicit values: an error, not the next source. */
  p = gst_kvs_credentials_provider_new_default ("AKIDEXPLICIT", NULL, NULL,
      NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "secret access key");

  /* The capture works: the log names the sources and key ids. */
  assert_contains (logs->str, "AKIDEXPLICIT");
}

GST_END_TEST;

GST_START_TEST (test_chain_sticky)
{
  g_autoptr (GstKvsCredentialsProvider) p =
      gst_kvs_credentials_provider_new_default (NULL, NULL, NULL, NULL, NULL);
  g_autoptr (GstKvsCredentials) c1 = NULL, c2 = NULL, c3 = NULL;

  set_file ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials",
      "[default]\naws_access_key_id = " BASE_AKID "\n"
      "aws_secret_access_key = " BASE_SECRET "\n");
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", ENV_SECRET, TRUE);
  c1 = get_ok (p);
  fail_unless_equals_string (c1->source, "environment");

  /* The source that answered has nothing any more: the whole chain. */
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");
  gst_kvs_credentials_provider_invalidate (p);
  c2 = get_ok (p);
  fail_unless_equals_string (c2->access_key_id, BASE_AKID);
  fail_unless_equals_string (gst_kvs_chain_provider_get_current
      (GST_KVS_CHAIN_PROVIDER (p)), "profile");

  /* Now the profile is asked first. */
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", ENV_SECRET, TRUE);
  gst_kvs_credentials_provider_invalidate (p);
  c3 = get_ok (p);
  fail_unless_equals_string (c3->access_key_id, BASE_AKID);
}

GST_END_TEST;

GST_START_TEST (test_web_identity)
{
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autofree gchar *msg = NULL;
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  set_file ("AWS_WEB_IDENTITY_TOKEN_FILE", "token", WEB_TOKEN "\n");
  g_setenv ("AWS_ROLE_ARN", ROLE_ARN, TRUE);
  g_setenv ("AWS_ROLE_SESSION_NAME", "kvs-session", TRUE);
  g_setenv ("AWS_ENDPOINT_URL_STS", base_url, TRUE);
  c = default_chain_get (NULL);
  fail_unless (c != NULL);
  fail_unless_equals_string (st.last_action, "AssumeRoleWithWebIdentity");
  fail_unless_equals_string (st.web_token, WEB_TOKEN);
  fail_unless (g_str_has_prefix (c->access_key_id, "ASIASTS"));
  fail_unless (c->session_token != NULL);
  assert_contains (c->source, "web identity");
  fail_unless (c->expiration >= now + 3595 && c->expiration <= now + 3605);

  /* STS refuses: AWS's code and message. */
  st.sts_deny = TRUE;
  p = gst_kvs_web_identity_provider_new (NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "AccessDenied");
  assert_contains (msg, "not authorized to perform: sts:AssumeRole");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  /* Unreadable token file: the file and the variable. */
  g_setenv ("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/kvs-test/token", TRUE);
  p = gst_kvs_web_identity_provider_new (NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "/nonexistent/kvs-test/token");
  assert_contains (msg, "AWS_WEB_IDENTITY_TOKEN_FILE");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  /* A CA bundle that cannot be read. */
  set_file ("AWS_WEB_IDENTITY_TOKEN_FILE", "token", WEB_TOKEN "\n");
  g_setenv ("AWS_CA_BUNDLE", "/nonexistent/kvs-test/ca.pem", TRUE);
  p = gst_kvs_web_identity_provider_new (NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "AWS_CA_BUNDLE /nonexistent/kvs-test/ca.pem");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);
  g_unsetenv ("AWS_CA_BUNDLE");

  g_unsetenv ("AWS_ROLE_ARN");
  p = gst_kvs_web_identity_provider_new (NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "AWS_ROLE_ARN");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  /* A profile's role_arn with web_identity_token_file. */
  st.sts_deny = FALSE;
  g_unsetenv ("AWS_WEB_IDENTITY_TOKEN_FILE");
  {
    g_autofree gchar *token = kvs_test_env_write_home_file ("token2",
        WEB_TOKEN);
    g_autofree gchar *config = g_strdup_printf ("[profile w]\n"
        "role_arn = " ROLE_ARN "\nweb_identity_token_file = %s\n", token);

    set_file ("AWS_CONFIG_FILE", ".aws/config", config);
  }
  g_clear_pointer (&c, gst_kvs_credentials_unref);
  g_free (st.web_token);
  st.web_token = NULL;
  p = gst_kvs_profile_provider_new ("w");
  c = get_ok (p);
  fail_unless_equals_string (st.web_token, WEB_TOKEN);
  assert_contains (c->source, "web identity");
}

GST_END_TEST;

GST_START_TEST (test_assume_role)
{
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autofree gchar *msg = NULL;

  set_file ("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials",
      "[base]\naws_access_key_id = " BASE_AKID "\n"
      "aws_secret_access_key = " BASE_SECRET "\n");
  set_file ("AWS_CONFIG_FILE", ".aws/config",
      "[profile r]\nrole_arn = " ROLE_ARN "\nsource_profile = base\n"
      "[profile env]\nrole_arn = " ROLE_ARN "\n"
      "credential_source = Environment\n"
      "[profile bad]\nrole_arn = " ROLE_ARN "\ncredential_source = Moon\n"
      "[profile a]\nrole_arn = " ROLE_ARN "\nsource_profile = b\n"
      "[profile b]\nrole_arn = " ROLE_ARN "\nsource_profile = a\n");
  g_setenv ("AWS_ENDPOINT_URL_STS", base_url, TRUE);

  p = gst_kvs_profile_provider_new ("r");
  c = get_ok (p);
  fail_unless_equals_string (st.last_action, "AssumeRole");
  fail_unless (st.sig_ok, "STS signature refused: %s", st.sig_error);
  fail_unless (g_str_has_prefix (c->access_key_id, "ASIASTS"));
  assert_contains (c->source, ROLE_ARN);
  assert_contains (c->source, "profile base");
  g_clear_pointer (&c, gst_kvs_credentials_unref);
  g_clear_object (&p);

  /* credential_source = Environment */
  g_setenv ("AWS_ACCESS_KEY_ID", BASE_AKID, TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", BASE_SECRET, TRUE);
  p = gst_kvs_profile_provider_new ("env");
  c = get_ok (p);
  fail_unless (st.sig_ok, "STS signature refused: %s", st.sig_error);
  assert_contains (c->source, "environment");
  g_clear_object (&p);

  st.sts_deny = TRUE;
  p = gst_kvs_profile_provider_new ("r");
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "AccessDenied");
  assert_contains (msg, ROLE_ARN);
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  p = gst_kvs_profile_provider_new ("bad");
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "credential_source Moon");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  p = gst_kvs_profile_provider_new ("a");
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "cycle");
}

GST_END_TEST;

static void
write_script (const gchar * name, const gchar * body)
{
  g_autofree gchar *text = g_strconcat ("#!/bin/sh\n", body, NULL);
  g_autofree gchar *path = kvs_test_env_write_home_file (name, text);

  fail_unless (g_chmod (path, 0755) == 0);
}

static gchar *
process_error (const gchar * script_body)
{
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  g_autofree gchar *path = NULL, *config = NULL;

  write_script ("bin/cp", script_body);
  path = g_build_filename (kvs_test_env_home (), "bin", "cp", NULL);
  config = g_strdup_printf ("[default]\ncredential_process = %s --x\n", path);
  set_file ("AWS_CONFIG_FILE", ".aws/config", config);
  p = gst_kvs_profile_provider_new (NULL);
  return get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
}

GST_START_TEST (test_credential_process)
{
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autofree gchar *path = NULL, *config = NULL, *exp = iso_in (1800);
  g_autofree gchar *body = NULL;
  gchar *msg;

  body = g_strdup_printf ("test \"$1\" = --x || exit 9\n"
      "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
      "\"SecretAccessKey\": \"proc/" MARK "\", \"SessionToken\": \"pt-" MARK
      "\", \"Expiration\": \"%s\"}'\n", exp);
  write_script ("bin/cp", body);
  path = g_build_filename (kvs_test_env_home (), "bin", "cp", NULL);
  config = g_strdup_printf ("[default]\ncredential_process = %s --x\n", path);
  set_file ("AWS_CONFIG_FILE", ".aws/config", config);
  p = gst_kvs_profile_provider_new (NULL);
  c = get_ok (p);
  fail_unless_equals_string (c->access_key_id, "AKIDPROC");
  fail_unless (c->session_token != NULL);
  fail_unless (c->expiration > g_get_real_time () / G_USEC_PER_SEC + 1700);
  assert_contains (c->source, "credential_process");

  msg = process_error ("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDP\", "
      "\"SecretAccessKey\": \"proc/" MARK "\"'\n");
  assert_contains (msg, "not JSON");
  assert_contains (msg, "credential_process of profile 'default'");
  g_free (msg);
  msg = process_error ("echo '{\"Version\": 2, \"AccessKeyId\": \"AKIDP\", "
      "\"SecretAccessKey\": \"proc/" MARK "\"}'\n");
  assert_contains (msg, "\"Version\" is not 1");
  g_free (msg);
  msg = process_error ("echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDP\"}'"
      "\n");
  assert_contains (msg, "no SecretAccessKey");
  g_free (msg);
  msg = process_error ("echo 'cannot reach the vault' >&2\nexit 3\n");
  assert_contains (msg, "exited with status 3");
  assert_contains (msg, "cannot reach the vault");
  g_free (msg);

  /* A process that never exits is killed: no hang. */
  write_script ("bin/hang", "exec sleep 30\n");
  g_free (path);
  path = g_build_filename (kvs_test_env_home (), "bin", "hang", NULL);
  g_clear_object (&p);
  p = gst_kvs_process_provider_new (path, "test", 1);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "killed after 1 s");
  g_free (msg);
}

GST_END_TEST;

static void
write_sso_cache (const gchar * key, const gchar * token, gint expires_in)
{
  g_autofree gchar *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      key, -1);
  g_autofree gchar *rel = g_strdup_printf (".aws/sso/cache/%s.json", sha1);
  g_autofree gchar *exp = iso_in (expires_in);
  g_autofree gchar *json = g_strdup_printf ("{\"startUrl\": "
      "\"https://example.awsapps.com/start\", \"region\": \"us-east-1\", "
      "\"accessToken\": \"%s\", \"expiresAt\": \"%s\"}", token, exp);

  set_file (NULL, rel, json);
}

GST_START_TEST (test_sso)
{
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autofree gchar *msg = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  set_file ("AWS_CONFIG_FILE", ".aws/config",
      "[profile s]\nsso_session = my-sso\nsso_account_id = 123456789012\n"
      "sso_role_name = kvs\nregion = us-west-2\n"
      "[sso-session my-sso]\n"
      "sso_start_url = https://example.awsapps.com/start\n"
      "sso_region = us-east-1\n"
      "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\n"
      "sso_region = eu-west-1\nsso_account_id = 123456789012\n"
      "sso_role_name = kvs\n"
      "[profile half]\nsso_session = my-sso\nsso_role_name = kvs\n");
  g_setenv ("AWS_ENDPOINT_URL_SSO", base_url, TRUE);
  write_sso_cache ("my-sso", SSO_TOKEN, 3600);
  write_sso_cache ("https://legacy.awsapps.com/start", SSO_TOKEN, 3600);

  p = gst_kvs_profile_provider_new ("s");
  c = get_ok (p);
  fail_unless_equals_string (c->access_key_id, "ASIASSO");
  fail_unless (c->expiration >= now + 3595 && c->expiration <= now + 3605);
  assert_contains (c->source, "SSO");
  g_clear_pointer (&c, gst_kvs_credentials_unref);
  g_clear_object (&p);

  p = gst_kvs_profile_provider_new ("legacy");
  c = get_ok (p);
  fail_unless_equals_string (c->access_key_id, "ASIASSO");
  g_clear_object (&p);

  p = gst_kvs_profile_provider_new ("half");
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "sso_account_id");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  /* The portal refuses the token. */
  write_sso_cache ("my-sso", "other-" MARK, 3600);
  p = gst_kvs_profile_provider_new ("s");
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "HTTP 401");
  assert_contains (msg, "aws sso login --profile s");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  /* An expired token: not even sent. */
  write_sso_cache ("my-sso", SSO_TOKEN, -60);
  st.requests = 0;
  p = gst_kvs_profile_provider_new ("s");
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "expired");
  assert_contains (msg, "run aws sso login --profile s");
  fail_unless_equals_int (st.requests, 0);
}

GST_END_TEST;

GST_START_TEST (test_container)
{
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autofree gchar *uri = g_strconcat (base_url, "/v1/credentials", NULL);
  g_autofree gchar *msg = NULL;

  g_setenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri, TRUE);
  g_setenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN, TRUE);
  c = default_chain_get (NULL);
  fail_unless (c != NULL);
  fail_unless_equals_string (c->access_key_id, "ASIACONTAINER");
  fail_unless_equals_string (c->source, "container");
  fail_unless (c->expiration > 0);
  g_clear_pointer (&c, gst_kvs_credentials_unref);

  /* The token file wins over the token. */
  g_setenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-" MARK, TRUE);
  set_file ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "ctoken",
      CONTAINER_TOKEN "\n");
  p = gst_kvs_container_provider_new ();
  c = get_ok (p);
  g_clear_object (&p);

  g_unsetenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  p = gst_kvs_container_provider_new ();
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "HTTP 401");
  assert_contains (msg, "bad authorization token");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  g_setenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "http://192.0.2.1/v1/credentials", TRUE);
  p = gst_kvs_container_provider_new ();
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "neither https nor a loopback");
}

GST_END_TEST;

GST_START_TEST (test_imds)
{
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autofree gchar *msg = NULL;

  /* Disabled (the test environment's setting). */
  p = gst_kvs_imds_provider_new (NULL, FALSE);
  msg = get_error (p, GST_KVS_ERROR_NO_CREDENTIALS);
  assert_contains (msg, "AWS_EC2_METADATA_DISABLED");
  g_clear_pointer (&msg, g_free);

  g_setenv ("AWS_EC2_METADATA_DISABLED", "false", TRUE);
  g_setenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT", base_url, TRUE);
  c = default_chain_get (NULL);
  fail_unless (c != NULL);
  fail_unless_equals_string (c->access_key_id, "ASIAIMDS");
  assert_contains (c->source, "kvs-instance-role");
  fail_unless_equals_string (st.last_path,
      "/latest/meta-data/iam/security-credentials/kvs-instance-role");
  g_clear_object (&p);

  /* Unreachable: the chain goes on, and says so. */
  g_setenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", TRUE);
  p = gst_kvs_credentials_provider_new_default (NULL, NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_NO_CREDENTIALS);
  assert_contains (msg, "IMDS unreachable");
  assert_contains (msg, "http://127.0.0.1:1");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  /* ... but not for a credential_source that needs it. */
  p = gst_kvs_imds_provider_new (NULL, TRUE);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "IMDS unreachable");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  /* An IMDS that never answers: given up after botocore's 1 s. */
  {
    g_autoptr (GSocketListener) silent = g_socket_listener_new ();
    g_autoptr (GInetAddress) lo =
        g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
    g_autoptr (GSocketAddress) bound = NULL;
    g_autofree gchar *url = NULL;

    fail_unless (g_socket_listener_add_address (silent, addr,
            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL));
    url = g_strdup_printf ("http://127.0.0.1:%u",
        g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    g_setenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, TRUE);
    p = gst_kvs_imds_provider_new (NULL, FALSE);
    msg = get_error (p, GST_KVS_ERROR_NO_CREDENTIALS);
    assert_contains (msg, "IMDS unreachable: timed out after 1000 ms");

    /* Stopped while waiting: cancelled at once, not timed out. */
    {
      GAsyncResult *res = NULL;
      g_autoptr (GError) err = NULL;

      gst_kvs_credentials_provider_get_async (p, NULL, on_result, &res);
      while (g_main_context_iteration (ctx, FALSE));
      gst_kvs_credentials_provider_stop (p);
      while (res == NULL)
        g_main_context_iteration (ctx, TRUE);
      fail_unless (gst_kvs_credentials_provider_get_finish (p, res,
              &err) == NULL);
      fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED),
          "%s", err->message);
      g_object_unref (res);
    }
    g_socket_listener_close (silent);
  }
}

GST_END_TEST;

/* ---- AWS IoT: mutual TLS ---- */

#define IOT_PKI_SCRIPT \
  "set -e\n" \
  "k='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'\n" \
  "openssl req -x509 $k -keyout ca.key -out ca.pem -days 2 " \
  "  -subj /CN=kvs-test-ca 2>/dev/null\n" \
  "openssl req $k -keyout server.key -out server.csr -subj /CN=127.0.0.1 " \
  "  2>/dev/null\n" \
  "echo subjectAltName=IP:127.0.0.1 > san.ext\n" \
  "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key " \
  "  -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null\n" \
  "openssl req $k -keyout thing.key -out thing.csr -subj /CN=thing1 " \
  "  2>/dev/null\n" \
  "echo extendedKeyUsage=clientAuth > client.ext\n" \
  "openssl x509 -req -in thing.csr -CA ca.pem -CAkey ca.key " \
  "  -CAcreateserial -out thing.pem -days 2 -extfile client.ext " \
  "  2>/dev/null\n" \
  "openssl req -x509 $k -keyout other.key -out other.pem -days 2 " \
  "  -subj /CN=thing1 2>/dev/null\n"

static gchar *pki;

static gchar *
pki_file (const gchar * name)
{
  return g_build_filename (pki, name, NULL);
}

/* The IoT credentials endpoint: a GSocketService with GTlsServerConnection
 * requiring a client certificate of the test CA (SoupServer 3.2 does not
 * accept client certificates), one request per connection. */
typedef struct
{
  GIOStream *tls;
  GDataInputStream *in;
  gchar *path;
  gchar *thing;
  gchar *reply;
} IotConn;

static GTlsCertificate *iot_server_cert;
static GTlsDatabase *iot_ca_db;

static void
iot_conn_free (IotConn * c)
{
  g_io_stream_close (c->tls, NULL, NULL);
  g_clear_object (&c->in);
  g_clear_object (&c->tls);
  g_free (c->path);
  g_free (c->thing);
  g_free (c->reply);
  g_free (c);
}

static gboolean
iot_accept_cert (GTlsConnection * conn, GTlsCertificate * peer,
    GTlsCertificateFlags errors, gpointer data)
{
  return errors == 0;
}

static void
iot_written (GObject * source, GAsyncResult * result, gpointer data)
{
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL,
      NULL);
  iot_conn_free (data);
}

static void
iot_respond (IotConn * c)
{
  GTlsCertificate *peer =
      g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (c->tls));
  g_autofree gchar *subject = peer ?
      g_tls_certificate_get_subject_name (peer) : NULL;
  g_autofree gchar *cn = c->thing ? g_strconcat ("CN=", c->thing, NULL) : NULL;
  g_autofree gchar *exp = iso_in (st.ttl);
  g_autofree gchar *json = NULL;
  guint status = 200;

  st.requests++;
  if (g_strcmp0 (c->path, "/role-aliases/kvs-alias/credentials") != 0) {
    status = 404;
    json = g_strdup ("{\"message\":\"Role alias does not exist\"}");
  } else if (cn == NULL || g_strcmp0 (subject, cn) != 0) {
    status = 403;
    json = g_strdup ("{\"message\":\"Certificate is not attached to the "
        "thing\"}");
  } else {
    json = g_strdup_printf ("{\"credentials\":{\"accessKeyId\":\"ASIAIOT\","
        "\"secretAccessKey\":\"iot/" MARK "\",\"sessionToken\":\"iottok-"
        MARK "\",\"expiration\":\"%s\"}}", exp);
  }
  c->reply = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: "
      "application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n"
      "Connection: close\r\n\r\n%s", status, status == 200 ? "OK" :
      status == 403 ? "Forbidden" : "Not Found", strlen (json), json);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (c->tls),
      c->reply, strlen (c->reply), G_PRIORITY_DEFAULT, NULL, iot_written, c);
}

static void
iot_line (GObject * source, GAsyncResult * result, gpointer data)
{
  IotConn *c = data;
  g_autofree gchar *line = g_data_input_stream_read_line_finish
      (G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  if (line == NULL) {
    iot_conn_free (c);
    return;
  }
  g_strchomp (line);
  if (c->path == NULL) {
    g_auto (GStrv) parts = g_strsplit (line, " ", 3);

    c->path = g_strdup (parts[0] && parts[1] ? parts[1] : "");
  } else if (*line == '\0') {
    iot_respond (c);
    return;
  } else if (g_ascii_strncasecmp (line, "x-amzn-iot-thingname:", 21) == 0) {
    c->thing = g_strstrip (g_strdup (line + 21));
  }
  g_data_input_stream_read_line_async (c->in, G_PRIORITY_DEFAULT, NULL,
      iot_line, c);
}

static void
iot_handshaken (GObject * source, GAsyncResult * result, gpointer data)
{
  IotConn *c = data;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result,
          NULL)) {
    iot_conn_free (c);
    return;
  }
  c->in = g_data_input_stream_new (g_io_stream_get_input_stream (c->tls));
  g_data_input_stream_read_line_async (c->in, G_PRIORITY_DEFAULT, NULL,
      iot_line, c);
}

static gboolean
iot_incoming (GSocketService * service, GSocketConnection * conn,
    GObject * source, gpointer data)
{
  IotConn *c = g_new0 (IotConn, 1);

  c->tls = g_tls_server_connection_new (G_IO_STREAM (conn), iot_server_cert,
      NULL);
  fail_unless (c->tls != NULL);
  g_object_set (c->tls, "authentication-mode",
      G_TLS_AUTHENTICATION_REQUIRED, NULL);
  g_tls_connection_set_database (G_TLS_CONNECTION (c->tls), iot_ca_db);
  g_signal_connect (c->tls, "accept-certificate",
      G_CALLBACK (iot_accept_cert), NULL);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (c->tls),
      G_PRIORITY_DEFAULT, NULL, iot_handshaken, c);
  return TRUE;
}

GST_START_TEST (test_iot)
{
  g_autoptr (GSocketService) tls_server = NULL;
  g_autoptr (GstKvsCredentialsProvider) p = NULL;
  g_autoptr (GstKvsCredentials) c = NULL;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *script = NULL, *endpoint = NULL, *msg = NULL;
  g_autofree gchar *ca = NULL, *cert = NULL, *key = NULL, *key_text = NULL;
  g_autofree gchar *other_cert = NULL, *other_key = NULL;
  g_auto (GStrv) key_lines = NULL;
  gchar *argv[] = { (gchar *) "/bin/sh", (gchar *) "-c", NULL, NULL };
  gint status = 0;
  guint16 port;
  g_autofree gchar *openssl = g_find_program_in_path ("openssl");

  if (openssl == NULL) {
    GST_INFO ("no openssl: AWS IoT test skipped");
    return;
  }
  pki = g_build_filename (kvs_test_env_home (), "pki", NULL);
  fail_unless (g_mkdir_with_parents (pki, 0700) == 0);
  argv[2] = (gchar *) IOT_PKI_SCRIPT;
  fail_unless (g_spawn_sync (pki, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
          NULL, NULL, &status, &err), "openssl: %s", err ? err->message : "");
  fail_unless (g_spawn_check_wait_status (status, NULL), "openssl failed");

  ca = pki_file ("ca.pem");
  cert = pki_file ("thing.pem");
  key = pki_file ("thing.key");
  other_cert = pki_file ("other.pem");
  other_key = pki_file ("other.key");
  {
    g_autofree gchar *sc = pki_file ("server.pem");
    g_autofree gchar *sk = pki_file ("server.key");

    iot_server_cert = g_tls_certificate_new_from_files (sc, sk, &err);
    fail_unless (iot_server_cert != NULL, "%s", err ? err->message : "");
  }
  iot_ca_db = g_tls_file_database_new (ca, &err);
  fail_unless (iot_ca_db != NULL);
  tls_server = g_socket_service_new ();
  {
    g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
        (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
    g_autoptr (GSocketAddress) bound = NULL;

    fail_unless (g_socket_listener_add_address (G_SOCKET_LISTENER
            (tls_server), addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
            NULL, &bound, &err), "listen: %s", err ? err->message : "");
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  g_signal_connect (tls_server, "incoming", G_CALLBACK (iot_incoming), NULL);
  g_socket_service_start (tls_server);
  endpoint = g_strdup_printf ("127.0.0.1:%u", port);

  /* The private key's body must never be logged. */
  fail_unless (g_file_get_contents (key, &key_text, NULL, NULL));
  key_lines = g_strsplit (key_text, "\n", -1);

  g_setenv ("AWS_IOT_CORE_CREDENTIAL_ENDPOINT", endpoint, TRUE);
  g_setenv ("AWS_IOT_CORE_CERT", cert, TRUE);
  g_setenv ("AWS_IOT_CORE_PRIVATE_KEY", key, TRUE);
  g_setenv ("AWS_IOT_CORE_ROLE_ALIAS", "kvs-alias", TRUE);
  g_setenv ("AWS_IOT_CORE_THING_NAME", "thing1", TRUE);
  g_setenv ("AWS_KVS_CACERT_PATH", ca, TRUE);
  c = default_chain_get (NULL);
  fail_unless (c != NULL);
  fail_unless_equals_string (c->access_key_id, "ASIAIOT");
  assert_contains (c->source, "AWS IoT");
  fail_unless (c->expiration > 0);
  g_clear_pointer (&c, gst_kvs_credentials_unref);

  /* Settings given to the provider win over the environment. */
  g_setenv ("AWS_IOT_CORE_ROLE_ALIAS", "nonexistent-alias", TRUE);
  p = gst_kvs_iot_provider_new (NULL, NULL, NULL, "kvs-alias", NULL, NULL);
  c = get_ok (p);
  g_clear_object (&p);
  g_clear_pointer (&c, gst_kvs_credentials_unref);

  /* The service's answer to an unknown alias. */
  p = gst_kvs_iot_provider_new (NULL, NULL, NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "HTTP 404");
  assert_contains (msg, "Role alias does not exist");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);
  g_setenv ("AWS_IOT_CORE_ROLE_ALIAS", "kvs-alias", TRUE);

  /* A certificate of another CA: the TLS handshake fails. */
  p = gst_kvs_iot_provider_new (NULL, other_cert, other_key, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "refused the device certificate");
  assert_contains (msg, other_cert);
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  /* Without the CA, the service's certificate is refused. */
  g_unsetenv ("AWS_KVS_CACERT_PATH");
  p = gst_kvs_iot_provider_new (NULL, NULL, NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, endpoint);
  assert_contains (msg, "was refused");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);
  g_setenv ("AWS_KVS_CACERT_PATH", ca, TRUE);

  /* Unreadable certificate, key that is not one, missing settings. */
  p = gst_kvs_iot_provider_new (NULL, "/nonexistent/kvs-test/cert.pem",
      NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "/nonexistent/kvs-test/cert.pem");
  assert_contains (msg, "AWS_IOT_CORE_CERT");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  p = gst_kvs_iot_provider_new (NULL, NULL, ca, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "do not make a TLS client certificate");
  g_clear_pointer (&msg, g_free);
  g_clear_object (&p);

  g_unsetenv ("AWS_IOT_CORE_THING_NAME");
  g_unsetenv ("AWS_IOT_CORE_PRIVATE_KEY");
  p = gst_kvs_iot_provider_new (NULL, NULL, NULL, NULL, NULL, NULL);
  msg = get_error (p, GST_KVS_ERROR_CREDENTIALS_SOURCE);
  assert_contains (msg, "AWS_IOT_CORE_THING_NAME");
  assert_contains (msg, "AWS_IOT_CORE_PRIVATE_KEY");

  fail_unless (key_lines[1] && strlen (key_lines[1]) > 20);
  fail_unless (strstr (logs->str, key_lines[1]) == NULL,
      "the private key reached the log");
  g_socket_service_stop (tls_server);
  g_socket_listener_close (G_SOCKET_LISTENER (tls_server));
  g_clear_object (&iot_server_cert);
  g_clear_object (&iot_ca_db);
  g_clear_pointer (&pki, g_free);
}

GST_END_TEST;

static Suite *
credentialsprovider_suite (void)
{
  Suite *s = suite_create ("credentialsprovider");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_margins);
  tcase_add_test (tc, test_cache_single_flight);
  tcase_add_test (tc, test_cancel);
  tcase_add_test (tc, test_refresh_ahead);
  tcase_add_test (tc, test_refresh_failure_keeps_old);
  tcase_add_test (tc, test_stop_resume);
  tcase_add_test (tc, test_cancel_then_stop);
  tcase_add_test (tc, test_expired_on_arrival);
  tcase_add_test (tc, test_chain_order);
  tcase_add_test (tc, test_chain_sticky);
  tcase_add_test (tc, test_web_identity);
  tcase_add_test (tc, test_assume_role);
  tcase_add_test (tc, test_credential_process);
  tcase_add_test (tc, test_sso);
  tcase_add_test (tc, test_container);
  tcase_add_test (tc, test_imds);
  tcase_add_test (tc, test_iot);
  return s;
}

GST_CHECK_MAIN (credentialsprovider);
