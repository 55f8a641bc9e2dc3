/* kvs-signaling-server: the AWS IoT credentials provider (--iot-listen):
 * mutual TLS with device certificates the test makes with the openssl CLI,
 * the role alias and the thing name checked, the credentials it vends
 * accepted by the signaling service. The real server process, 127.0.0.1.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include "kvsservertest.h"

static gchar *tmpdir;

static gchar *
test_path (const gchar * name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* openssl @args (a space-separated command line, no quoting needed) in
 * the temporary folder. */
static void
test_openssl (const gchar * args)
{
  g_autofree gchar *cmd = g_strdup_printf ("openssl %s", args);
  g_auto (GStrv) argv = g_strsplit (cmd, " ", -1);
  g_autofree gchar *err = NULL;
  g_autoptr (GError) error = NULL;
  gint status = 0;

  fail_unless (g_spawn_sync (tmpdir, argv, NULL, G_SPAWN_SEARCH_PATH |
          G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status,
          &error), "openssl: %s", error ? error->message : "");
  fail_unless (g_spawn_check_wait_status (status, NULL), "%s: %s", cmd, err);
}

#define EC "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

static void
test_make_certificates (void)
{
  g_autoptr (GError) error = NULL;

  tmpdir = g_dir_make_tmp ("kvs-iot-XXXXXX", &error);
  fail_unless (tmpdir != NULL, "%s", error ? error->message : "");
  /* the IoT CA and a device of thing-1 */
  test_openssl ("req -x509 " EC " -keyout ca.key -out ca.pem -days 2 "
      "-subj /CN=kvs-test-iot-ca");
  test_openssl ("req " EC " -keyout dev.key -out dev.csr -subj /CN=thing-1");
  test_openssl ("x509 -req -in dev.csr -CA ca.pem -CAkey ca.key "
      "-CAcreateserial -out dev.pem -days 2");
  /* a device certificate from another CA */
  test_openssl ("req -x509 " EC " -keyout rogue-ca.key -out rogue-ca.pem "
      "-days 2 -subj /CN=rogue-ca");
  test_openssl ("req " EC " -keyout rogue.key -out rogue.csr "
      "-subj /CN=thing-1");
  test_openssl ("x509 -req -in rogue.csr -CA rogue-ca.pem -CAkey "
      "rogue-ca.key -CAcreateserial -out rogue.pem -days 2");
  /* the service's certificate for 127.0.0.1 */
  test_openssl ("req -x509 " EC " -keyout server.key -out server.pem "
      "-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1");
}

static void
test_remove_certificates (void)
{
  g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *path = test_path (name);

    g_unlink (path);
  }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

#ifdef __SANITIZE_ADDRESS__
/* libsoup 3.2 never drops the reference a SoupServerMessage takes on the
 * client's certificate (soup_server_message_finalize() does not clear
 * tls_peer_certificate; still so in libsoup 3.6): one certificate, created
 * by glib-networking in the handshake, leaks per mutual-TLS request. Only
 * the IoT server process of this test gets a suppression of it: the
 * project's lsan.supp plus that module. */
static void
test_suppress_libsoup_peer_certificate_leak (void)
{
  const gchar *options = g_getenv ("LSAN_OPTIONS");
  const gchar *p = options ? strstr (options, "suppressions=") : NULL;
  g_autofree gchar *old_path = NULL;
  g_autofree gchar *old = NULL;
  g_autofree gchar *path = test_path ("lsan-iot.supp");
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

static KvsTestServer *
test_start (void)
{
  g_autofree gchar *ca = test_path ("ca.pem");
  g_autofree gchar *cert = test_path ("server.pem");
  g_autofree gchar *key = test_path ("server.key");
  const gchar *extra[] = { "--iot-listen", "127.0.0.1:0", "--iot-ca-cert", ca,
    "--iot-tls-cert", cert, "--iot-tls-key", key, "--iot-role-alias",
    "kvs-camera-alias", "--create-channel", "thing-1", NULL
  };
  KvsTestServer *s;

#ifdef __SANITIZE_ADDRESS__
  test_suppress_libsoup_peer_certificate_leak ();
#endif
  s = kvs_test_server_start (extra);
  fail_unless (g_str_has_prefix (s->iot_url, "https://127.0.0.1:"), "%s",
      s->iot_url);
  return s;
}

typedef struct
{
  guint status;                 /* 0: no HTTP reply (TLS refused) */
  gchar *text;
} IotReply;

static void
iot_reply_free (IotReply * r)
{
  g_free (r->text);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IotReply, iot_reply_free);

/* GET @path on the IoT port with the device certificate @device ("dev",
 * "rogue"; NULL: none) and the thing name @thing. */
static IotReply *
test_iot_get (KvsTestServer * s, const gchar * path, const gchar * device,
    const gchar * thing)
{
  g_autofree gchar *server_ca = test_path ("server.pem");
  g_autoptr (GTlsDatabase) db = NULL;
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = g_strdup_printf ("%s%s", s->iot_url, path);
  IotReply *r = g_new0 (IotReply, 1);

  db = g_tls_file_database_new (server_ca, &error);
  fail_unless (db != NULL, "%s", error ? error->message : "");
  session = soup_session_new_with_options ("timeout", 10, "tls-database", db,
      NULL);
  msg = soup_message_new ("GET", url);
  if (device) {
    g_autofree gchar *name = g_strdup_printf ("%s.pem", device);
    g_autofree gchar *kname = g_strdup_printf ("%s.key", device);
    g_autofree gchar *cert_path = test_path (name);
    g_autofree gchar *key_path = test_path (kname);
    g_autoptr (GTlsCertificate) cert =
        g_tls_certificate_new_from_files (cert_path, key_path, &error);

    fail_unless (cert != NULL, "%s", error ? error->message : "");
    soup_message_set_tls_client_certificate (msg, cert);
  }
  if (thing)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "x-amzn-iot-thingname", thing);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  if (body) {
    r->status = soup_message_get_status (msg);
    r->text = g_strndup (g_bytes_get_data (body, NULL),
        g_bytes_get_size (body));
  } else {
    GST_DEBUG ("GET %s: %s", path, error->message);
  }
  return r;
}

