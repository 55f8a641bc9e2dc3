/* Fault tests of the credentials (issue 15), against the real local service
 * emulating every source (--emulate-credentials, --iot-listen): our chain
 * from each source in precedence order, with no secret in a GST_DEBUG=*:9
 * log; a master whose credentials live 15 s staying connected across their
 * renewals and reconnecting after a GO_AWAY with renewed ones, losing no
 * message; the refetch and immediate retry after an ExpiredTokenException;
 * an AWS IoT-provisioned master and viewer (kvswebrtcsink, kvswebrtcsrc)
 * streaming video on the channel named after their thing; the FIPS
 * dual-stack control-plane host without an endpoint.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include "faultutil.h"
#include "../kvstestexit.h"

#define CHANNEL "faults-credentials"
#define THING "camera-thing-1"
#define ALIAS "kvs-camera-alias"
/* the service's IoT CA and THING's device certificate, in the tmpdir */
#define IOT_DIR "iot"
#define IOT_CA IOT_DIR "/ca.pem"
#define IOT_CERT IOT_DIR "/" THING ".cert.pem"
#define IOT_KEY IOT_DIR "/" THING ".private.key"
#define ACCOUNT "123456789012"
#define WEB_TOKEN "web-identity-token-CREDTEST"
#define SSO_TOKEN "sso-access-token-CREDTEST"
#define CONTAINER_TOKEN "container-auth-CREDTEST"
/* every session token the service vends starts so */
#define VENDED_TOKEN_PREFIX "IQoJb3JpZ2luX2VjE"

static const gchar *const env_vars[] = {
  "HOME", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION",
  "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
  "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
  "AWS_ENDPOINT_URL_KINESIS_VIDEO",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_USE_FIPS_ENDPOINT",
  "AWS_USE_DUALSTACK_ENDPOINT", "AWS_IOT_CORE_CREDENTIAL_ENDPOINT",
  "AWS_IOT_CORE_CERT", "AWS_IOT_CORE_PRIVATE_KEY", "AWS_IOT_CORE_ROLE_ALIAS",
  "AWS_IOT_CORE_THING_NAME", "AWS_KVS_CACERT_PATH", "AWS_CA_BUNDLE", NULL
};

static gchar *tmpdir;
static guint iot_port;

