/* Helpers of the kvs-signaling-server tests: run the real server process,
 * call its REST API with SigV4, open presigned WebSockets.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <string.h>
#include "kvsservertest.h"

const gchar *
kvs_test_server_path (void)
{
  const gchar *path = g_getenv ("KVS_SERVER");

  /* $KVS_SERVER overrides the build tree's (e.g. a valgrind wrapper). */
  return path && *path ? path : KVS_SERVER_PATH;
}

static gboolean
kvs_test_set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
kvs_test_iterate (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, kvs_test_set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

KvsTestServer *
kvs_test_server_start (const gchar * const *extra)
{
  return kvs_test_server_start_with_env (extra, NULL);
}

KvsTestServer *
kvs_test_server_start_with_env (const gchar * const *extra,
    const gchar * const *envp)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) data = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;
  g_autofree gchar *expected = NULL;
  KvsTestServer *s;
  const gchar *prefix = "kvs-signaling-server listening on http://";
  guint i;

  g_ptr_array_add (argv, (gpointer) kvs_test_server_path ());
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:0");
  g_ptr_array_add (argv, "--region");
  g_ptr_array_add (argv, KVS_TEST_REGION);
  g_ptr_array_add (argv, "--access-key");
  g_ptr_array_add (argv, KVS_TEST_ACCESS_KEY);
  g_ptr_array_add (argv, "--secret-key");
  g_ptr_array_add (argv, KVS_TEST_SECRET_KEY);
  g_ptr_array_add (argv, "--control");
  for (i = 0; extra && extra[i]; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  for (i = 0; envp && envp[i]; i++) {
    g_auto (GStrv) kv = g_strsplit (envp[i], "=", 2);

    g_subprocess_launcher_setenv (launcher, kv[0], kv[1] ? kv[1] : "", TRUE);
  }
  s = g_new0 (KvsTestServer, 1);
  s->proc = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) argv->pdata, &error);
  fail_unless (s->proc != NULL, "cannot run %s: %s", kvs_test_server_path (),
      error ? error->message : "?");

  data = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line (data, NULL, NULL, &error);
  fail_unless (line != NULL, "the server printed no start line");
  fail_unless (g_str_has_prefix (line, prefix), "unexpected start line '%s'",
      line);
  s->authority = g_strdup (line + strlen ("kvs-signaling-server listening on "
          "http://"));
  s->url = g_strdup_printf ("http://%s", s->authority);
  s->port = atoi (strrchr (s->authority, ':') + 1);
  expected = g_strdup_printf ("127.0.0.1:%u", s->port);
  fail_unless (s->port > 0 && g_str_equal (s->authority, expected),
      "bad authority '%s'", s->authority);
  for (i = 0; extra && extra[i]; i++) {
    const gchar *iot_prefix = "kvs-signaling-server IoT credentials "
        "provider on ";
    g_autofree gchar *iot_line = NULL;

    if (!g_str_equal (extra[i], "--iot-listen"))
      continue;
    iot_line = g_data_input_stream_read_line (data, NULL, NULL, &error);
    fail_unless (iot_line && g_str_has_prefix (iot_line, iot_prefix),
        "no IoT start line: '%s'", GST_STR_NULL (iot_line));
    s->iot_url = g_strdup (iot_line + strlen (iot_prefix));
  }

  s->rest = soup_session_new_with_options ("timeout", 10, NULL);
  s->ws = soup_session_new_with_options ("timeout", 10, NULL);
  return s;
}

void
kvs_test_server_stop (KvsTestServer * s)
{
  g_autoptr (GError) error = NULL;

  soup_session_abort (s->rest);
  soup_session_abort (s->ws);
  g_clear_object (&s->rest);
  g_clear_object (&s->ws);

  g_subprocess_send_signal (s->proc, SIGTERM);
  fail_unless (g_subprocess_wait (s->proc, NULL, &error));
  fail_unless (g_subprocess_get_if_exited (s->proc),
      "the server did not exit normally after SIGTERM");
  fail_unless_equals_int (g_subprocess_get_exit_status (s->proc), 0);

  g_object_unref (s->proc);
  g_free (s->url);
  g_free (s->authority);
  g_free (s->iot_url);
  g_free (s);
}

