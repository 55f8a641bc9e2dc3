/* kvs-signaling-server: the AWS IoT credentials provider (--iot-listen):
 * the service's own CA (--iot-ca-dir: created, kept 0600, loaded again at
 * the next start), the device certificates it issues (--iot-thing files,
 * POST /_control/iot-certificate as CreateKeysAndCertificate answers),
 * mutual TLS with them, the role alias and the thing name checked, the
 * credentials it vends accepted by the signaling service; a device
 * certificate of another service's CA refused. The real server processes,
 * 127.0.0.1.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include "kvsservertest.h"

static gchar *tmpdir;

static gchar *
test_path (const gchar * name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static void
test_make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;

  tmpdir = g_dir_make_tmp ("kvs-iot-XXXXXX", &error);
  fail_unless (tmpdir != NULL, "%s", error ? error->message : "");
}

static void
test_remove_tree (const gchar * path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree gchar *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      test_remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static void
test_remove_tmpdir (void)
{
  test_remove_tree (tmpdir);
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

/* The service with its IoT CA in TMP/@ca_dir, the role alias
 * kvs-camera-alias, channel thing-1 and @extra (NULL-terminated, up to 4),
 * the environment variables @envp added. */
static KvsTestServer *
test_start_env (const gchar * ca_dir, const gchar * const *extra,
    const gchar * const *envp)
{
  g_autofree gchar *dir = test_path (ca_dir);
  const gchar *args[16] = { "--iot-listen", "127.0.0.1:0", "--iot-ca-dir",
    dir, "--iot-role-alias", "kvs-camera-alias", "--create-channel",
    "thing-1", NULL
  };
  guint n = 8;
  KvsTestServer *s;

  for (guint i = 0; extra && extra[i]; i++)
    args[n++] = extra[i];
  args[n] = NULL;
#ifdef __SANITIZE_ADDRESS__
  test_suppress_libsoup_peer_certificate_leak ();
#endif
  s = kvs_test_server_start_with_env (args, envp);
  fail_unless (g_str_has_prefix (s->iot_url, "https://127.0.0.1:"), "%s",
      s->iot_url);
  return s;
}

static KvsTestServer *
test_start_full (const gchar * ca_dir, const gchar * const *extra)
{
  return test_start_env (ca_dir, extra, NULL);
}

static KvsTestServer *
test_start (void)
{
  return test_start_full ("ca", NULL);
}

/* A device certificate (with its key) for @thing from @s's CA:
 * POST /_control/iot-certificate. */
static GTlsCertificate *
test_issue_device (KvsTestServer * s, const gchar * thing)
{
  g_autofree gchar *body = g_strdup_printf ("{\"thingName\":\"%s\"}", thing);
  g_autoptr (KvsTestReply) r = kvs_test_control (s, "POST",
      "/_control/iot-certificate", body);
  g_autofree gchar *pem = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *id, *arn, *cert, *key;
  GTlsCertificate *tls;

  fail_unless_equals_int (r->status, 200);
  id = kvs_test_reply_string (r, "certificateId");
  arn = kvs_test_reply_string (r, "certificateArn");
  cert = kvs_test_reply_string (r, "certificatePem");
  key = kvs_test_reply_string (r, "keyPair.PrivateKey");
  fail_unless (id && strlen (id) == 64, "certificateId %s", GST_STR_NULL (id));
  fail_unless (arn && g_str_has_prefix (arn, "arn:aws:iot:" KVS_TEST_REGION
          ":123456789012:cert/") && g_str_has_suffix (arn, id), "%s",
      GST_STR_NULL (arn));
  fail_unless (cert && g_str_has_prefix (cert, "-----BEGIN CERTIFICATE-----"));
  fail_unless (key && g_str_has_prefix (key, "-----BEGIN PRIVATE KEY-----"));
  fail_unless (g_str_has_prefix (kvs_test_reply_string (r,
              "keyPair.PublicKey"), "-----BEGIN PUBLIC KEY-----"));
  pem = g_strconcat (cert, key, NULL);
  tls = g_tls_certificate_new_from_pem (pem, -1, &error);
  fail_unless (tls != NULL, "%s", error ? error->message : "");
  return tls;
}

/* The device certificate --iot-thing @thing wrote in TMP/@ca_dir. */
static GTlsCertificate *
test_device_files (const gchar * ca_dir, const gchar * thing)
{
  g_autofree gchar *cert_name = g_strdup_printf ("%s/%s.cert.pem", ca_dir,
      thing);
  g_autofree gchar *key_name = g_strdup_printf ("%s/%s.private.key", ca_dir,
      thing);
  g_autofree gchar *cert_path = test_path (cert_name);
  g_autofree gchar *key_path = test_path (key_name);
  g_autoptr (GError) error = NULL;
  GTlsCertificate *tls =
      g_tls_certificate_new_from_files (cert_path, key_path, &error);

  fail_unless (tls != NULL, "%s", error ? error->message : "");
  return tls;
}

