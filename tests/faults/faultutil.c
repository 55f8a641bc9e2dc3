/* Helpers of the fault tests (see faultutil.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "faultutil.h"

/* ---- the service ------------------------------------------------------ */

static const gchar *
server_path (void)
{
  const gchar *path = g_getenv ("KVS_SERVER");

  if (path && *path)
    return path;
#ifdef KVS_SERVER_PATH
  return KVS_SERVER_PATH;
#else
  return "kvs-signaling-server";
#endif
}

static void
on_line (GObject * source, GAsyncResult * res, gpointer data)
{
  gchar **line = data;

  *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
      res, NULL, NULL);
  if (*line == NULL)
    *line = g_strdup ("");
}

static void
on_exited (GObject * source, GAsyncResult * res, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), res, NULL);
  *(gboolean *) data = TRUE;
}

/* Waits for @process to exit, bounded: FALSE if it did not. */
static gboolean
wait_exit (GSubprocess * process, guint seconds)
{
  GMainContext *ctx = g_main_context_new ();
  gboolean done = FALSE;
  gint64 end = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  g_main_context_push_thread_default (ctx);
  g_subprocess_wait_async (process, NULL, on_exited, &done);
  while (!done && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (ctx, FALSE))
      g_usleep (5 * 1000);
  g_main_context_pop_thread_default (ctx);
  g_main_context_unref (ctx);
  return done;
}

/* A test that fails ends its process at once: the service must not
 * outlive it. */
static void
die_with_parent (gpointer data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* One try: the start line, or NULL when the process exited first. */
static gchar *
spawn_once (FaultServer * server, guint port)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  GMainContext *ctx;
  gchar *line = NULL;
  gint64 end;
  gboolean turn_uri = FALSE;

  g_ptr_array_add (argv, g_strdup (server_path ()));
  g_ptr_array_add (argv, g_strdup_printf ("--listen=127.0.0.1:%u", port));
  g_ptr_array_add (argv, g_strdup ("--access-key=" FAULT_AK));
  g_ptr_array_add (argv, g_strdup ("--secret-key=" FAULT_SK));
  g_ptr_array_add (argv, g_strdup ("--region=" FAULT_REGION));
  g_ptr_array_add (argv, g_strdup ("--control"));
  g_ptr_array_add (argv, g_strdup ("--viewer-dir=none"));
  for (guint i = 0; i < server->args->len; i++) {
    const gchar *arg = g_ptr_array_index (server->args, i);

    g_ptr_array_add (argv, g_strdup (arg));
    turn_uri |= g_str_has_prefix (arg, "--turn-uri");
  }
  /* no TURN server unless the test names one (see tests/elements/
   * elementutil.c: webrtcbin 1.22 leaks a NiceAgent's TURN refreshes) */
  if (!turn_uri)
    g_ptr_array_add (argv, g_strdup ("--no-turn"));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  for (guint i = 0; server->env && server->env[i]; i++) {
    g_auto (GStrv) kv = g_strsplit (server->env[i], "=", 2);

    const gchar *inherited = g_getenv (kv[0]);
    g_autofree gchar *value = NULL;

    /* A preload of the test's (libfaketime) goes after any inherited one:
     * under ASan the sanitizer runtime must stay first in the list. */
    if (g_str_equal (kv[0], "LD_PRELOAD") && inherited && *inherited)
      value = g_strconcat (inherited, ":", kv[1] ? kv[1] : "", NULL);
    else
      value = g_strdup (kv[1] ? kv[1] : "");
    g_subprocess_launcher_setenv (launcher, kv[0], value, TRUE);
  }
  server->process = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) argv->pdata, &error);
  fail_unless (server->process != NULL, "cannot start %s: %s",
      server_path (), error ? error->message : "?");

  ctx = g_main_context_new ();
  g_main_context_push_thread_default (ctx);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe
      (server->process));
  /* the pipe stays open for the process's life */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out),
      FALSE);
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_line,
      &line);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (line == NULL && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (ctx, FALSE))
      g_usleep (5 * 1000);
  g_main_context_pop_thread_default (ctx);
  g_main_context_unref (ctx);

  fail_unless (line != NULL, "the service printed nothing in 10 s");
  if (*line == '\0') {
    g_free (line);
    wait_exit (server->process, 5);
    g_clear_object (&server->process);
    return NULL;
  }
  return line;
}

static void
spawn (FaultServer * server)
{
  gchar *line = NULL;
  const gchar *url, *colon;

  /* the port of a killed service may take a moment to be free */
  for (guint i = 0; i < 50 && !line; i++) {
    line = spawn_once (server, server->port);
    if (!line)
      g_usleep (100 * 1000);
  }
  fail_unless (line != NULL, "the service did not start on port %u",
      server->port);
  url = strstr (line, "https://");
  if (url == NULL)
    url = strstr (line, "http://");
  fail_unless (url != NULL, "unexpected first line '%s'", line);
  g_free (server->endpoint);
  server->endpoint = g_strchomp (g_strdup (url));
  colon = strrchr (server->endpoint, ':');
  server->port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  fail_unless (server->port > 0);
  g_free (line);
}