static gchar *
path_of (const gchar * name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static void
write_file (const gchar * name, const gchar * text)
{
  g_autofree gchar *path = path_of (name);
  g_autofree gchar *dir = g_path_get_dirname (path);

  g_mkdir_with_parents (dir, 0700);
  fail_unless (g_file_set_contents (path, text, -1, NULL), "%s", path);
}

/* A free TCP port of 127.0.0.1 for the IoT endpoint. */
static guint
free_port (void)
{
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4,
      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo =
      g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  fail_unless (sock && g_socket_bind (sock, any, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A clean environment in a new temporary folder (HOME) and a port for the
 * IoT endpoint. The service creates the IoT CA in IOT_DIR of it
 * (--iot-ca-dir), the device certificate of THING (--iot-thing) and its
 * own certificate for 127.0.0.1, all chaining to IOT_DIR/ca.pem. */
static void
setup (void)
{
  g_autoptr (GError) error = NULL;

  tmpdir = g_dir_make_tmp ("kvs-faults-creds-XXXXXX", &error);
  fail_unless (tmpdir != NULL, "%s", error ? error->message : "");
  for (guint i = 0; env_vars[i]; i++)
    g_unsetenv (env_vars[i]);
  g_setenv ("HOME", tmpdir, TRUE);
  g_setenv ("AWS_EC2_METADATA_DISABLED", "true", TRUE);
  write_file ("config", "");
  write_file ("credentials", "");
  {
    g_autofree gchar *c = path_of ("config");
    g_autofree gchar *k = path_of ("credentials");

    g_setenv ("AWS_CONFIG_FILE", c, TRUE);
    g_setenv ("AWS_SHARED_CREDENTIALS_FILE", k, TRUE);
  }
  iot_port = free_port ();
}

static void
teardown (void)
{
  g_autoptr (GDir) dir = NULL;
  const gchar *name;

  if (!tmpdir)
    return;
  dir = g_dir_open (tmpdir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *path = path_of (name);

    g_unlink (path);
  }
  {
    g_autofree gchar *iot = path_of (IOT_DIR);
    g_autoptr (GDir) d = g_dir_open (iot, 0, NULL);

    while (d && (name = g_dir_read_name (d))) {
      g_autofree gchar *path = g_build_filename (iot, name, NULL);

      g_unlink (path);
    }
    g_rmdir (iot);
  }
  /* .aws/sso/cache */
  {
    g_autofree gchar *cache = path_of (".aws/sso/cache");
    g_autoptr (GDir) d = g_dir_open (cache, 0, NULL);

    while (d && (name = g_dir_read_name (d))) {
      g_autofree gchar *path = g_build_filename (cache, name, NULL);

      g_unlink (path);
    }
    g_rmdir (cache);
    g_free (cache);
    cache = path_of (".aws/sso");
    g_rmdir (cache);
    g_free (cache);
    cache = path_of (".aws");
    g_rmdir (cache);
  }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

#ifdef __SANITIZE_ADDRESS__
/* As in tests/server/server_iot.c: libsoup's server keeps a reference on
 * each mutual-TLS client certificate (one leak per IoT request, in the
 * service only): the service process of these tests gets a suppression of
 * it, the project's lsan.supp plus that module. */
static void
suppress_libsoup_peer_certificate_leak (void)
{
  const gchar *options = g_getenv ("LSAN_OPTIONS");
  const gchar *p = options ? strstr (options, "suppressions=") : NULL;
  g_autofree gchar *old_path = NULL;
  g_autofree gchar *old = NULL;
  g_autofree gchar *path = path_of ("lsan-iot.supp");
  g_autofree gchar *text = NULL;
  g_autofree gchar *value = NULL;

  if (p) {
    const gchar *end = strchr (p, ':');

    p += strlen ("suppressions=");
    old_path = end ? g_strndup (p, end - p) : g_strdup (p);
    g_file_get_contents (old_path, &old, NULL, NULL);
  }
  text = g_strdup_printf ("%s\nleak:libgiognutls.so\n", old ? old : "");
  fail_unless (g_file_set_contents (path, text, -1, NULL));
  value = g_strdup_printf ("suppressions=%s:print_suppressions=0", path);
  g_setenv ("LSAN_OPTIONS", value, TRUE);
}
#endif

/* The service with every credential source emulated. */
static FaultServer *
server_start (const gchar * ttl)
{
  g_autofree gchar *listen = g_strdup_printf ("--iot-listen=127.0.0.1:%u",
      iot_port);
  g_autofree gchar *dir = path_of (IOT_DIR);
  g_autofree gchar *dir_arg = g_strconcat ("--iot-ca-dir=", dir, NULL);
  g_autofree gchar *ttl_arg = g_strconcat ("--credential-ttl=",
      ttl ? ttl : "3600", NULL);
  const gchar *args[] = { "--create-channel=" CHANNEL,
    "--create-channel=" THING, "--emulate-credentials", ttl_arg, listen,
    dir_arg, "--iot-thing=" THING, "--iot-role-alias=" ALIAS,
    "--web-identity-token=" WEB_TOKEN, "--sso-token=" SSO_TOKEN,
    "--container-token=" CONTAINER_TOKEN, NULL
  };

#ifdef __SANITIZE_ADDRESS__
  suppress_libsoup_peer_certificate_leak ();
#endif
  return fault_server_start (0, args, NULL);
}

/* ---- the sources ------------------------------------------------------- */

static void
use_iot (void)
{
  g_autofree gchar *url = g_strdup_printf ("https://127.0.0.1:%u", iot_port);
  g_autofree gchar *cert = path_of (IOT_CERT);
  g_autofree gchar *key = path_of (IOT_KEY);
  g_autofree gchar *ca = path_of (IOT_CA);

  g_setenv ("AWS_IOT_CORE_CREDENTIAL_ENDPOINT", url, TRUE);
  g_setenv ("AWS_IOT_CORE_CERT", cert, TRUE);
  g_setenv ("AWS_IOT_CORE_PRIVATE_KEY", key, TRUE);
  g_setenv ("AWS_IOT_CORE_ROLE_ALIAS", ALIAS, TRUE);
  g_setenv ("AWS_IOT_CORE_THING_NAME", THING, TRUE);
  g_setenv ("AWS_KVS_CACERT_PATH", ca, TRUE);
}

static void
use_env (void)
{
  g_setenv ("AWS_ACCESS_KEY_ID", FAULT_AK, TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", FAULT_SK, TRUE);
}

static void
use_web_identity (FaultServer * server)
{
  g_autofree gchar *file = path_of ("web-identity-token");

  write_file ("web-identity-token", WEB_TOKEN);
  g_setenv ("AWS_WEB_IDENTITY_TOKEN_FILE", file, TRUE);
  g_setenv ("AWS_ROLE_ARN", "arn:aws:iam::" ACCOUNT ":role/web-role", TRUE);
  g_setenv ("AWS_ROLE_SESSION_NAME", "faults-credentials", TRUE);
  g_setenv ("AWS_ENDPOINT_URL_STS", server->endpoint, TRUE);
}

typedef enum
{
  PROFILE_STATIC,
  PROFILE_PROCESS,
  PROFILE_ASSUME_ROLE,
  PROFILE_SSO,
} ProfileKind;

static void
use_profile (FaultServer * server, ProfileKind kind)
{
  g_setenv ("AWS_PROFILE", "camera", TRUE);
  switch (kind) {
    case PROFILE_STATIC:
      write_file ("credentials", "[camera]\naws_access_key_id = " FAULT_AK
          "\naws_secret_access_key = " FAULT_SK "\n");
      break;
    case PROFILE_PROCESS:{
      g_autofree gchar *script = path_of ("process.sh");
      g_autofree gchar *config = g_strdup_printf ("[profile camera]\n"
          "credential_process = /bin/sh %s\n", script);

      write_file ("process.sh", "echo '{\"Version\": 1, \"AccessKeyId\": \""
          FAULT_AK "\", \"SecretAccessKey\": \"" FAULT_SK "\"}'\n");
      write_file ("config", config);
      break;
    }
    case PROFILE_ASSUME_ROLE:
      write_file ("credentials", "[base]\naws_access_key_id = " FAULT_AK
          "\naws_secret_access_key = " FAULT_SK "\n");
      write_file ("config", "[profile camera]\nrole_arn = arn:aws:iam::"
          ACCOUNT ":role/assumed-role\nsource_profile = base\n"
          "region = " FAULT_REGION "\n");
      g_setenv ("AWS_ENDPOINT_URL_STS", server->endpoint, TRUE);
      break;
    case PROFILE_SSO:{
      g_autofree gchar *sha1 = g_compute_checksum_for_string
          (G_CHECKSUM_SHA1, "my-sso", -1);
      g_autofree gchar *cache = g_strdup_printf (".aws/sso/cache/%s.json",
          sha1);
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr (GDateTime) later = g_date_time_add_hours (now, 1);
      g_autofree gchar *exp = g_date_time_format (later, "%Y-%m-%dT%H:%M:%SZ");
      g_autofree gchar *json = g_strdup_printf ("{\"startUrl\": "
          "\"https://example.awsapps.com/start\", \"region\": \""
          FAULT_REGION "\", \"accessToken\": \"" SSO_TOKEN "\", "
          "\"expiresAt\": \"%s\"}", exp);

      write_file ("config", "[profile camera]\nsso_session = my-sso\n"
          "sso_account_id = " ACCOUNT "\nsso_role_name = sso-role\n"
          "[sso-session my-sso]\n"
          "sso_start_url = https://example.awsapps.com/start\n"
          "sso_region = " FAULT_REGION "\n");
      write_file (cache, json);
      g_setenv ("AWS_ENDPOINT_URL_SSO", server->endpoint, TRUE);
      break;
    }
  }
}

static void
use_container (FaultServer * server)
{
  g_autofree gchar *uri = g_strconcat (server->endpoint, "/v1/credentials",
      NULL);

  g_setenv ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri, TRUE);
  g_setenv ("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN, TRUE);
}

static void
use_imds (FaultServer * server)
{
  g_unsetenv ("AWS_EC2_METADATA_DISABLED");
  g_setenv ("AWS_EC2_METADATA_SERVICE_ENDPOINT", server->endpoint, TRUE);
}

/* The levels of the chain, in its order. */
enum
{
  LEVEL_EXPLICIT,
  LEVEL_IOT,
  LEVEL_ENV,
  LEVEL_WEB_IDENTITY,
  LEVEL_PROFILE,
  LEVEL_CONTAINER,
  LEVEL_IMDS,
};

typedef struct
{
  gint level;
  ProfileKind profile;
  const gchar *source;          /* in the stats' credentials-source */
  gboolean vended;              /* by the service (expire, counted) */
} ChainCase;

static const ChainCase chain_cases[] = {
  {LEVEL_EXPLICIT, PROFILE_STATIC, "explicit", FALSE},
  {LEVEL_IOT, PROFILE_STATIC, "IoT", TRUE},
  {LEVEL_ENV, PROFILE_STATIC, "environment", FALSE},
  {LEVEL_WEB_IDENTITY, PROFILE_STATIC, "web identity", TRUE},
  {LEVEL_PROFILE, PROFILE_STATIC, "camera", FALSE},
  {LEVEL_PROFILE, PROFILE_PROCESS, "process", FALSE},
  {LEVEL_PROFILE, PROFILE_ASSUME_ROLE, "assumed-role", TRUE},
  {LEVEL_PROFILE, PROFILE_SSO, "SSO", TRUE},
  {LEVEL_CONTAINER, PROFILE_STATIC, "container", TRUE},
  {LEVEL_IMDS, PROFILE_STATIC, "IMDS", TRUE},
};

/* Every level from @level down is configured: the first must win. */
static void
configure_from (FaultServer * server, const ChainCase * c)
{
  if (c->level <= LEVEL_IOT)
    use_iot ();
  if (c->level <= LEVEL_ENV)
    use_env ();
  if (c->level <= LEVEL_WEB_IDENTITY)
    use_web_identity (server);
  if (c->level <= LEVEL_PROFILE)
    use_profile (server, c->level == LEVEL_PROFILE ? c->profile :
        PROFILE_STATIC);
  if (c->level <= LEVEL_CONTAINER)
    use_container (server);
  use_imds (server);
}

/* ---- the debug log ----------------------------------------------------- */

static GString *debug_log;
static GMutex debug_log_lock;

static void
log_fn (GstDebugCategory * category, GstDebugLevel level, const gchar * file,
    const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  const gchar *text = gst_debug_message_get (message);

  g_mutex_lock (&debug_log_lock);
  if (text && debug_log) {
    g_string_append (debug_log, text);
    g_string_append_c (debug_log, '\n');
  }
  g_mutex_unlock (&debug_log_lock);
}

/* GST_DEBUG=*:9, into debug_log. */
static void
capture_log (void)
{
  debug_log = g_string_new (NULL);
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (log_fn, NULL, NULL);
  gst_debug_set_active (TRUE);
  gst_debug_set_default_threshold (GST_LEVEL_MEMDUMP);
  gst_debug_set_threshold_from_string ("*:9", TRUE);
}

static void
assert_absent (const gchar * what, const gchar * secret)
{
  fail_if (strstr (debug_log->str, secret) != NULL, "the debug log has %s",
      what);
}

/* No secret of any source in the log: the keys, the tokens the service
 * vends, the web identity, SSO and container tokens, the device's private
 * key, signatures. */
static void
assert_log_clean (void)
{
  g_autofree gchar *key_path = path_of (IOT_KEY);
  g_autofree gchar *pem = NULL;
  g_auto (GStrv) lines = NULL;
  const gchar *p;

  gst_debug_set_default_threshold (GST_LEVEL_NONE);
  gst_debug_remove_log_function (log_fn);
  fail_unless (debug_log->len > 2000, "the debug log is short (%"
      G_GSIZE_FORMAT " bytes)", debug_log->len);
  fail_unless (strstr (debug_log->str, "credentials from") != NULL,
      "the debug log does not name the credentials' source");
  assert_absent ("the secret key", FAULT_SK);
  assert_absent ("a vended session token", VENDED_TOKEN_PREFIX);
  assert_absent ("the web identity token", WEB_TOKEN);
  assert_absent ("the SSO token", SSO_TOKEN);
  assert_absent ("the container token", CONTAINER_TOKEN);
  fail_unless (g_file_get_contents (key_path, &pem, NULL, NULL));
  lines = g_strsplit (pem, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i] && !g_str_has_prefix (lines[i], "-----"))
      assert_absent ("the private key", lines[i]);
  for (p = strstr (debug_log->str, "Signature="); p;
      p = strstr (p + 1, "Signature=")) {
    const gchar *v = p + strlen ("Signature=");
    guint n = 0;

    while (g_ascii_isxdigit (v[n]))
      n++;
    fail_if (n >= 64, "the debug log has a signature");
  }
  g_mutex_lock (&debug_log_lock);
  g_string_free (debug_log, TRUE);
  debug_log = NULL;
  g_mutex_unlock (&debug_log_lock);
}

/* ---- helpers ----------------------------------------------------------- */

static gchar *
stat_string (GstKvsSignalingClient * client, const gchar * field)
{
  g_autoptr (GstStructure) s = gst_kvs_signaling_client_get_stats (client);
  const gchar *v = gst_structure_get_string (s, field);

  return g_strdup (v);
}

static gint64
stat_expiration (GstKvsSignalingClient * client)
{
  g_autoptr (GstStructure) s = gst_kvs_signaling_client_get_stats (client);
  gint64 v = -1;

  fail_unless (gst_structure_get_int64 (s, "credentials-expiration", &v),
      "no credentials-expiration in %" GST_PTR_FORMAT, s);
  return v;
}

/* A master of @channel, credentials from the chain. */
static GstKvsSignalingClient *
chain_client (FaultServer * server, GstKvsRole role, const gchar * channel,
    const gchar * client_id)
{
  GstKvsSignalingClient *client = gst_kvs_signaling_client_new (role,
      channel);

  g_object_set (client, "endpoint", server->endpoint, "region", FAULT_REGION,
      NULL);
  if (client_id)
    g_object_set (client, "client-id", client_id, NULL);
  return client;
}

/* ---- tests ------------------------------------------------------------- */

/* Each source, with every source after it in the chain configured too:
 * it wins, its credentials are accepted by the service, the stats name it,
 * the debug log (GST_DEBUG=*:9) names it and holds no secret. */
GST_START_TEST (test_chain_source)
{
  const ChainCase *c = &chain_cases[__i__];
  FaultServer *server;
  GstKvsSignalingClient *client;
  FaultRecorder *rec;
  g_autofree gchar *source = NULL;
  gint64 vended;

  setup ();
  server = server_start (NULL);
  configure_from (server, c);
  capture_log ();
  client = chain_client (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  if (c->level == LEVEL_EXPLICIT)
    g_object_set (client, "access-key", FAULT_AK, "secret-key", FAULT_SK, NULL);
  rec = fault_recorder_new (client);
  fault_start (client);
  FAULT_WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 15);

  source = stat_string (client, "credentials-source");
  fail_unless (source != NULL, "no credentials-source in the stats");
  fail_unless (strstr (source, c->source) != NULL, "case %d: credentials "
      "from '%s', not from %s", __i__, source, c->source);
  vended = fault_counter (server, "credentialsVended");
  if (c->vended) {
    fail_unless (vended >= 1, "%s: the service vended nothing", source);
    fail_unless (stat_expiration (client) > g_get_real_time () / G_USEC_PER_SEC,
        "%s: no expiry in the stats", source);
  } else {
    fail_unless_equals_int (vended, 0);
    fail_unless_equals_int64 (stat_expiration (client), 0);
  }
  fail_unless_equals_int (fault_counter (server, "authFailures"), 0);
  fault_recorder_free (rec);
  assert_log_clean ();
  fault_server_free (server);
  teardown ();
}

GST_END_TEST;

/* ---- renewal ----------------------------------------------------------- */

typedef struct
{
  GstKvsSignalingClient *client;
  gint stop;
  guint sent;
  GThread *thread;
} Pump;

static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;

  while (!g_atomic_int_get (&pump->stop)) {
    g_autoptr (GstKvsMessage) msg = fault_numbered_candidate (NULL, pump->sent);
    g_autoptr (GError) error = NULL;

    fail_unless (gst_kvs_signaling_client_send (pump->client, msg, &error),
        "send %u refused: %s", pump->sent, error ? error->message : "?");
    pump->sent++;
    g_usleep (150 * 1000);
  }
  return NULL;
}

/* Waits (bounded) until @client reconnected @n times in all. */
static void
wait_reconnects (GstKvsSignalingClient * client, guint64 n)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (fault_stat (client, "reconnects") < n && g_get_monotonic_time () < end)
    g_usleep (50 * 1000);
  fail_unless (fault_stat (client, "reconnects") >= n, "%" G_GUINT64_FORMAT
      " reconnects, not %" G_GUINT64_FORMAT, fault_stat (client,
          "reconnects"), n);
}

/* Waits (bounded) until the service vended @n credential sets in all. */
static void
wait_vended (FaultServer * server, gint64 n)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (fault_counter (server, "credentialsVended") < n
      && g_get_monotonic_time () < end)
    g_usleep (50 * 1000);
  fail_unless (fault_counter (server, "credentialsVended") >= n,
      "not refetched: %" G_GINT64_FORMAT " sets vended, not %" G_GINT64_FORMAT,
      fault_counter (server, "credentialsVended"), n);
}

/* Waits (bounded) until the stats' expiry differs from @old. */
static gint64
wait_renewal (GstKvsSignalingClient * client, gint64 old, guint seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;
  gint64 now;

  while ((now = stat_expiration (client)) == old
      && g_get_monotonic_time () < end)
    g_usleep (100 * 1000);
  fail_if (now == old, "the credentials were not renewed in %u s", seconds);
  return now;
}

/* Credentials that live 15 s (container credentials): renewed ahead of
 * expiry while the WebSocket stays open; a GO_AWAY after the first set
 * expired reconnects with the renewed set (never refused); messages from
 * a viewer flowing all along all arrive, in order. */
GST_START_TEST (test_renewal_across_expiries)
{
  FaultServer *server;
  GstKvsSignalingClient *master, *viewer;
  FaultRecorder *mrec, *vrec;
  Pump pump = { 0, };
  gint64 e0, e1, e2;

  setup ();
  server = server_start ("15");
  use_container (server);
  master = chain_client (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  viewer = fault_client_new (server, GST_KVS_ROLE_VIEWER, CHANNEL,
      "renewal-viewer");
  mrec = fault_recorder_new (master);
  vrec = fault_recorder_new (viewer);
  fault_start (master);
  FAULT_WAIT_STATE (mrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  fault_start (viewer);
  FAULT_WAIT_STATE (vrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  e0 = stat_expiration (master);
  fail_unless (e0 > 0);

  pump.client = viewer;
  pump.thread = g_thread_new ("pump", pump_thread, &pump);

  /* renewed ahead of expiry, the connection untouched */
  e1 = wait_renewal (master, e0, 15);
  fail_unless (e1 > e0);
  fail_unless_equals_int (mrec->n_connected, 1);

  /* past the first set's expiry, the service sends GO_AWAY */
  while (g_get_real_time () / G_USEC_PER_SEC <= e0)
    g_usleep (100 * 1000);
  fail_unless_equals_int (fault_control_post (server, "go-away",
          "{\"channelName\": \"" CHANNEL "\", \"role\": \"master\"}"), 1);
  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->n_go_away >= 1, 10);
  wait_reconnects (master, 1);
  FAULT_WAIT_STATE (mrec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);

  /* renewed again (the second set) */
  e2 = wait_renewal (master, e1, 15);
  fail_unless (e2 > e1);

  g_atomic_int_set (&pump.stop, 1);
  g_thread_join (pump.thread);
  FAULT_WAIT (&mrec->lock, &mrec->cond, mrec->from_peers->len >= pump.sent, 10);
  fault_assert_numbered (mrec, pump.sent, "master");
  fail_unless (mrec->n_go_away >= 1);
  fail_unless (mrec->error == NULL);
  /* never signed with expired credentials */
  fail_unless_equals_int (fault_counter (server, "authFailures"), 0);

  fault_recorder_free (vrec);
  fault_recorder_free (mrec);
  fault_server_free (server);
  teardown ();
}

GST_END_TEST;

/* The service says the cached credentials expired (IMDS credentials
 * expired early through the control API): the client forgets them, fetches
 * new ones and is connected again: after a GO_AWAY (the replacement's
 * presigned URL refused) and after a drop (the reconnect refused, retried
 * at once). */
GST_START_TEST (test_expired_token_refetch)
{
  FaultServer *server;
  GstKvsSignalingClient *master;
  FaultRecorder *rec;
  gboolean immediate = FALSE;

  setup ();
  server = server_start (NULL);
  use_imds (server);
  master = chain_client (server, GST_KVS_ROLE_MASTER, CHANNEL, NULL);
  rec = fault_recorder_new (master);
  fault_start (master);
  FAULT_WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  fail_unless_equals_int (fault_counter (server, "credentialsVended"), 1);

  /* GO_AWAY: the replacement */
  fail_unless (fault_control_post (server, "expire-credentials", "{}") >= 1);
  fail_unless_equals_int (fault_control_post (server, "go-away",
          "{\"channelName\": \"" CHANNEL "\", \"role\": \"master\"}"), 1);
  wait_vended (server, 2);
  wait_reconnects (master, 1);
  FAULT_WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);

  /* a drop: the full reconnect */
  fail_unless (fault_control_post (server, "expire-credentials", "{}") >= 1);
  fail_unless_equals_int (fault_control_post (server, "drop",
          "{\"channelName\": \"" CHANNEL "\", \"role\": \"master\"}"), 1);
  wait_vended (server, 3);
  wait_reconnects (master, 2);
  FAULT_WAIT_STATE (rec, GST_KVS_SIGNALING_STATE_CONNECTED, 10);
  fail_unless (rec->error == NULL, "%s", rec->error ? rec->error->message : "");

  g_mutex_lock (&rec->lock);
  for (guint i = 0; i < rec->retries->len; i++) {
    KvsTestRetry *r = g_ptr_array_index (rec->retries, i);

    if (g_error_matches (r->error, GST_KVS_ERROR,
            GST_KVS_ERROR_SIGNATURE_EXPIRED) && r->retry_ms == 0)
      immediate = TRUE;
  }
  g_mutex_unlock (&rec->lock);
  fail_unless (immediate, "no immediate retry after the expired token");

  fault_recorder_free (rec);
  fault_server_free (server);
  teardown ();
}

GST_END_TEST;

/* ---- AWS IoT ----------------------------------------------------------- */

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
}

static void
check_bus (GstElement * pipeline)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    g_autoptr (GError) err = NULL;
    g_autofree gchar *dbg = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    gst_message_unref (msg);
    fail ("%s: %s (%s)", GST_OBJECT_NAME (pipeline), err->message,
        GST_STR_NULL (dbg));
  }
}

