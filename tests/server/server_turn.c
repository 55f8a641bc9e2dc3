/* kvs-signaling-server: the TURN server it starts itself (coturn's
 * turnserver as a child process): GetIceServerConfig vends working
 * credentials for it, it stops with the service; --no-turn and a missing
 * turnserver give the empty list and say so.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <glib/gstdio.h>
#include "kvsservertest.h"

/* The one entry of IceServerList (fails unless there is exactly one). */
static JsonObject *
ice_server (KvsTestReply * r)
{
  JsonArray *list;

  fail_unless_equals_int (r->status, 200);
  list = json_object_get_array_member (json_node_get_object (r->json),
      "IceServerList");
  fail_unless_equals_int (json_array_get_length (list), 1);
  return json_array_get_object_element (list, 0);
}

static KvsTestReply *
get_ice (KvsTestServer * s, const gchar * arn, const gchar * client_id)
{
  g_autofree gchar *body = g_strdup_printf ("{\"ChannelARN\":\"%s\","
      "\"ClientId\":\"%s\"}", arn, client_id);

  return kvs_test_rest (s, "/v1/get-ice-server-config", body);
}

/* turnutils_uclient (coturn's test client): two clients on the TURN server
 * allocate relays and send each other a message through them. Its exit
 * status; its output in @out. */
static gint
uclient (const gchar * user, const gchar * password, guint port, gchar ** out)
{
  g_autofree gchar *program = g_find_program_in_path ("turnutils_uclient");
  g_autofree gchar *p = g_strdup_printf ("%u", port);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;

  fail_unless (program != NULL, "turnutils_uclient (Debian package coturn, "
      "scripts/apt-packages.txt) is not installed");
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_MERGE);

  /* coturn's client is not under test: not under the sanitizers' preload
   * either (LeakSanitizer would judge its exit) */
  g_subprocess_launcher_unsetenv (launcher, "LD_PRELOAD");
  proc = g_subprocess_launcher_spawn (launcher, &error, program, "-y", "-n",
      "1", "-m", "1", "-l", "100", "-u", user, "-w", password, "-p", p,
      "127.0.0.1", NULL);
  fail_unless (proc != NULL, "%s", error ? error->message : "");
  fail_unless (g_subprocess_communicate_utf8 (proc, NULL, NULL, out, NULL,
          &error));
  return g_subprocess_get_exit_status (proc);
}

/* The pid of the server's turnserver child, 0 when it has none. */
static GPid
turn_child (KvsTestServer * s)
{
  GPid server_pid = atoi (g_subprocess_get_identifier (s->proc));
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const gchar *name;

  while ((name = g_dir_read_name (dir))) {
    g_autofree gchar *path = g_build_filename ("/proc", name, "stat", NULL);
    g_autofree gchar *stat = NULL;
    const gchar *end;

    if (!g_ascii_isdigit (name[0]) ||
        !g_file_get_contents (path, &stat, NULL, NULL))
      continue;
    /* pid (comm) state ppid ... */
    end = strrchr (stat, ')');
    if (end && strstr (stat, "(turnserver)") && atoi (end + 4) == server_pid)
      return atoi (name);
  }
  return 0;
}

GST_START_TEST (test_default_turn_server_works)
{
  KvsTestServer *s = kvs_test_server_start (NULL);
  g_autofree gchar *arn = kvs_test_create_channel (s, "turn-default");
  g_autoptr (KvsTestReply) r = get_ice (s, arn, "viewer-1");
  g_autoptr (GRegex) re = g_regex_new ("^turn:127\\.0\\.0\\.1:([0-9]+)"
      "\\?transport=(udp|tcp)$", 0, 0, NULL);
  g_autoptr (GMatchInfo) m = NULL;
  g_autofree gchar *port_text = NULL, *out = NULL, *bad_out = NULL;
  g_autofree gchar *wrong = NULL;
  JsonObject *e = ice_server (r);
  JsonArray *uris = json_object_get_array_member (e, "Uris");
  const gchar *user = json_object_get_string_member (e, "Username");
  const gchar *password = json_object_get_string_member (e, "Password");
  GPid turn;
  guint port;

  fail_unless_equals_int (json_array_get_length (uris), 2);
  fail_unless (g_regex_match (re, json_array_get_string_element (uris, 0), 0,
          &m), "%s", json_array_get_string_element (uris, 0));
  port_text = g_match_info_fetch (m, 1);
  port = atoi (port_text);
  fail_unless (g_str_has_suffix (json_array_get_string_element (uris, 0),
          "=udp"));
  fail_unless (g_str_has_suffix (json_array_get_string_element (uris, 1),
          "=tcp"));
  fail_unless (g_str_has_suffix (user, ":viewer-1"), "%s", user);
  fail_unless_equals_int (json_object_get_int_member (e, "Ttl"), 300);

  /* a relay allocation and a message through it, with the credentials */
  fail_unless_equals_int (uclient (user, password, port, &out), 0);
  fail_unless (g_regex_match_simple ("start_mclient: tot_send_msgs=[1-9][0-9]*"
          ", tot_recv_msgs=[1-9]", out, 0, 0), "%s", out);
  /* the server really checks them */
  wrong = g_strconcat ("x", password, NULL);
  fail_if (uclient (user, wrong, port, &bad_out) == 0, "%s", bad_out);
  fail_unless (strstr (bad_out, "Cannot complete Allocation") != NULL, "%s",
      bad_out);

  /* the service's own child, gone with it */
  turn = turn_child (s);
  fail_unless (turn > 0, "no turnserver child of the service");
  kvs_test_server_stop (s);
  fail_unless (kill (turn, 0) != 0, "turnserver %d outlived the service",
      (gint) turn);
}