FaultServer *
fault_server_start (guint port, const gchar * const *extra,
    const gchar * const *env)
{
  FaultServer *server = g_new0 (FaultServer, 1);

  server->port = port;
  server->args = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add (server->args, g_strdup (extra[i]));
  server->env = g_strdupv ((gchar **) env);
  spawn (server);
  return server;
}

void
fault_server_restart (FaultServer * server)
{
  fail_unless (server->process == NULL, "the service is still running");
  spawn (server);
}

void
fault_server_kill (FaultServer * server)
{
  fail_unless (server->process != NULL);
  g_subprocess_send_signal (server->process, SIGKILL);
  fail_unless (wait_exit (server->process, 5), "SIGKILL did not end it");
  g_clear_object (&server->process);
}

void
fault_server_free (FaultServer * server)
{
  if (server->process) {
    gboolean clean;

    g_subprocess_send_signal (server->process, SIGTERM);
    clean = wait_exit (server->process, 5);
    if (!clean) {
      g_subprocess_force_exit (server->process);
      wait_exit (server->process, 5);
    }
    g_clear_object (&server->process);
    fail_unless (clean, "the service did not stop within 5 s of SIGTERM");
  }
  g_ptr_array_unref (server->args);
  g_strfreev (server->env);
  g_free (server->endpoint);
  g_free (server);
}

/* ---- /_control --------------------------------------------------------- */

static gchar *
http (FaultServer * server, const gchar * method, const gchar * path,
    const gchar * json, guint * status)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout",
      5, NULL);
  g_autofree gchar *url = g_strdup_printf ("%s%s", server->endpoint, path);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  if (json) {
    g_autoptr (GBytes) req = g_bytes_new (json, strlen (json));

    soup_message_set_request_body_from_bytes (msg, "application/json", req);
  }
  body = soup_session_send_and_read (session, msg, NULL, &error);
  fail_unless (body != NULL, "%s %s: %s", method, path,
      error ? error->message : "?");
  *status = soup_message_get_status (msg);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

gint
fault_control_post (FaultServer * server, const gchar * what,
    const gchar * json)
{
  g_autofree gchar *path = g_strdup_printf ("/_control/%s", what);
  g_autofree gchar *reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint status = 0;

  reply = http (server, "POST", path, json, &status);
  if (status != 200)
    return -1;
  fail_unless (json_parser_load_from_data (parser, reply, -1, NULL), "%s",
      reply);
  return (gint) json_object_get_int_member (json_node_get_object
      (json_parser_get_root (parser)), "affected");
}

gchar *
fault_control_get (FaultServer * server, const gchar * what)
{
  g_autofree gchar *path = g_strdup_printf ("/_control/%s", what);
  guint status = 0;
  gchar *reply = http (server, "GET", path, NULL, &status);

  fail_unless_equals_int (status, 200);
  return reply;
}