static gchar *
iot_props (FaultServer * server)
{
  g_autofree gchar *cert = path_of (IOT_CERT);
  g_autofree gchar *key = path_of (IOT_KEY);
  g_autofree gchar *ca = path_of (IOT_CA);

  return g_strdup_printf ("aws-region=" FAULT_REGION " endpoint=%s "
      "iot-endpoint=127.0.0.1:%u iot-certificate=%s iot-private-key=%s "
      "iot-role-alias=" ALIAS " iot-thing-name=" THING " ca-file=%s "
      "local-addresses=127.0.0.1", server->endpoint, iot_port, cert, key, ca);
}

/* A master (kvswebrtcsink) and a viewer (kvswebrtcsrc) provisioned with
 * AWS IoT only (no channel name: the thing's; no keys anywhere) stream
 * video through the service. */
GST_START_TEST (test_iot_master_viewer_stream)
{
  FaultServer *server;
  g_autofree gchar *props = NULL, *mdesc = NULL, *vdesc = NULL;
  g_autoptr (GError) err = NULL;
  GstElement *master, *viewer, *ws, *frames_sink;
  g_autofree gchar *channel = NULL, *source = NULL;
  gint frames = 0;
  gint64 end;

  setup ();
  server = server_start (NULL);
  props = iot_props (server);
  mdesc = g_strdup_printf ("videotestsrc is-live=true ! video/x-raw,width=320,"
      "height=240,framerate=30/1 ! vp8enc deadline=1 ! kvswebrtcsink name=ws "
      "%s", props);
  vdesc = g_strdup_printf ("kvswebrtcsrc name=src client-id=iot-viewer %s ! "
      "decodebin ! videoconvert ! fakesink name=frames signal-handoffs=true "
      "sync=false", props);
  master = gst_parse_launch (mdesc, &err);
  fail_unless (master != NULL, "%s", err ? err->message : "");
  viewer = gst_parse_launch (vdesc, &err);
  fail_unless (viewer != NULL, "%s", err ? err->message : "");
  frames_sink = gst_bin_get_by_name (GST_BIN (viewer), "frames");
  g_signal_connect (frames_sink, "handoff", G_CALLBACK (on_handoff), &frames);
  gst_object_unref (frames_sink);

  fail_if (gst_element_set_state (master, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_if (gst_element_set_state (viewer, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  end = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (g_atomic_int_get (&frames) < 30 && g_get_monotonic_time () < end) {
    check_bus (master);
    check_bus (viewer);
    g_usleep (50 * 1000);
  }
  check_bus (master);
  check_bus (viewer);
  fail_unless (g_atomic_int_get (&frames) >= 30, "%d frames decoded",
      g_atomic_int_get (&frames));

  /* the channel is the thing's, the credentials AWS IoT's */
  ws = gst_bin_get_by_name (GST_BIN (master), "ws");
  g_object_get (ws, "channel-name", &channel, NULL);
  gst_object_unref (ws);
  fail_unless (channel == NULL, "channel-name was set: %s", channel);
  {
    g_autofree gchar *conns = fault_control_get (server, "connections");

    fail_unless (strstr (conns, "\"channelName\":\"" THING "\"") ||
        strstr (conns, "\"channelName\": \"" THING "\""), "%s", conns);
  }
  fail_unless (fault_counter (server, "credentialsVended") >= 2);

  gst_element_set_state (viewer, GST_STATE_NULL);
  gst_element_set_state (master, GST_STATE_NULL);
  gst_object_unref (viewer);
  gst_object_unref (master);
  fault_server_free (server);
  teardown ();
}

GST_END_TEST;

/* An unreadable device certificate: a bus error naming the property and
 * the file, at once. */
GST_START_TEST (test_iot_bad_certificate)
{
  g_autoptr (GError) err = NULL;
  GstElement *pipeline = gst_parse_launch ("webrtcbin kvssignalingsink "
      "aws-region=us-west-2 endpoint=http://127.0.0.1:9 "
      "iot-endpoint=127.0.0.1:9 iot-role-alias=a iot-thing-name=thing "
      "iot-certificate=/nonexistent/dev.pem iot-private-key=/nonexistent/k",
      &err);
  g_autoptr (GstBus) bus = NULL;
  GstMessage *msg;

  fail_unless (pipeline != NULL);
  bus = gst_element_get_bus (pipeline);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "iot-certificate") &&
      strstr (err->message, "/nonexistent/dev.pem"), "%s", err->message);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

GST_END_TEST;

/* Without an endpoint, the control plane is the region's as the AWS SDKs
 * build it: FIPS and dual-stack from the environment. Nothing leaves the
 * machine: every request goes to a refused proxy on 127.0.0.1. */
GST_START_TEST (test_fips_dualstack_endpoint)
{
  g_autofree gchar *proxy = NULL;
  GstKvsSignalingClient *client;

  setup ();
  proxy = g_strdup_printf ("http://127.0.0.1:%u", free_port ());
  g_setenv ("https_proxy", proxy, TRUE);
  g_setenv ("AWS_USE_FIPS_ENDPOINT", "true", TRUE);
  g_setenv ("AWS_USE_DUALSTACK_ENDPOINT", "true", TRUE);
  debug_log = g_string_new (NULL);
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (log_fn, NULL, NULL);
  gst_debug_set_active (TRUE);
  gst_debug_set_threshold_from_string ("kvssignalingclient:4", TRUE);

  client = gst_kvs_signaling_client_new (GST_KVS_ROLE_MASTER, CHANNEL);
  g_object_set (client, "region", "us-west-2", "access-key", FAULT_AK,
      "secret-key", FAULT_SK, NULL);
  fault_start (client);
  gst_kvs_signaling_client_stop (client);
  g_object_unref (client);

  gst_debug_set_default_threshold (GST_LEVEL_NONE);
  gst_debug_remove_log_function (log_fn);
  fail_unless (strstr (debug_log->str,
          "via https://kinesisvideo-fips.us-west-2.api.aws") != NULL, "%s",
      debug_log->str);
  g_string_free (debug_log, TRUE);
  debug_log = NULL;
  g_unsetenv ("https_proxy");
  teardown ();
}

GST_END_TEST;

static Suite *
credentials_suite (void)
{
  Suite *s = suite_create ("faults_credentials");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, kvs_test_keep_openssl_at_exit, NULL);
  tcase_add_loop_test (tc, test_chain_source, 0, G_N_ELEMENTS (chain_cases));
  tcase_add_test (tc, test_renewal_across_expiries);
  tcase_add_test (tc, test_expired_token_refetch);
  tcase_add_test (tc, test_iot_master_viewer_stream);
  tcase_add_test (tc, test_iot_bad_certificate);
  tcase_add_test (tc, test_fips_dualstack_endpoint);
  return s;
}

GST_CHECK_MAIN (credentials);
