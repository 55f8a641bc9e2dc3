/* kvs-signaling-server: command line, start line, credentials, exit status.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gstdio.h>
#include "kvsservertest.h"

static const gchar *documented_options[] = {
  "--listen", "--region", "--access-key", "--secret-key", "--no-auth",
  "--message-ttl", "--idle-timeout", "--max-connection-duration",
  "--go-away-grace", "--max-viewers", "--max-connects-per-second",
  "--max-frame-size", "--max-queue",
  "--turn-uri", "--turn-secret", "--no-turn", "--control", "--keep-alive",
  "--tls-cert",
  "--tls-key",
  "--create-channel", "--viewer-dir", "--version",
  "--credential-ttl", "--emulate-credentials", "--web-identity-token",
  "--instance-role", "--container-token", "--sso-token", "--iot-listen",
  "--iot-ca-cert", "--iot-ca-dir", "--iot-thing", "--iot-tls-cert",
  "--iot-tls-key", "--iot-role-alias", NULL
};

/* GST_DEBUG_CATEGORY_INIT of tools/kvs-signaling-server/ */
static const gchar *real_categories[] = {
  "kvsserver ", "kvsserverchannel", "kvsserverconnection", "kvsservercontrol",
  "kvsviewerpage", "kvsservercredentials", "kvsserversts", "kvsserverimds",
  "kvsservercontainer", "kvsserversso", "kvsserveriot", "kvsserveriotca",
  "kvsserverkeepalive", "kvsserverturn", NULL
};

