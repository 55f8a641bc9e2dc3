/* kvs-signaling-server: the input stream under each WebSocket
 * (tools/kvs-signaling-server/kvsactivityinputstream.c), over a socket pair.
 *
 * Given its socket, the stream answers the read that follows a short read
 * with "would block" without asking the kernel (SoupWebsocketConnection
 * reads until a read would block: that was a system call per message).
 * These tests show that the kernel is not asked (bytes sent in between stay
 * unread), that nothing is lost (the stream's source becomes ready for
 * them and the next read returns them), and that without the socket (the
 * TLS case) every read goes to the base stream.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/socket.h>
#include <gst/check/gstcheck.h>
#include <gio/gio.h>

#include "kvsactivityinputstream.h"

typedef struct
{
  GSocket *ours;
  GSocket *peer;
  GIOStream *connection;
  KvsActivityInputStream *stream;
  GMainContext *context;
} Pair;

static void
pair_open (Pair * p, gboolean watch)
{
  gint fds[2];
  GError *error = NULL;

  fail_unless (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  p->ours = g_socket_new_from_fd (fds[0], &error);
  fail_unless (p->ours != NULL, "%s", error ? error->message : "");
  p->peer = g_socket_new_from_fd (fds[1], &error);
  fail_unless (p->peer != NULL, "%s", error ? error->message : "");
  g_socket_set_blocking (p->ours, FALSE);
  p->connection = G_IO_STREAM (g_socket_connection_factory_create_connection
      (p->ours));
  p->stream = kvs_activity_input_stream_new (g_io_stream_get_input_stream
      (p->connection));
  if (watch)
    kvs_activity_input_stream_watch_socket (p->stream, p->ours);
  p->context = g_main_context_new ();
  g_main_context_push_thread_default (p->context);
}

static void
pair_close (Pair * p)
{
  g_main_context_pop_thread_default (p->context);
  g_object_unref (p->stream);
  g_object_unref (p->connection);
  g_object_unref (p->ours);
  g_object_unref (p->peer);
  g_main_context_unref (p->context);
}

static void
peer_sends (Pair * p, gsize len)
{
  gchar buf[1024];

  fail_unless (len <= sizeof buf);
  memset (buf, 'x', len);
  fail_unless_equals_int (g_socket_send (p->peer, buf, len, NULL, NULL),
      (gssize) len);
}

/* What read_nonblocking returns: the byte count, or -1 for "would block"
 * (any other error fails the test). */
static gssize
read_now (Pair * p, gsize count)
{
  gchar buf[1024];
  GError *error = NULL;
  gssize n;

  fail_unless (count <= sizeof buf);
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM
      (p->stream), buf, count, NULL, &error);
  if (n < 0) {
    fail_unless (g_error_matches (error, G_IO_ERROR,
            G_IO_ERROR_WOULD_BLOCK), "read failed: %s", error->message);
    g_error_free (error);
  }
  return n;
}

static gboolean
on_ready (GObject * stream, gpointer data)
{
  gboolean *ready = data;

  *ready = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_timeout (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits (at most 5 s) for the stream's source to say it is readable. */
static void
wait_readable (Pair * p)
{
  gboolean ready = FALSE, timed_out = FALSE;
  GSource *source, *timeout;

  source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM
      (p->stream), NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*)(void)) on_ready,
      &ready, NULL);
  g_source_attach (source, p->context);
  timeout = g_timeout_source_new_seconds (5);
  g_source_set_callback (timeout, on_timeout, &timed_out, NULL);
  g_source_attach (timeout, p->context);
  while (!ready && !timed_out)
    g_main_context_iteration (p->context, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  fail_unless (ready, "the stream's source never became ready");
}

GST_START_TEST (test_short_read_spares_the_next_read)
{
  Pair p = { 0 };

  pair_open (&p, TRUE);
  peer_sends (&p, 100);
  fail_unless_equals_int (read_now (&p, 1024), 100);
  /* more arrives, but the read after a short read does not look */
  peer_sends (&p, 50);
  fail_unless_equals_int (read_now (&p, 1024), -1);
  /* nothing lost: the source becomes ready and the bytes are read */
  wait_readable (&p);
  fail_unless_equals_int (read_now (&p, 1024), 50);
  fail_unless_equals_int (read_now (&p, 1024), -1);
  /* a short read is needed: after a full one the kernel is asked again */
  peer_sends (&p, 64);
  wait_readable (&p);
  fail_unless_equals_int (read_now (&p, 64), 64);
  fail_unless_equals_int (read_now (&p, 1024), -1);
  peer_sends (&p, 64);
  peer_sends (&p, 10);
  wait_readable (&p);
  fail_unless_equals_int (read_now (&p, 64), 64);
  fail_unless_equals_int (read_now (&p, 1024), 10);
  /* a wait between the two reads means a poll(): the next read asks */
  peer_sends (&p, 30);
  wait_readable (&p);
  fail_unless_equals_int (read_now (&p, 1024), 30);
  fail_unless_equals_int (kvs_activity_input_stream_get_bytes_read (p.stream),
      100 + 50 + 64 + 64 + 10 + 30);
  pair_close (&p);
}

GST_END_TEST;

GST_START_TEST (test_without_socket_every_read_asks)
{
  Pair p = { 0 };

  /* no socket given (the TLS case: the layer above may hold bytes) */
  pair_open (&p, FALSE);
  peer_sends (&p, 100);
  fail_unless_equals_int (read_now (&p, 1024), 100);
  peer_sends (&p, 50);
  fail_unless_equals_int (read_now (&p, 1024), 50);
  fail_unless_equals_int (read_now (&p, 1024), -1);
  pair_close (&p);
}

GST_END_TEST;

static Suite *
server_streams_suite (void)
{
  Suite *s = suite_create ("server-streams");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_short_read_spares_the_next_read);
  tcase_add_test (tc, test_without_socket_every_read_asks);
  return s;
}

GST_CHECK_MAIN (server_streams);
