/* kvs-signaling-server: a connection replaced by a newer one of the same
 * client id (make before break: GO_AWAY, the client's maximum connection
 * age) is retired, not forgotten: a frame the client wrote on it after the
 * replacement is still relayed until the old connection is closed.
 *
 * Deterministic: the old connection lives in a main context of its own that
 * the test does not run, so the service's close frame stays unread in its
 * socket (libsoup would answer it, and a frame written after that answer is
 * dropped by any WebSocket peer). The test waits until that close frame has
 * arrived (the service has replaced the connection), then writes one text
 * frame straight on the old socket and expects the master to receive it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "kvsservertest.h"

#define CHANNEL "replace-channel"
#define VIEWER "viewer-replaced"

static void
on_opened (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GAsyncResult **result = user_data;

  *result = g_object_ref (res);
}

/* A WebSocket opened in @context (thread-default, pushed by the caller). */
static SoupWebsocketConnection *
connect_in_context (KvsTestServer * s, GMainContext * context,
    SoupSession * session, const gchar * arn, const gchar * client_id)
{
  g_autofree gchar *url = kvs_test_ws_url (s, arn, client_id);
  g_autofree gchar *http_url = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;
  SoupWebsocketConnection *conn;

  fail_unless (g_str_has_prefix (url, "ws://"), "%s", url);
  http_url = g_strdup_printf ("http://%s", url + 5);
  msg = soup_message_new ("GET", http_url);
  soup_session_websocket_connect_async (session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, on_opened, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  conn = soup_session_websocket_connect_finish (session, result, &error);
  g_object_unref (result);
  fail_unless (conn != NULL, "WebSocket refused: %s",
      error ? error->message : "?");
  return conn;
}

/* Writes one masked text frame (RFC 6455 5.2) on @conn's socket, behind
 * libsoup's back. */
static void
write_raw_text_frame (SoupWebsocketConnection * conn, const gchar * text)
{
  GOutputStream *out =
      g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream
      (conn));
  g_autoptr (GByteArray) frame = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  gsize len = strlen (text);
  guint8 head[4];
  guint8 mask[4];
  gsize written = 0;

  fail_unless (len < 65536);
  head[0] = 0x81;               /* FIN, text */
  if (len < 126) {
    head[1] = 0x80 | (guint8) len;
    g_byte_array_append (frame, head, 2);
  } else {
    head[1] = 0x80 | 126;
    head[2] = (guint8) (len >> 8);
    head[3] = (guint8) (len & 0xff);
    g_byte_array_append (frame, head, 4);
  }
  for (guint i = 0; i < 4; i++)
    mask[i] = (guint8) g_random_int_range (0, 256);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < len; i++) {
    guint8 b = (guint8) text[i] ^ mask[i % 4];

    g_byte_array_append (frame, &b, 1);
  }
  fail_unless (g_output_stream_write_all (out, frame->data, frame->len,
          &written, NULL, &error), "write: %s", error ? error->message : "?");
  fail_unless (g_output_stream_flush (out, NULL, &error), "flush: %s",
      error ? error->message : "?");
}

/* TRUE once something (the service's close frame) waits unread in @conn's
 * socket; nothing is read. */
static gboolean
input_pending (SoupWebsocketConnection * conn)
{
  GInputStream *in =
      g_io_stream_get_input_stream (soup_websocket_connection_get_io_stream
      (conn));

  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (in));
}

/* The next frame @master receives carries @tag, from @sender (NULL: the
 * master receives from a viewer, any). */
static void
expect_relayed (KvsTestWs * ws, const gchar * tag, const gchar * sender)
{
  g_autofree gchar *text = kvs_test_ws_next (ws, 5000);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree gchar *payload = NULL;
  JsonObject *frame;

  fail_unless (text != NULL, "'%s' was not relayed within 5 s", tag);
  fail_unless (json_parser_load_from_data (parser, text, -1, NULL),
      "not JSON: %s", text);
  frame = json_node_get_object (json_parser_get_root (parser));
  payload = kvs_test_payload (frame);
  fail_unless (strstr (payload, tag), "'%s' expected, got %s", tag, payload);
  if (sender)
    fail_unless_equals_string (json_object_get_string_member (frame,
            "senderClientId"), sender);
}

GST_START_TEST (test_replaced_connection_still_relayed)
{
  KvsTestServer *s = kvs_test_server_start (NULL);
  g_autofree gchar *arn = kvs_test_create_channel (s, CHANNEL);
  g_autofree gchar *before = NULL, *after = NULL, *newer = NULL;
  g_autofree gchar *to_viewer = NULL;
  GMainContext *old_context = g_main_context_new ();
  SoupSession *old_session;
  SoupWebsocketConnection *old;
  KvsTestWs *master, *replacement;
  gint64 end;

  master = kvs_test_ws_connect (s, arn, NULL);

  /* the viewer's first connection, in a context of its own */
  g_main_context_push_thread_default (old_context);
  old_session = soup_session_new ();
  old = connect_in_context (s, old_context, old_session, arn, VIEWER);
  g_main_context_pop_thread_default (old_context);

  /* it carries messages */
  before = kvs_test_frame ("ICE_CANDIDATE", NULL, "before-replace", "c1");
  write_raw_text_frame (old, before);
  expect_relayed (master, "before-replace", VIEWER);

  /* a newer connection with the same client id replaces it: the service
   * closes the old one (its close frame arrives, unread) */
  replacement = kvs_test_ws_connect (s, arn, VIEWER);
  end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!input_pending (old) && g_get_monotonic_time () < end)
    kvs_test_iterate (10);
  fail_unless (input_pending (old), "the service did not close the "
      "replaced connection");

  /* written on the replaced connection before its close completed: relayed */
  after = kvs_test_frame ("ICE_CANDIDATE", NULL, "after-replace", "c2");
  write_raw_text_frame (old, after);
  expect_relayed (master, "after-replace", VIEWER);

  /* the newer connection is the viewer now, both ways */
  newer = kvs_test_frame ("ICE_CANDIDATE", NULL, "on-newer", "c3");
  to_viewer = kvs_test_frame ("ICE_CANDIDATE", VIEWER, "to-viewer", "c4");
  kvs_test_ws_send (replacement, newer);
  expect_relayed (master, "on-newer", VIEWER);
  kvs_test_ws_send (master, to_viewer);
  expect_relayed (replacement, "to-viewer", NULL);

  /* the old connection's close completes */
  g_main_context_push_thread_default (old_context);
  end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  while (soup_websocket_connection_get_state (old) !=
      SOUP_WEBSOCKET_STATE_CLOSED && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (old_context, FALSE))
      g_usleep (10 * 1000);
  fail_unless_equals_int (soup_websocket_connection_get_state (old),
      SOUP_WEBSOCKET_STATE_CLOSED);
  g_object_unref (old);
  g_object_unref (old_session);
  while (g_main_context_iteration (old_context, FALSE));
  g_main_context_pop_thread_default (old_context);
  g_main_context_unref (old_context);

  kvs_test_ws_free (replacement);
  kvs_test_ws_free (master);
  kvs_test_server_stop (s);
}

GST_END_TEST;

static Suite *
server_replace_suite (void)
{
  Suite *s = suite_create ("server-replace");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_replaced_connection_still_relayed);
  return s;
}

GST_CHECK_MAIN (server_replace);