GST_END_TEST;

/* POST @body to @base_url @path without a signature (--no-auth): the
 * reply's JSON root object (owned by @parser). */
static JsonObject *
post (SoupSession * session, const gchar * base_url, const gchar * path,
    const gchar * body, JsonParser * parser)
{
  g_autofree gchar *url = g_strconcat (base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  fail_unless (reply != NULL, "%s: %s", path, error ? error->message : "");
  fail_unless_equals_int (soup_message_get_status (msg), 200);
  fail_unless (json_parser_load_from_data (parser, g_bytes_get_data (reply,
              NULL), g_bytes_get_size (reply), NULL));
  return json_node_get_object (json_parser_get_root (parser));
}

/* Starts the server with @extra (NULL or one option) and, when set, PATH
 * @path_env; returns its stderr after a GetIceServerConfig that must give
 * an empty list. */
static gchar *
empty_list_and_stderr (const gchar * const *extra, const gchar * path_env)
{
  const gchar *argv[] = { kvs_test_server_path (), "--listen", "127.0.0.1:0",
    "--no-auth", "--create-channel", "c", extra ? extra[0] : NULL, NULL
  };
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (JsonParser) p1 = json_parser_new ();
  g_autoptr (JsonParser) p2 = json_parser_new ();
  g_autofree gchar *line = NULL, *err = NULL, *body = NULL;
  JsonObject *info, *ice;

  if (path_env)
    g_subprocess_launcher_setenv (launcher, "PATH", path_env, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  fail_unless (proc != NULL);
  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (data, NULL, NULL, NULL);
  fail_unless (line && g_str_has_prefix (line, "kvs-signaling-server "
          "listening on "), "no start line");

  info = json_object_get_object_member (post (session, strstr (line,
              "http://"), "/describeSignalingChannel",
          "{\"ChannelName\":\"c\"}", p1), "ChannelInfo");
  body = g_strdup_printf ("{\"ChannelARN\":\"%s\"}",
      json_object_get_string_member (info, "ChannelARN"));
  ice = post (session, strstr (line, "http://"), "/v1/get-ice-server-config",
      body, p2);
  fail_unless_equals_int (json_array_get_length (json_object_get_array_member
          (ice, "IceServerList")), 0);

  g_subprocess_send_signal (proc, SIGTERM);
  fail_unless (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err,
          &error));
  fail_unless_equals_int (g_subprocess_get_exit_status (proc), 0);
  return g_steal_pointer (&err);
}

GST_START_TEST (test_no_turn)
{
  const gchar *extra[] = { "--no-turn", NULL };
  g_autofree gchar *err = empty_list_and_stderr (extra, NULL);

  fail_unless (strstr (err, "--no-turn: GetIceServerConfig returns no ICE "
          "servers") != NULL, "%s", err);
  fail_unless (strstr (err, "may refuse to connect") != NULL, "%s", err);
}

GST_END_TEST;

/* turnserver not installed: said at start, behaves as --no-turn. */
GST_START_TEST (test_turnserver_missing)
{
  g_autofree gchar *empty = g_dir_make_tmp ("kvs-no-turn-XXXXXX", NULL);
  g_autofree gchar *err = empty_list_and_stderr (NULL, empty);

  fail_unless (strstr (err, "turnserver is not installed (Debian package "
          "coturn)") != NULL, "%s", err);
  fail_unless (strstr (err, "as with --no-turn") != NULL, "%s", err);
  g_rmdir (empty);
}

GST_END_TEST;

static Suite *
server_turn_suite (void)
{
  Suite *s = suite_create ("server_turn");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_default_turn_server_works);
  tcase_add_test (tc, test_no_turn);
  tcase_add_test (tc, test_turnserver_missing);
  return s;
}

GST_CHECK_MAIN (server_turn);