/* @name in TMP: mode @mode (permission bits). */
static void
test_expect_mode (const gchar * name, guint mode)
{
  g_autofree gchar *path = test_path (name);
  GStatBuf st;

  fail_unless (g_stat (path, &st) == 0, "%s: missing", path);
  fail_unless_equals_int (st.st_mode & 0777, mode);
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

/* GET @path on the IoT port with the device certificate @device (NULL:
 * none) and the thing name @thing, trusting @s's CA (TMP/@ca_dir/ca.pem). */
static IotReply *
test_iot_get_full (KvsTestServer * s, const gchar * ca_dir,
    const gchar * path, GTlsCertificate * device, const gchar * thing)
{
  g_autofree gchar *ca_name = g_strdup_printf ("%s/ca.pem", ca_dir);
  g_autofree gchar *server_ca = test_path (ca_name);
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
  if (device)
    soup_message_set_tls_client_certificate (msg, device);
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

static IotReply *
test_iot_get (KvsTestServer * s, const gchar * path, GTlsCertificate * device,
    const gchar * thing)
{
  return test_iot_get_full (s, "ca", path, device, thing);
}

/* The credentials of a device certificate the service issued at start
 * (--iot-thing: files in the CA's folder, 0600 like the CA's key), and the
 * signaling service accepts them. */
GST_START_TEST (test_iot_credentials)
{
  const gchar *extra[] = { "--iot-thing", "thing-1", NULL };
  KvsTestServer *s;
  g_autoptr (IotReply) ok = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GDateTime) exp = NULL;
  g_autoptr (GTlsCertificate) device = NULL;
  JsonObject *c;

  test_make_tmpdir ();
  s = test_start_full ("ca", extra);
  test_expect_mode ("ca", 0700);
  test_expect_mode ("ca/ca.key", 0600);
  test_expect_mode ("ca/ca.pem", 0600);
  test_expect_mode ("ca/thing-1.private.key", 0600);
  test_expect_mode ("ca/thing-1.cert.pem", 0600);
  device = test_device_files ("ca", "thing-1");
  ok = test_iot_get (s, "/role-aliases/kvs-camera-alias/credentials", device,
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
  test_remove_tmpdir ();
}

GST_END_TEST;

/* The CA outlives the service: the next start with the same folder loads
 * it (ca.pem unchanged), and a device provisioned by the first run (POST
 * /_control/iot-certificate, as CreateKeysAndCertificate) still gets
 * credentials. */
GST_START_TEST (test_iot_ca_kept)
{
  KvsTestServer *s;
  g_autoptr (GTlsCertificate) device = NULL;
  g_autofree gchar *ca_path = NULL;
  g_autofree gchar *first = NULL, *second = NULL;

  test_make_tmpdir ();
  ca_path = test_path ("ca/ca.pem");
  s = test_start ();
  device = test_issue_device (s, "thing-1");
  kvs_test_server_stop (s);
  fail_unless (g_file_get_contents (ca_path, &first, NULL, NULL));

  s = test_start ();
  fail_unless (g_file_get_contents (ca_path, &second, NULL, NULL));
  fail_unless_equals_string (second, first);
  {
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", device, "thing-1");

    fail_unless_equals_int (r->status, 200);
    fail_unless (strstr (r->text, "accessKeyId") != NULL, "%s", r->text);
  }
  kvs_test_server_stop (s);
  test_remove_tmpdir ();
}

GST_END_TEST;

/* Bad input of the CA and of the control endpoint: a precise error. */
GST_START_TEST (test_iot_ca_bad_input)
{
  KvsTestServer *s;

  test_make_tmpdir ();
  s = test_start ();
  {
    g_autoptr (KvsTestReply) r = kvs_test_control (s, "POST",
        "/_control/iot-certificate", "{\"thingName\":\"a/b\"}");

    fail_unless_equals_int (r->status, 400);
    fail_unless (strstr (r->text, "thing name") != NULL, "%s", r->text);
  }
  {
    g_autoptr (KvsTestReply) r = kvs_test_control (s, "POST",
        "/_control/iot-certificate", "{}");

    fail_unless_equals_int (r->status, 400);
    fail_unless (strstr (r->text, "thingName") != NULL, "%s", r->text);
  }
  kvs_test_server_stop (s);
  {
    /* ca.pem without its key */
    g_autofree gchar *key = test_path ("ca/ca.key");
    g_autofree gchar *dir = test_path ("ca");
    const gchar *argv[] = { "--no-auth", "--no-turn", "--listen",
      "127.0.0.1:0", "--iot-listen", "127.0.0.1:0", "--iot-ca-dir", dir,
      NULL
    };
    g_autofree gchar *out = NULL, *err = NULL;

    fail_unless (g_unlink (key) == 0);
    fail_unless_equals_int (kvs_test_server_run (argv, NULL, &out, &err), 1);
    fail_unless (strstr (err, "ca.pem without ca.key") != NULL, "%s", err);
  }
  test_remove_tmpdir ();
}

GST_END_TEST;

/* The second line of PEM @pem (the first 64 base64 characters of the
 * key). */
static gchar *
test_pem_line (const gchar * pem)
{
  g_auto (GStrv) lines = g_strsplit (pem, "\n", 3);

  fail_unless (lines[0] && lines[1] && strlen (lines[1]) >= 32, "%s", pem);
  return g_strdup (lines[1]);
}

/* No private key (the CA's, the devices', the server's) and no vended
 * secret in the service's GST_DEBUG=*:9 log. */
GST_START_TEST (test_iot_secrets_not_logged)
{
  const gchar *extra[] = { "--iot-thing", "thing-1", NULL };
  g_autofree gchar *log_path = NULL, *log_env = NULL, *log = NULL;
  g_autofree gchar *ca_key = NULL, *dev_key = NULL;
  g_autofree gchar *ca_key_path = NULL, *dev_key_path = NULL;
  g_autofree gchar *issued_key = NULL, *secret = NULL;
  g_autoptr (GTlsCertificate) device = NULL;
  KvsTestServer *s;

  test_make_tmpdir ();
  log_path = test_path ("server.log");
  log_env = g_strconcat ("GST_DEBUG_FILE=", log_path, NULL);
  {
    const gchar *envp[] = { "GST_DEBUG=*:9", "GST_DEBUG_NO_COLOR=1", log_env,
      NULL
    };

    s = test_start_env ("ca", extra, envp);
  }
  {
    g_autoptr (KvsTestReply) r = kvs_test_control (s, "POST",
        "/_control/iot-certificate", "{\"thingName\":\"thing-2\"}");

    fail_unless_equals_int (r->status, 200);
    issued_key = test_pem_line (kvs_test_reply_string (r,
            "keyPair.PrivateKey"));
  }
  device = test_device_files ("ca", "thing-1");
  {
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", device, "thing-1");
    g_autoptr (JsonParser) parser = json_parser_new ();

    fail_unless_equals_int (r->status, 200);
    fail_unless (json_parser_load_from_data (parser, r->text, -1, NULL));
    secret =
        g_strdup (json_object_get_string_member (json_object_get_object_member
            (json_node_get_object (json_parser_get_root (parser)),
                "credentials"), "secretAccessKey"));
  }
  kvs_test_server_stop (s);

  ca_key_path = test_path ("ca/ca.key");
  dev_key_path = test_path ("ca/thing-1.private.key");
  fail_unless (g_file_get_contents (ca_key_path, &ca_key, NULL, NULL));
  fail_unless (g_file_get_contents (dev_key_path, &dev_key, NULL, NULL));
  fail_unless (g_file_get_contents (log_path, &log, NULL, NULL));
  /* the log is there, and says what was issued */
  fail_unless (strstr (log, "thing-2") != NULL, "no debug log");
  fail_if (strstr (log, "PRIVATE KEY") != NULL, "a private key in the log");
  {
    g_autofree gchar *ca_line = test_pem_line (ca_key);
    g_autofree gchar *dev_line = test_pem_line (dev_key);

    fail_if (strstr (log, ca_line) != NULL, "the CA's key in the log");
    fail_if (strstr (log, dev_line) != NULL, "a device key in the log");
    fail_if (strstr (log, issued_key) != NULL, "an issued key in the log");
    fail_if (strstr (log, secret) != NULL, "a vended secret in the log");
  }
  test_remove_tmpdir ();
}

GST_END_TEST;

GST_START_TEST (test_iot_refusals)
{
  KvsTestServer *s, *other;
  g_autoptr (GTlsCertificate) dev = NULL;
  g_autoptr (GTlsCertificate) rogue = NULL;

  test_make_tmpdir ();
  s = test_start ();
  dev = test_issue_device (s, "thing-1");
  /* a device certificate of thing-1 from another service's CA */
  other = test_start_full ("other-ca", NULL);
  rogue = test_issue_device (other, "thing-1");
  kvs_test_server_stop (other);
  {
    /* the thing name is not the certificate's */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", dev, "thing-2");

    fail_unless_equals_int (r->status, 403);
    fail_unless (strstr (r->text, "\"message\"") != NULL, "%s", r->text);
  }
  {
    /* unknown role alias */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/other-alias/credentials", dev, "thing-1");

    fail_unless_equals_int (r->status, 404);
  }
  {
    /* no thing name */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", dev, NULL);

    fail_unless_equals_int (r->status, 400);
  }
  {
    /* a certificate from another CA: no credentials (TLS or 403) */
    g_autoptr (IotReply) r = test_iot_get (s,
        "/role-aliases/kvs-camera-alias/credentials", rogue, "thing-1");

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
  test_remove_tmpdir ();
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
  tcase_add_test (tc, test_iot_ca_kept);
  tcase_add_test (tc, test_iot_ca_bad_input);
  tcase_add_test (tc, test_iot_refusals);
  tcase_add_test (tc, test_iot_secrets_not_logged);
  return s;
}

GST_CHECK_MAIN (server_iot);
