/* kvs-signaling-server: the listening socket
 * (tools/kvs-signaling-server/kvsacceptor.c), in-process with a SoupServer.
 *
 * libsoup's own listener accepted one connection per main-loop iteration,
 * and each iteration costs the number of open connections: a burst of N
 * clients cost O(N²). These tests queue many connections, each with a
 * request written, before the main loop runs, and count the iterations it
 * takes to answer them all: a handful, not one or more per connection
 * (iterations are counted, not time). They also check that the request
 * handler finds each connection's socket from its remote address (the
 * WebSocket upgrade needs it; libsoup gives none for a stream it was
 * handed), and that connections stay alive between requests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "kvsacceptor.h"

#define N_CLIENTS 64

typedef struct
{
  guint answered;
  guint sockets_found;
} Seen;

static void
handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer data)
{
  Seen *seen = data;
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  GSocket *socket = kvs_acceptor_socket_for_address (remote);

  if (socket) {
    g_autoptr (GSocketAddress) peer = g_socket_get_remote_address (socket,
        NULL);

    /* the socket of this very connection */
    if (peer && g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer))
        == g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)))
      seen->sockets_found++;
  }
  seen->answered++;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
      "ok", 2);
}

static const gchar request[] = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/* An acceptor on 127.0.0.1, a free port, handing its connections to @soup,
 * whose requests handler() answers and counts in @seen (@keep_alive as
 * kvs_acceptor_new()'s); fails the test when it cannot listen. */
static KvsAcceptor *
start_acceptor (SoupServer * soup, Seen * seen, gboolean keep_alive)
{
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
      (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  KvsAcceptor *acceptor;
  GError *error = NULL;

  soup_server_add_handler (soup, NULL, handler, seen, NULL);
  acceptor = kvs_acceptor_new (soup, any, NULL, keep_alive, &error);
  fail_unless (acceptor != NULL, "%s", error ? error->message : "");
  fail_unless (kvs_acceptor_get_port (acceptor) != 0);
  return acceptor;
}

/* A client connected to @acceptor's port on 127.0.0.1 (the kernel's accept
 * queue: the acceptor need not have run); fails the test when it cannot. */
static GSocket *
connect_client (KvsAcceptor * acceptor)
{
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
      (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo,
      kvs_acceptor_get_port (acceptor));
  GSocket *client;
  GError *error = NULL;

  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_DEFAULT, &error);
  fail_unless (client != NULL, "%s", error ? error->message : "");
  fail_unless (g_socket_connect (client, addr, NULL, &error), "%s",
      error ? error->message : "");
  return client;
}

/* Writes request (GET /x) on @client, whole. */
static void
send_request (GSocket * client)
{
  GError *error = NULL;

  fail_unless_equals_int (g_socket_send (client, request, strlen (request),
          NULL, &error), (gint) strlen (request));
}

/* A SoupServer behind an acceptor (start_acceptor()) and one client
 * connected to it. */
typedef struct
{
  SoupServer *soup;
  KvsAcceptor *acceptor;
  GSocket *client;
  Seen seen;
} Served;

static void
served_open (Served * s, gboolean keep_alive)
{
  memset (s, 0, sizeof (*s));
  s->soup = soup_server_new (NULL, NULL);
  s->acceptor = start_acceptor (s->soup, &s->seen, keep_alive);
  s->client = connect_client (s->acceptor);
}

/* The client closed, the acceptor stopped, the SoupServer disconnected,
 * what they left on the main context run; all freed. */
static void
served_close (Served * s)
{
  g_socket_close (s->client, NULL);
  kvs_acceptor_stop (s->acceptor);
  soup_server_disconnect (s->soup);
  while (g_main_context_iteration (NULL, FALSE));
  g_object_unref (s->client);
  g_object_unref (s->acceptor);
  g_object_unref (s->soup);
}

GST_START_TEST (test_burst_accepted_in_a_few_iterations)
{
  g_autoptr (SoupServer) soup = soup_server_new (NULL, NULL);
  g_autoptr (KvsAcceptor) acceptor = NULL;
  GSocket *clients[N_CLIENTS];
  GError *error = NULL;
  Seen seen = { 0 };
  guint iterations = 0;

  acceptor = start_acceptor (soup, &seen, FALSE);

  /* every client connected (the kernel's accept queue) and its request
   * written before the main loop runs once */
  for (guint i = 0; i < N_CLIENTS; i++) {
    clients[i] = connect_client (acceptor);
    send_request (clients[i]);
  }

  while (seen.answered < N_CLIENTS && iterations < 10 * N_CLIENTS) {
    g_main_context_iteration (NULL, TRUE);
    iterations++;
  }
  fail_unless_equals_int (seen.answered, N_CLIENTS);
  fail_unless_equals_int (seen.sockets_found, N_CLIENTS);
  /* one accept per iteration took at least N_CLIENTS */
  fail_unless (iterations <= 8, "%u main-loop iterations for %d queued "
      "connections", iterations, N_CLIENTS);

  for (guint i = 0; i < N_CLIENTS; i++) {
    gchar buf[256];

    g_socket_set_timeout (clients[i], 5);
    fail_unless (g_socket_receive (clients[i], buf, sizeof (buf) - 1, NULL,
            &error) > 12, "%s", error ? error->message : "");
    fail_unless (g_str_has_prefix (buf, "HTTP/1.1 200"));
    g_object_unref (clients[i]);
  }
  kvs_acceptor_stop (acceptor);
  soup_server_disconnect (soup);
}