GST_START_TEST (test_iot_credentials)
{
  KvsTestServer *s;
  g_autoptr (IotReply) ok = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (KvsTestReply) use = NULL;
  g_autoptr (GDateTime) exp = NULL;
  JsonObject *c;

  test_make_certificates ();
  s = test_start ();
  ok = test_iot_get (s, "/role-aliases/kvs-camera-alias/credentials", "dev",
      "thing-1");
  fail_unless_equals_int (ok->status, 200);
  fail_unless (json_parser_load_from_data (parser, ok->text, -1, NULL), "%s",
      ok->text);
  c = json_object_get_object_member (json_node_get_object
      (json_parser_get_root (parser)), "credentials");
  fail_unless (c != NULL, "%s", ok->text);
  exp = g_date_time_new_from_iso8601 (json_object_get_string_member (c,
          "expiration"), NULL);
  fail_unless (exp != NULL, "%s", ok->text);

  /* the signaling service accepts them */
  {
    g_autofree gchar *url = g_strdup_printf ("%s/describeSignalingChannel",
        s->url);
    g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr (GBytes) req = g_bytes_new_static ("{\"ChannelName\":"
        "\"thing-1\"}", strlen ("{\"ChannelName\":\"thing-1\"}"));
    g_autoptr (GstKvsCredentials) creds =
        gst_kvs_credentials_new (json_object_get_string_member (c,
            "accessKeyId"), json_object_get_string_member (c,
            "secretAccessKey"), json_object_get_string_member (c,
            "sessionToken"), "iot");
    g_autoptr (GBytes) reply = NULL;

    soup_message_set_request_body_from_bytes (msg, "application/json", req);
    fail_unless (gst_kvs_sigv4_sign_message (msg, req, creds,
            KVS_TEST_REGION, GST_KVS_SIGV4_SERVICE, NULL, NULL));
    reply = soup_session_send_and_read (s->rest, msg, NULL, NULL);
    fail_unless_equals_int (soup_message_get_status (msg), 200);
  }
  kvs_test_server_stop (s);
  test_remove_certificates ();
}

GST_END_TEST;

GST_START_TEST (test_iot_refusals)
{
  KvsTestServer *s;

  test_make_certificates ();
  s = test_start ();
  {
    /* the thing name is not the certificate's */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", "dev", "thing-2");

    fail_unless_equals_int (r->status, 403);
    fail_unless (strstr (r->text, "\"message\"") != NULL, "%s", r->text);
  }
  {
    /* unknown role alias */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/other-alias/credentials", "dev", "thing-1");

    fail_unless_equals_int (r->status, 404);
  }
  {
    /* no thing name */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", "dev", NULL);

    fail_unless_equals_int (r->status, 400);
  }
  {
    /* a certificate from another CA: no credentials (TLS or 403) */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", "rogue", "thing-1");

    fail_unless (r->status == 0 || r->status == 403, "%u %s", r->status,
        r->text);
    fail_if (r->text && strstr (r->text, "accessKeyId"), "%s", r->text);
  }
  {
    /* no client certificate: the handshake fails */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", NULL, "thing-1");

    fail_unless (r->status == 0 || r->status == 403, "%u %s", r->status,
        r->text);
    fail_if (r->text && strstr (r->text, "accessKeyId"), "%s", r->text);
  }
  {
    g_autoptr (KvsTestReply) counters = kvs_test_control (s, "GET",
        "/_control/counters", NULL);

    fail_unless_equals_int (kvs_test_reply_int (counters,
            "credentialsVended"), 0);
  }
  kvs_test_server_stop (s);
  test_remove_certificates ();
}

GST_END_TEST;

static Suite *
server_iot_suite (void)
{
  Suite *s = suite_create ("server_iot");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_iot_credentials);
  tcase_add_test (tc, test_iot_refusals);
  return s;
}

GST_CHECK_MAIN (server_iot);