GST_START_TEST (test_help_documents_every_option)
{
  const gchar *argv[] = { "--help", NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  guint i;

  fail_unless_equals_int (kvs_test_server_run (argv, NULL, &out, &err), 0);
  for (i = 0; documented_options[i]; i++)
    fail_unless (strstr (out, documented_options[i]) != NULL,
        "--help does not document %s", documented_options[i]);
  fail_unless (strstr (out, "listening on") != NULL);
  /* the debug categories the service really registers */
  for (i = 0; real_categories[i]; i++)
    fail_unless (strstr (out, real_categories[i]) != NULL,
        "--help does not name the debug category %s", real_categories[i]);
  fail_if (strstr (out, "kvscontrolapi") != NULL, "%s", out);
}

GST_END_TEST;

GST_START_TEST (test_version)
{
  const gchar *argv[] = { "--version", NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  guint i;

  /* No credentials needed to ask for the version. */
  fail_unless_equals_int (kvs_test_server_run (argv, NULL, &out, &err), 0);
  fail_unless_equals_string (out, "kvs-signaling-server " VERSION "\n");
  /* nothing on stderr but GStreamer's own debug log, if GST_DEBUG asks
   * for one (the leaks tracer stage does) */
  {
    g_auto (GStrv) lines = g_strsplit (err, "\n", -1);

    for (i = 0; lines[i]; i++)
      fail_unless (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "0:"),
          "--version wrote to stderr: %s", lines[i]);
  }
}

GST_END_TEST;

static void
check_usage_error (const gchar * const *argv, const gchar * expected)
{
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;

  fail_unless_equals_int (kvs_test_server_run (argv, NULL, &out, &err), 2);
  fail_unless_equals_string (out, "");
  fail_unless (strstr (err, expected) != NULL, "stderr '%s' lacks '%s'", err,
      expected);
}

GST_START_TEST (test_usage_errors_exit_2)
{
  const gchar *unknown[] = { "--no-auth", "--bogus", NULL };
  const gchar *listen[] = { "--no-auth", "--listen", "nohost", NULL };
  const gchar *listen_port[] = { "--no-auth", "--listen", "127.0.0.1:70000",
    NULL
  };
  const gchar *viewers[] = { "--no-auth", "--max-viewers", "0", NULL };
  const gchar *connects[] = { "--no-auth", "--max-connects-per-second", "-1",
    NULL
  };
  const gchar *ttl[] = { "--no-auth", "--message-ttl", "121", NULL };
  const gchar *frame[] = { "--no-auth", "--max-frame-size", "10", NULL };
  const gchar *turn[] = { "--no-auth", "--turn-uri", "turn:127.0.0.1:3478",
    NULL
  };
  const gchar *no_turn[] = { "--no-auth", "--no-turn", "--turn-uri",
    "turn:127.0.0.1:3478", "--turn-secret", "s", NULL
  };
  const gchar *key[] = { "--no-auth", "--tls-key", "/nonexistent", NULL };
  const gchar *extra[] = { "--no-auth", "stray", NULL };
  const gchar *iot_both[] = { "--no-auth", "--iot-listen", "127.0.0.1:0",
    "--iot-ca-cert", "/tmp/ca.pem", "--iot-ca-dir", "/tmp/x", NULL
  };
  const gchar *iot_thing[] = { "--no-auth", "--iot-listen", "127.0.0.1:0",
    "--iot-thing", "a/b", NULL
  };
  const gchar *iot_alone[] = { "--no-auth", "--iot-thing", "t", NULL };

  check_usage_error (unknown, "--bogus");
  check_usage_error (listen, "--listen 'nohost'");
  check_usage_error (listen_port, "--listen '127.0.0.1:70000'");
  check_usage_error (viewers, "--max-viewers 0");
  check_usage_error (connects, "--max-connects-per-second -1");
  check_usage_error (ttl, "--message-ttl 121");
  check_usage_error (frame, "--max-frame-size 10");
  check_usage_error (turn, "--turn-uri and --turn-secret go together");
  check_usage_error (no_turn, "--no-turn and --turn-uri exclude each other");
  check_usage_error (key, "--tls-key needs --tls-cert");
  check_usage_error (extra, "unexpected argument 'stray'");
  check_usage_error (iot_both, "--iot-ca-cert (a given CA, without its key) "
      "excludes --iot-ca-dir");
  check_usage_error (iot_thing, "--iot-thing 'a/b': a thing name is");
  check_usage_error (iot_alone, "need --iot-listen");
}

GST_END_TEST;

GST_START_TEST (test_refuses_to_start_without_credentials)
{
  const gchar *none[] = { "--listen", "127.0.0.1:0", NULL };
  const gchar *half[] = { "--listen", "127.0.0.1:0", "--access-key", "AK",
    NULL
  };
  /* Empty variables count as unset. */
  const gchar *env[] = { "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", NULL };
  const gchar *env_half[] = { "AWS_ACCESS_KEY_ID=AK",
    "AWS_SECRET_ACCESS_KEY=", NULL
  };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;

  fail_unless_equals_int (kvs_test_server_run (none, env, &out, &err), 2);
  fail_unless_equals_string (out, "");
  fail_unless (strstr (err, "refusing to start without credentials") != NULL,
      "%s", err);
  fail_unless (strstr (err, "--no-auth") != NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  fail_unless_equals_int (kvs_test_server_run (half, env, &out, &err), 2);
  fail_unless (strstr (err, "refusing to start without credentials") != NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  fail_unless_equals_int (kvs_test_server_run (none, env_half, &out, &err), 2);
  fail_unless (strstr (err, "refusing to start without credentials") != NULL);
}

GST_END_TEST;

/* Starts the server with @argv and @envp, reads its start line, and leaves
 * it running; the caller stops it with kvs_test_server_stop(). */
static KvsTestServer *
start_custom (const gchar * const *argv, const gchar * const *envp,
    const gchar * scheme_host_prefix)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  g_autofree gchar *prefix = NULL;
  KvsTestServer *s;
  guint i;

  g_ptr_array_add (args, (gpointer) kvs_test_server_path ());
  for (i = 0; argv[i]; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  for (i = 0; envp && envp[i]; i++) {
    g_auto (GStrv) kv = g_strsplit (envp[i], "=", 2);
    g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
  }
  s = g_new0 (KvsTestServer, 1);
  s->proc = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) args->pdata, &error);
  fail_unless (s->proc != NULL);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  prefix = g_strdup_printf ("kvs-signaling-server listening on %s",
      scheme_host_prefix);
  fail_unless (line && g_str_has_prefix (line, prefix), "start line '%s'",
      GST_STR_NULL (line));
  s->url = g_strdup (line + strlen ("kvs-signaling-server listening on "));
  s->authority = g_strdup (strstr (s->url, "://") + 3);
  s->port = atoi (strrchr (s->authority, ':') + 1);
  fail_unless (s->port > 0);
  s->rest = soup_session_new_with_options ("timeout", 10, NULL);
  s->ws = soup_session_new_with_options ("timeout", 10, NULL);
  return s;
}

GST_START_TEST (test_credentials_from_environment)
{
  const gchar *argv[] = { "--listen", "127.0.0.1:0", NULL };
  const gchar *envp[] = { "AWS_ACCESS_KEY_ID=" KVS_TEST_ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY=" KVS_TEST_SECRET_KEY, "AWS_REGION=eu-west-1",
    NULL
  };
  KvsTestServer *s = start_custom (argv, envp, "http://127.0.0.1:");
  g_autoptr (KvsTestReply) ok = NULL;
  g_autoptr (KvsTestReply) bad = NULL;
  g_autoptr (KvsTestReply) scope = NULL;
  g_autoptr (KvsTestReply) control = NULL;

  /* The region comes from AWS_REGION: in ARNs and the accepted scope. */
  ok = kvs_test_rest_full (s, "POST", "/createSignalingChannel",
      "{\"ChannelName\":\"env\"}", NULL, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, "eu-west-1", NULL);
  fail_unless_equals_int (ok->status, 200);
  fail_unless (g_str_has_prefix (kvs_test_reply_string (ok, "ChannelARN"),
          "arn:aws:kinesisvideo:eu-west-1:"));

  bad = kvs_test_rest_full (s, "POST", "/describeSignalingChannel",
      "{\"ChannelName\":\"env\"}", NULL, KVS_TEST_ACCESS_KEY, "wrong-secret",
      "eu-west-1", NULL);
  fail_unless_equals_int (bad->status, 403);

  scope = kvs_test_rest_full (s, "POST", "/describeSignalingChannel",
      "{\"ChannelName\":\"env\"}", NULL, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, "us-west-2", NULL);
  fail_unless_equals_int (scope->status, 403);

  /* No --control: no control API. */
  control = kvs_test_control (s, "GET", "/_control/counters", NULL);
  fail_unless_equals_int (control->status, 404);

  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_no_auth_accepts_unsigned_requests)
{
  const gchar *argv[] = { "--listen", "127.0.0.1:0", "--no-auth",
    "--create-channel", "one", "--create-channel", "two", NULL
  };
  const gchar *envp[] = { "AWS_REGION=", "AWS_DEFAULT_REGION=", NULL };
  KvsTestServer *s = start_custom (argv, envp, "http://127.0.0.1:");
  g_autoptr (KvsTestReply) r1 = NULL;
  g_autoptr (KvsTestReply) r2 = NULL;
  g_autoptr (KvsTestReply) r3 = NULL;

  r1 = kvs_test_rest_full (s, "POST", "/describeSignalingChannel",
      "{\"ChannelName\":\"one\"}", NULL, NULL, NULL, NULL, NULL);
  fail_unless_equals_int (r1->status, 200);
  /* No region given anywhere: us-east-1. */
  fail_unless (g_str_has_prefix (kvs_test_reply_string (r1,
              "ChannelInfo.ChannelARN"), "arn:aws:kinesisvideo:us-east-1:"));
  r2 = kvs_test_rest_full (s, "POST", "/describeSignalingChannel",
      "{\"ChannelName\":\"two\"}", NULL, NULL, NULL, NULL, NULL);
  fail_unless_equals_int (r2->status, 200);
  r3 = kvs_test_rest_full (s, "POST", "/describeSignalingChannel",
      "{\"ChannelName\":\"three\"}", NULL, NULL, NULL, NULL, NULL);
  fail_unless_equals_int (r3->status, 404);

  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_sigint_exits_cleanly)
{
  const gchar *argv[] = { "--listen", "127.0.0.1:0", "--no-auth", NULL };
  KvsTestServer *s = start_custom (argv, NULL, "http://127.0.0.1:");
  g_autoptr (GError) error = NULL;

  soup_session_abort (s->rest);
  g_clear_object (&s->rest);
  g_clear_object (&s->ws);
  g_subprocess_send_signal (s->proc, SIGINT);
  fail_unless (g_subprocess_wait (s->proc, NULL, &error));
  fail_unless (g_subprocess_get_if_exited (s->proc));
  fail_unless_equals_int (g_subprocess_get_exit_status (s->proc), 0);
  g_object_unref (s->proc);
  g_free (s->url);
  g_free (s->authority);
  g_free (s);
}

GST_END_TEST;

/* Starts the service with --no-auth --no-turn and @extra, stops it after
 * its start line: what it wrote on stderr. */
static gchar *
stderr_of_a_start (const gchar * extra)
{
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  gchar *err = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, kvs_test_server_path (),
      "--listen", "127.0.0.1:0", "--no-auth", "--no-turn", extra, NULL);
  fail_unless (proc != NULL, "%s", error ? error->message : "");
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  fail_unless (line && g_str_has_prefix (line, "kvs-signaling-server "
          "listening on"), "no start line: '%s'", GST_STR_NULL (line));
  g_subprocess_send_signal (proc, SIGTERM);
  fail_unless (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err,
          &error), "%s", error ? error->message : "");
  fail_unless (g_subprocess_get_if_exited (proc));
  fail_unless_equals_int (g_subprocess_get_exit_status (proc), 0);
  return err;
}