gint
kvs_test_server_run (const gchar * const *argv, const gchar * const *envp,
    gchar ** out, gchar ** err)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  guint i;

  g_ptr_array_add (args, (gpointer) kvs_test_server_path ());
  for (i = 0; argv && argv[i]; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (i = 0; envp && envp[i]; i++) {
    g_auto (GStrv) kv = g_strsplit (envp[i], "=", 2);
    g_subprocess_launcher_setenv (launcher, kv[0], kv[1] ? kv[1] : "", TRUE);
  }
  proc = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) args->pdata, &error);
  fail_unless (proc != NULL);
  fail_unless (g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err,
          &error), "communicate: %s", error ? error->message : "?");
  fail_unless (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

guint
kvs_test_server_fd_count (KvsTestServer * s)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%s/fd",
      g_subprocess_get_identifier (s->proc));
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  fail_unless (dir != NULL, "cannot list %s", path);
  while (g_dir_read_name (dir))
    n++;
  return n;
}

void
kvs_test_server_expect_fds_released (KvsTestServer * s, guint baseline,
    const gchar * what)
{
  gint64 end = g_get_monotonic_time () + 3 * G_TIME_SPAN_SECOND;
  guint n;

  while ((n = kvs_test_server_fd_count (s)) > baseline + 2 &&
      g_get_monotonic_time () < end)
    kvs_test_iterate (100);
  fail_unless (n <= baseline + 2, "%s: the server holds %u descriptors, %u "
      "before", what, n, baseline);
}

/* ---- REST ------------------------------------------------------------- */

KvsTestReply *
kvs_test_rest_full (KvsTestServer * s, const gchar * method,
    const gchar * path, const gchar * body, const gchar * sent_body,
    const gchar * access_key, const gchar * secret_key,
    const gchar * region, GDateTime * now)
{
  g_autofree gchar *url = g_strdup_printf ("%s%s", s->url, path);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) signed_bytes = NULL;
  g_autoptr (GBytes) sent_bytes = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers;
  KvsTestReply *r;
  const gchar *data;
  gsize len;

  fail_unless (msg != NULL);
  if (body) {
    signed_bytes = g_bytes_new (body, strlen (body));
    sent_bytes = sent_body ? g_bytes_new (sent_body, strlen (sent_body)) :
        g_bytes_ref (signed_bytes);
    soup_message_set_request_body_from_bytes (msg, "application/json",
        sent_bytes);
  }
  if (access_key) {
    g_autoptr (GstKvsCredentials) creds =
        gst_kvs_credentials_new (access_key, secret_key, NULL, "test");

    fail_unless (gst_kvs_sigv4_sign_message (msg, signed_bytes, creds, region,
            GST_KVS_SIGV4_SERVICE, now, &error), "sign: %s",
        error ? error->message : "?");
  }

  reply = soup_session_send_and_read (s->rest, msg, NULL, &error);
  fail_unless (reply != NULL, "%s %s: %s", method, path,
      error ? error->message : "?");

  headers = soup_message_get_response_headers (msg);
  r = g_new0 (KvsTestReply, 1);
  r->status = soup_message_get_status (msg);
  r->error_type = g_strdup (soup_message_headers_get_one (headers,
          "x-amzn-ErrorType"));
  r->request_id = g_strdup (soup_message_headers_get_one (headers,
          "x-amzn-RequestId"));
  r->date = g_strdup (soup_message_headers_get_one (headers, "Date"));
  data = g_bytes_get_data (reply, &len);
  r->text = g_strndup (data, len);
  if (json_parser_load_from_data (parser, r->text, -1, NULL))
    r->json = json_node_ref (json_parser_get_root (parser));
  GST_DEBUG ("%s %s -> %u %s %s", method, path, r->status,
      GST_STR_NULL (r->error_type), r->text);
  return r;
}

KvsTestReply *
kvs_test_rest (KvsTestServer * s, const gchar * path, const gchar * body)
{
  return kvs_test_rest_full (s, "POST", path, body, NULL, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, KVS_TEST_REGION, NULL);
}

KvsTestReply *
kvs_test_control (KvsTestServer * s, const gchar * method, const gchar * path,
    const gchar * body)
{
  return kvs_test_rest_full (s, method, path, body, NULL, NULL, NULL, NULL,
      NULL);
}

void
kvs_test_reply_free (KvsTestReply * r)
{
  if (r == NULL)
    return;
  g_free (r->error_type);
  g_free (r->request_id);
  g_free (r->date);
  g_free (r->text);
  if (r->json)
    json_node_unref (r->json);
  g_free (r);
}

static JsonNode *
kvs_test_reply_member (KvsTestReply * r, const gchar * path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = r->json;
  guint i;

  for (i = 0; node && parts[i]; i++) {
    if (!JSON_NODE_HOLDS_OBJECT (node))
      return NULL;
    node = json_object_get_member (json_node_get_object (node), parts[i]);
  }
  return node;
}