GST_END_TEST;

GST_START_TEST (test_stop_closes_the_port)
{
  g_autoptr (SoupServer) soup = soup_server_new (NULL, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
      (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (KvsAcceptor) acceptor = NULL;
  g_autoptr (GSocket) client = NULL;
  GError *error = NULL;

  acceptor = kvs_acceptor_new (soup, any, NULL, FALSE, &error);
  fail_unless (acceptor != NULL);
  addr = g_inet_socket_address_new (lo, kvs_acceptor_get_port (acceptor));
  kvs_acceptor_stop (acceptor);
  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_DEFAULT, NULL);
  fail_if (g_socket_connect (client, addr, NULL, &error));
  fail_unless (g_error_matches (error, G_IO_ERROR,
          G_IO_ERROR_CONNECTION_REFUSED), "%s", error->message);
  g_clear_error (&error);
}

GST_END_TEST;

/* Reads one whole response ("ok" body) from @client, iterating the main
 * context meanwhile; FALSE when the connection closed first. */
static gboolean
read_response (GSocket * client)
{
  GString *got = g_string_new (NULL);
  gint64 end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  gboolean ok = FALSE;

  g_socket_set_blocking (client, FALSE);
  while (g_get_monotonic_time () < end) {
    gchar buf[512];
    gssize n = g_socket_receive (client, buf, sizeof (buf), NULL, NULL);

    if (n == 0)
      break;
    if (n > 0)
      g_string_append_len (got, buf, n);
    if (g_str_has_prefix (got->str, "HTTP/1.1 200") &&
        g_str_has_suffix (got->str, "\r\n\r\nok")) {
      ok = TRUE;
      break;
    }
    g_main_context_iteration (NULL, FALSE);
    g_usleep (1000);
  }
  g_string_free (got, TRUE);
  return ok;
}

/* TRUE when @client's peer closes the connection (end of stream) within
 * 5 s, iterating the main context meanwhile. */
static gboolean
wait_closed (GSocket * client)
{
  gint64 end = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  g_socket_set_blocking (client, FALSE);
  while (g_get_monotonic_time () < end) {
    gchar buf[512];
    g_autoptr (GError) error = NULL;
    gssize n = g_socket_receive (client, buf, sizeof (buf), NULL, &error);

    if (n == 0 || (n < 0 && !g_error_matches (error, G_IO_ERROR,
                G_IO_ERROR_WOULD_BLOCK)))
      return TRUE;
    g_main_context_iteration (NULL, FALSE);
    g_usleep (1000);
  }
  return FALSE;
}

/* HTTP/1.1 keep-alive through the acceptor (keep_alive TRUE, the
 * service's --keep-alive): the second request on the same connection is
 * answered too (libsoup keeps a connection alive only when its SoupServer
 * has a listener of its own: the acceptor gives it one). */
GST_START_TEST (test_keep_alive)
{
  Served s;

  served_open (&s, TRUE);
  for (guint i = 0; i < 3; i++) {
    send_request (s.client);
    fail_unless (read_response (s.client), "request %u on the connection: "
        "no response (connection closed after the previous one)", i + 1);
  }
  fail_unless_equals_int (s.seen.answered, 3);
  served_close (&s);
}

GST_END_TEST;

/* Without keep_alive (the service's default) libsoup closes a connection
 * handed over by the acceptor after its first response. */
GST_START_TEST (test_no_keep_alive_by_default)
{
  Served s;

  served_open (&s, FALSE);
  fail_unless (soup_server_get_listeners (s.soup) == NULL,
      "a listener given to the SoupServer without keep_alive");
  send_request (s.client);
  fail_unless (read_response (s.client));
  fail_unless (wait_closed (s.client), "the connection stayed open after "
      "its response without keep_alive");
  fail_unless_equals_int (s.seen.answered, 1);
  served_close (&s);
}

GST_END_TEST;

static Suite *
server_acceptor_suite (void)
{
  Suite *s = suite_create ("server-acceptor");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_burst_accepted_in_a_few_iterations);
  tcase_add_test (tc, test_stop_closes_the_port);
  tcase_add_test (tc, test_keep_alive);
  tcase_add_test (tc, test_no_keep_alive_by_default);
  return s;
}

GST_CHECK_MAIN (server_acceptor);