/* --keep-alive says at start what libsoup 3.2.3 keeps of the connections
 * it keeps alive; without it nothing is said (and nothing kept). */
GST_START_TEST (test_keep_alive_said_at_start)
{
  g_autofree gchar *with = stderr_of_a_start ("--keep-alive");
  g_autofree gchar *without = stderr_of_a_start (NULL);

  fail_unless (strstr (with, "--keep-alive: REST connections stay open") &&
      strstr (with, "2 KiB"), "stderr with --keep-alive: '%s'", with);
  fail_if (strstr (without, "keep-alive") != NULL || strstr (without,
          "2 KiB") != NULL, "stderr without --keep-alive: '%s'", without);
}

GST_END_TEST;

GST_START_TEST (test_port_in_use_exits_1)
{
  KvsTestServer *s = kvs_test_server_start (NULL);
  g_autofree gchar *listen = g_strdup_printf ("127.0.0.1:%u", s->port);
  const gchar *argv[] = { "--no-auth", "--listen", listen, NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;

  fail_unless_equals_int (kvs_test_server_run (argv, NULL, &out, &err), 1);
  fail_unless_equals_string (out, "");
  fail_unless (strstr (err, "cannot start") != NULL, "%s", err);
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_ipv6_listen)
{
  const gchar *argv[] = { "--listen", "[::1]:0", "--no-auth", NULL };
  KvsTestServer *s;
  g_autoptr (KvsTestReply) r = NULL;

  if (!g_file_test ("/proc/net/if_inet6", G_FILE_TEST_EXISTS)) {
    GST_INFO ("no IPv6 here: skipped");
    return;
  }
  s = start_custom (argv, NULL, "http://[::1]:");
  r = kvs_test_rest_full (s, "POST", "/listSignalingChannels", "{}", NULL,
      NULL, NULL, NULL, NULL);
  fail_unless_equals_int (r->status, 200);
  kvs_test_server_stop (s);
}

GST_END_TEST;

GST_START_TEST (test_tls)
{
  g_autofree gchar *dir = g_dir_make_tmp ("kvs-server-tls-XXXXXX", NULL);
  g_autofree gchar *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree gchar *openssl = g_find_program_in_path ("openssl");
  const gchar *argv[] = { "--listen", "127.0.0.1:0", "--region",
    KVS_TEST_REGION, "--access-key", KVS_TEST_ACCESS_KEY, "--secret-key",
    KVS_TEST_SECRET_KEY, "--tls-cert", cert, "--tls-key", key, NULL
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsDatabase) db = NULL;
  g_autoptr (KvsTestReply) ep = NULL;
  g_autofree gchar *arn = NULL;
  g_autofree gchar *body = NULL;
  g_autofree gchar *wss = NULL;
  KvsTestServer *s;
  KvsTestWs *ws;
  gint status = -1;

  if (openssl == NULL) {
    GST_INFO ("no openssl to make a certificate: skipped");
    return;
  }
  {
    const gchar *req[] = { openssl, "req", "-x509", "-newkey", "rsa:2048",
      "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
      "subjectAltName=IP:127.0.0.1", "-addext",
      "basicConstraints=critical,CA:TRUE", "-keyout", key, "-out", cert, NULL
    };
    fail_unless (g_spawn_sync (NULL, (gchar **) req, NULL,
            G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
            NULL, NULL, NULL, &status, &error));
    fail_unless (g_spawn_check_wait_status (status, NULL));
  }

  s = start_custom (argv, NULL, "https://127.0.0.1:");
  db = g_tls_file_database_new (cert, &error);
  fail_unless (db != NULL, "%s", error ? error->message : "?");
  g_object_set (s->rest, "tls-database", db, NULL);
  g_object_set (s->ws, "tls-database", db, NULL);

  arn = kvs_test_create_channel (s, "tls");
  body = g_strdup_printf ("{\"ChannelARN\":\"%s\"}", arn);
  ep = kvs_test_rest (s, "/getSignalingChannelEndpoint", body);
  fail_unless_equals_int (ep->status, 200);
  wss = g_strdup_printf ("\"wss://%s\"", s->authority);
  fail_unless (strstr (ep->text, wss) != NULL, "%s", ep->text);
  fail_unless (strstr (ep->text, s->url) != NULL, "%s", ep->text);

  ws = kvs_test_ws_connect (s, arn, NULL);
  kvs_test_ws_free (ws);

  kvs_test_server_stop (s);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

GST_END_TEST;

GST_START_TEST (test_bad_tls_files_exit_1)
{
  const gchar *argv[] = { "--no-auth", "--listen", "127.0.0.1:0",
    "--tls-cert", "/nonexistent/cert.pem", NULL
  };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;

  fail_unless_equals_int (kvs_test_server_run (argv, NULL, &out, &err), 1);
  fail_unless (strstr (err, "cannot start") != NULL, "%s", err);
}

GST_END_TEST;

static Suite *
server_cli_suite (void)
{
  Suite *s = suite_create ("server_cli");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_help_documents_every_option);
  tcase_add_test (tc, test_version);
  tcase_add_test (tc, test_usage_errors_exit_2);
  tcase_add_test (tc, test_refuses_to_start_without_credentials);
  tcase_add_test (tc, test_credentials_from_environment);
  tcase_add_test (tc, test_no_auth_accepts_unsigned_requests);
  tcase_add_test (tc, test_sigint_exits_cleanly);
  tcase_add_test (tc, test_keep_alive_said_at_start);
  tcase_add_test (tc, test_port_in_use_exits_1);
  tcase_add_test (tc, test_ipv6_listen);
  tcase_add_test (tc, test_tls);
  tcase_add_test (tc, test_bad_tls_files_exit_1);
  return s;
}

GST_CHECK_MAIN (server_cli);