const gchar *
kvs_test_reply_string (KvsTestReply * r, const gchar * path)
{
  JsonNode *node = kvs_test_reply_member (r, path);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
kvs_test_reply_int (KvsTestReply * r, const gchar * path)
{
  JsonNode *node = kvs_test_reply_member (r, path);

  fail_unless (node != NULL && JSON_NODE_HOLDS_VALUE (node),
      "no number at %s in %s", path, r->text);
  return json_node_get_int (node);
}

gchar *
kvs_test_create_channel (KvsTestServer * s, const gchar * name)
{
  g_autofree gchar *body = g_strdup_printf ("{\"ChannelName\":\"%s\"}", name);
  g_autoptr (KvsTestReply) r = kvs_test_rest (s, "/createSignalingChannel",
      body);

  fail_unless_equals_int (r->status, 200);
  fail_unless (kvs_test_reply_string (r, "ChannelARN") != NULL);
  return g_strdup (kvs_test_reply_string (r, "ChannelARN"));
}

/* ---- WebSockets ------------------------------------------------------- */

gchar *
kvs_test_ws_url_full (KvsTestServer * s, const gchar * arn,
    const gchar * client_id, const gchar * access_key,
    const gchar * secret_key, const gchar * region, GDateTime * now,
    guint expires)
{
  g_autoptr (GstKvsCredentials) creds =
      gst_kvs_credentials_new (access_key, secret_key, NULL, "test");
  g_autoptr (GError) error = NULL;
  g_autofree gchar *arn_enc = g_uri_escape_string (arn, NULL, FALSE);
  g_autofree gchar *url = NULL;
  gchar *presigned;

  const gchar *scheme = g_str_has_prefix (s->url, "https:") ? "wss" : "ws";

  if (client_id)
    url = g_strdup_printf ("%s://%s/?X-Amz-ChannelARN=%s&X-Amz-ClientId=%s",
        scheme, s->authority, arn_enc, client_id);
  else
    url = g_strdup_printf ("%s://%s/?X-Amz-ChannelARN=%s", scheme,
        s->authority, arn_enc);
  presigned = gst_kvs_sigv4_presign_url (url, creds, region,
      GST_KVS_SIGV4_SERVICE, expires, now, &error);
  fail_unless (presigned != NULL, "presign: %s", error ? error->message : "?");
  return presigned;
}

gchar *
kvs_test_ws_url (KvsTestServer * s, const gchar * arn, const gchar * client_id)
{
  return kvs_test_ws_url_full (s, arn, client_id, KVS_TEST_ACCESS_KEY,
      KVS_TEST_SECRET_KEY, KVS_TEST_REGION, NULL, 299);
}

typedef struct
{
  gboolean done;
  SoupWebsocketConnection *conn;
} KvsTestOpen;

static void
kvs_test_ws_opened (GObject * source, GAsyncResult * res, gpointer user_data)
{
  KvsTestOpen *op = user_data;

  op->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      res, NULL);
  op->done = TRUE;
}

static void
kvs_test_ws_on_message (SoupWebsocketConnection * conn, gint type,
    GBytes * bytes, KvsTestWs * ws)
{
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    g_queue_push_tail (&ws->frames, g_strndup (data, len));
}

static void
kvs_test_ws_on_closed (SoupWebsocketConnection * conn, KvsTestWs * ws)
{
  ws->closed = TRUE;
  ws->close_code = soup_websocket_connection_get_close_code (conn);
  ws->closed_at = g_get_monotonic_time ();
}

KvsTestWs *
kvs_test_ws_open (KvsTestServer * s, const gchar * url, guint * status,
    gchar ** error_type)
{
  g_autofree gchar *http_url = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  KvsTestOpen op = { 0 };
  KvsTestWs *ws;

  if (g_str_has_prefix (url, "wss://"))
    http_url = g_strdup_printf ("https://%s", url + 6);
  else if (g_str_has_prefix (url, "ws://"))
    http_url = g_strdup_printf ("http://%s", url + 5);
  else
    fail ("not a WebSocket URL: %s", url);
  msg = soup_message_new ("GET", http_url);
  fail_unless (msg != NULL, "bad URL %s", http_url);
  soup_session_websocket_connect_async (s->ws, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, kvs_test_ws_opened, &op);
  while (!op.done)
    g_main_context_iteration (NULL, TRUE);

  if (status)
    *status = soup_message_get_status (msg);
  if (error_type)
    *error_type = g_strdup (soup_message_headers_get_one
        (soup_message_get_response_headers (msg), "x-amzn-ErrorType"));
  if (op.conn == NULL)
    return NULL;

  ws = g_new0 (KvsTestWs, 1);
  ws->conn = op.conn;
  g_queue_init (&ws->frames);
  g_signal_connect (ws->conn, "message",
      G_CALLBACK (kvs_test_ws_on_message), ws);
  g_signal_connect (ws->conn, "closed", G_CALLBACK (kvs_test_ws_on_closed), ws);
  return ws;
}

