/* kvs-bench-relay: a bare libsoup WebSocket relay, the comparator of the
 * message-latency benchmark. Connections with the same path form a room;
 * every frame one of them sends is forwarded, unchanged and unparsed, to
 * the others. No authentication, no validation, no routing rules: the
 * least a relay built on libsoup can do.
 *
 *   kvs-bench-relay [--listen 127.0.0.1:0]
 *   prints "kvs-bench-relay listening on ws://127.0.0.1:PORT"
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <libsoup/soup.h>
#include <glib-unix.h>

#include "benchutil.h"

typedef struct
{
  GHashTable *rooms;            /* path -> GPtrArray of connections */
  guint64 forwarded;
} Relay;

typedef struct
{
  Relay *relay;
  gchar *path;
} Member;

static void
member_free (gpointer data, GClosure * closure)
{
  Member *m = data;

  g_free (m->path);
  g_free (m);
}

static void
on_message (SoupWebsocketConnection * conn, gint type, GBytes * message,
    Member * m)
{
  GPtrArray *room = g_hash_table_lookup (m->relay->rooms, m->path);
  guint i;

  if (!room)
    return;
  for (i = 0; i < room->len; i++) {
    SoupWebsocketConnection *other = room->pdata[i];

    if (other == conn ||
        soup_websocket_connection_get_state (other) !=
        SOUP_WEBSOCKET_STATE_OPEN)
      continue;
    soup_websocket_connection_send_message (other, type, message);
    m->relay->forwarded++;
  }
}

static void
on_closed (SoupWebsocketConnection * conn, Member * m)
{
  GPtrArray *room = g_hash_table_lookup (m->relay->rooms, m->path);

  if (room) {
    g_ptr_array_remove (room, conn);
    if (room->len == 0)
      g_hash_table_remove (m->relay->rooms, m->path);
  }
}

static void
on_websocket (SoupServer * server, SoupServerMessage * msg, const char *path,
    SoupWebsocketConnection * conn, gpointer user_data)
{
  Relay *relay = user_data;
  GPtrArray *room = g_hash_table_lookup (relay->rooms, path);
  Member *m = g_new0 (Member, 1);

  m->relay = relay;
  m->path = g_strdup (path);
  if (!room) {
    room = g_ptr_array_new_with_free_func (g_object_unref);
    g_hash_table_insert (relay->rooms, g_strdup (path), room);
  }
  g_ptr_array_add (room, g_object_ref (conn));
  /* a relay for small frames: no Nagle delay (Node's ws does the same) */
  g_socket_set_option (soup_server_message_get_socket (msg), IPPROTO_TCP,
      TCP_NODELAY, 1, NULL);
  soup_websocket_connection_set_max_incoming_payload_size (conn, 1 << 20);
  g_signal_connect (conn, "message", G_CALLBACK (on_message), m);
  g_signal_connect_data (conn, "closed", G_CALLBACK (on_closed), m,
      member_free, 0);
}

static gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *listen = NULL;
  GOptionEntry entries[] = {
    {"listen", 0, 0, G_OPTION_ARG_STRING, &listen, "HOST:PORT (127.0.0.1:0)",
        "ADDR"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- bare relay");
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GInetSocketAddress) addr = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GSList *uris;
  Relay relay = { 0 };
  guint port = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (listen) {
    const gchar *colon = strrchr (listen, ':');

    if (colon)
      port = atoi (colon + 1);
  }
  bench_raise_nofile ();
  relay.rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) g_ptr_array_unref);
  server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_websocket_handler (server, NULL, NULL, NULL, on_websocket,
      &relay, NULL);
  addr = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string
      ("127.0.0.1", port));
  if (!soup_server_listen (server, G_SOCKET_ADDRESS (addr), 0, &error)) {
    g_printerr ("cannot listen: %s\n", error->message);
    return 1;
  }
  uris = soup_server_get_uris (server);
  printf ("kvs-bench-relay listening on ws://127.0.0.1:%d\n",
      g_uri_get_port (uris->data));
  fflush (stdout);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  g_hash_table_unref (relay.rooms);
  return 0;
}