gint64
fault_counter (FaultServer * server, const gchar * name)
{
  g_autofree gchar *reply = fault_control_get (server, "counters");
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;

  fail_unless (json_parser_load_from_data (parser, reply, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  fail_unless (json_object_has_member (o, name), "no counter %s", name);
  return json_object_get_int_member (o, name);
}

/* ---- signed REST calls ------------------------------------------------- */

typedef struct
{
  GMainContext *ctx;
  SoupSession *session;
  GstKvsControlPlane *cp;
  GAsyncResult *res;
} Rest;

static void
rest_begin (Rest * rest, FaultServer * server)
{
  g_autoptr (GstKvsCredentials) creds = gst_kvs_credentials_new (FAULT_AK,
      FAULT_SK, NULL, "test");

  rest->ctx = g_main_context_new ();
  g_main_context_push_thread_default (rest->ctx);
  rest->session = soup_session_new ();
  rest->cp = gst_kvs_control_plane_new (rest->session, server->endpoint,
      FAULT_REGION, creds);
  rest->res = NULL;
}

static void
rest_cb (GObject * source, GAsyncResult * res, gpointer data)
{
  ((Rest *) data)->res = g_object_ref (res);
}

static void
rest_wait (Rest * rest)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (!rest->res && g_get_monotonic_time () < end)
    g_main_context_iteration (rest->ctx, TRUE);
  fail_unless (rest->res != NULL, "REST call without a reply in 10 s");
}

static void
rest_end (Rest * rest)
{
  g_clear_object (&rest->res);
  g_clear_object (&rest->cp);
  g_clear_object (&rest->session);
  while (g_main_context_iteration (rest->ctx, FALSE));
  g_main_context_pop_thread_default (rest->ctx);
  g_main_context_unref (rest->ctx);
}

static GstKvsChannelInfo *
rest_describe (Rest * rest, const gchar * channel, GError ** error)
{
  GstKvsChannelInfo *info;

  gst_kvs_control_plane_describe_channel_async (rest->cp, channel, NULL, NULL,
      rest_cb, rest);
  rest_wait (rest);
  info = gst_kvs_control_plane_describe_channel_finish (rest->cp, rest->res,
      error);
  g_clear_object (&rest->res);
  return info;
}

gchar *
fault_describe_arn (FaultServer * server, const gchar * channel,
    GError ** error)
{
  Rest rest;
  GstKvsChannelInfo *info;
  gchar *arn = NULL;

  rest_begin (&rest, server);
  info = rest_describe (&rest, channel, error);
  if (info) {
    arn = g_strdup (info->arn);
    gst_kvs_channel_info_free (info);
  }
  rest_end (&rest);
  return arn;
}

gboolean
fault_delete_channel (FaultServer * server, const gchar * channel,
    GError ** error)
{
  Rest rest;
  GstKvsChannelInfo *info;
  gboolean ok = FALSE;

  rest_begin (&rest, server);
  info = rest_describe (&rest, channel, error);
  if (info) {
    gst_kvs_control_plane_delete_channel_async (rest.cp, info->arn,
        info->version, NULL, rest_cb, &rest);
    rest_wait (&rest);
    ok = gst_kvs_control_plane_delete_channel_finish (rest.cp, rest.res, error);
    gst_kvs_channel_info_free (info);
  }
  rest_end (&rest);
  return ok;
}

gchar *
fault_create_channel (FaultServer * server, const gchar * channel,
    GError ** error)
{
  Rest rest;
  gchar *arn;

  rest_begin (&rest, server);
  gst_kvs_control_plane_create_channel_async (rest.cp, channel, 60, NULL,
      rest_cb, &rest);
  rest_wait (&rest);
  arn = gst_kvs_control_plane_create_channel_finish (rest.cp, rest.res, error);
  rest_end (&rest);
  return arn;
}

/* ---- library clients --------------------------------------------------- */

GstKvsSignalingClient *
fault_client_new (FaultServer * server, GstKvsRole role,
    const gchar * channel, const gchar * client_id)
{
  GstKvsSignalingClient *client = gst_kvs_signaling_client_new (role,
      channel);

  g_object_set (client, "endpoint", server->endpoint, "region", FAULT_REGION,
      "access-key", FAULT_AK, "secret-key", FAULT_SK, NULL);
  if (client_id)
    g_object_set (client, "client-id", client_id, NULL);
  return client;
}

FaultRecorder *
fault_recorder_new (GstKvsSignalingClient * client)
{
  return kvs_test_recorder_new (client);
}

void
fault_recorder_free (FaultRecorder * rec)
{
  gst_kvs_signaling_client_stop (rec->client);
  g_object_unref (rec->client);
  kvs_test_recorder_free (rec);
}

void
fault_start (GstKvsSignalingClient * client)
{
  g_autoptr (GError) error = NULL;

  fail_unless (gst_kvs_signaling_client_start (client, &error),
      "start failed: %s", error ? error->message : "?");
}

guint64
fault_stat (GstKvsSignalingClient * client, const gchar * field)
{
  g_autoptr (GstStructure) s = gst_kvs_signaling_client_get_stats (client);
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (s, field, &v), "no stat %s", field);
  return v;
}

GstKvsMessage *
fault_numbered_candidate (const gchar * recipient, guint n)
{
  g_autofree gchar *line = g_strdup_printf ("candidate:%u 1 UDP 2122252543 "
      "127.0.0.1 %u typ host", n, 40000 + n % 20000);
  g_autofree gchar *cid = g_strdup_printf ("c%u", n);

  return gst_kvs_message_new_ice_candidate (recipient, line, "0", 0, cid);
}

gint
fault_candidate_number (GstKvsMessage * msg)
{
  if (msg->type != GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE || !msg->candidate ||
      !g_str_has_prefix (msg->candidate, "candidate:"))
    return -1;
  return (gint) g_ascii_strtoll (msg->candidate + 10, NULL, 10);
}

void
fault_assert_numbered (FaultRecorder * rec, guint n, const gchar * who)
{
  guint next = 0;

  g_mutex_lock (&rec->lock);
  for (guint i = 0; i < rec->from_peers->len; i++) {
    gint got = fault_candidate_number (g_ptr_array_index (rec->from_peers, i));

    if (got < 0)
      continue;
    if ((guint) got != next) {
      g_mutex_unlock (&rec->lock);
      fail ("%s: candidate %d arrived where %u was expected (lost or out of "
          "order)", who, got, next);
      return;
    }
    next++;
  }
  g_mutex_unlock (&rec->lock);
  fail_unless_equals_int (next, n);
}