KvsTestWs *
kvs_test_ws_connect (KvsTestServer * s, const gchar * arn,
    const gchar * client_id)
{
  g_autofree gchar *url = kvs_test_ws_url (s, arn, client_id);
  g_autofree gchar *error_type = NULL;
  guint status = 0;
  KvsTestWs *ws;

  ws = kvs_test_ws_open (s, url, &status, &error_type);
  fail_unless (ws != NULL, "WebSocket to %s refused: %u %s", arn, status,
      GST_STR_NULL (error_type));
  fail_unless_equals_int (status, 101);
  return ws;
}

void
kvs_test_ws_send (KvsTestWs * ws, const gchar * text)
{
  fail_unless (soup_websocket_connection_get_state (ws->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (ws->conn, text);
}

gchar *
kvs_test_ws_next (KvsTestWs * ws, guint timeout_ms)
{
  gboolean timeout = FALSE;
  guint id;

  if (!g_queue_is_empty (&ws->frames))
    return g_queue_pop_head (&ws->frames);
  id = g_timeout_add (timeout_ms, kvs_test_set_flag, &timeout);
  while (g_queue_is_empty (&ws->frames) && !timeout)
    g_main_context_iteration (NULL, TRUE);
  if (!timeout)
    g_source_remove (id);
  return g_queue_pop_head (&ws->frames);
}

JsonObject *
kvs_test_ws_next_json (KvsTestWs * ws, guint timeout_ms)
{
  g_autofree gchar *text = kvs_test_ws_next (ws, timeout_ms);
  g_autoptr (JsonParser) parser = json_parser_new ();

  fail_unless (text != NULL, "no frame within %u ms", timeout_ms);
  fail_unless (json_parser_load_from_data (parser, text, -1, NULL),
      "not JSON: %s", text);
  fail_unless (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

gboolean
kvs_test_ws_wait_closed (KvsTestWs * ws, guint timeout_ms)
{
  gboolean timeout = FALSE;
  guint id;

  if (ws->closed)
    return TRUE;
  id = g_timeout_add (timeout_ms, kvs_test_set_flag, &timeout);
  while (!ws->closed && !timeout)
    g_main_context_iteration (NULL, TRUE);
  if (!timeout)
    g_source_remove (id);
  return ws->closed;
}

void
kvs_test_ws_free (KvsTestWs * ws)
{
  if (ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (ws->conn, ws);
  if (soup_websocket_connection_get_state (ws->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws->conn, SOUP_WEBSOCKET_CLOSE_NORMAL,
        NULL);
  g_object_unref (ws->conn);
  g_queue_clear_full (&ws->frames, g_free);
  g_free (ws);
}

/* ---- frames ----------------------------------------------------------- */

gchar *
kvs_test_frame (const gchar * action, const gchar * recipient,
    const gchar * tag, const gchar * correlation_id)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree gchar *payload = NULL;
  g_autofree gchar *encoded = NULL;

  if (g_str_equal (action, "ICE_CANDIDATE"))
    payload = g_strdup_printf ("{\"candidate\":\"candidate:%s 1 udp "
        "2122260223 127.0.0.1 50000 typ host\",\"sdpMid\":\"0\","
        "\"sdpMLineIndex\":0}", tag);
  else
    payload = g_strdup_printf ("{\"type\":\"%s\",\"sdp\":\"v=0\\r\\n"
        "o=- 1 2 IN IP4 127.0.0.1\\r\\ns=%s\\r\\nt=0 0\\r\\n\"}",
        g_str_equal (action, "SDP_OFFER") ? "offer" : "answer", tag);
  encoded = g_base64_encode ((const guchar *) payload, strlen (payload));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, action);
  if (recipient) {
    json_builder_set_member_name (b, "recipientClientId");
    json_builder_add_string_value (b, recipient);
  }
  json_builder_set_member_name (b, "messagePayload");
  json_builder_add_string_value (b, encoded);
  if (correlation_id) {
    json_builder_set_member_name (b, "correlationId");
    json_builder_add_string_value (b, correlation_id);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

gchar *
kvs_test_payload (JsonObject * frame)
{
  const gchar *p = json_object_get_string_member_with_default (frame,
      "messagePayload", NULL);
  guchar *raw;
  gsize len;
  gchar *text;

  fail_unless (p != NULL, "frame without messagePayload");
  raw = g_base64_decode (p, &len);
  text = g_strndup ((const gchar *) raw, len);
  g_free (raw);
  return text;
}
