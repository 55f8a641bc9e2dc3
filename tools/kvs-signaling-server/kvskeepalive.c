/* kvs-signaling-server: kept-alive HTTP connections that their client
 * closes between two requests are closed here too.
 *
 * libsoup 3.2.3's SoupServer, waiting on a kept-alive connection for the
 * next request, reads the end of the stream when the client closes it and
 * then forgets the connection without closing it: its socket stays in
 * CLOSE-WAIT, its descriptor held, for as long as the service runs (one per
 * connection a client ever kept alive and closed). Between a response
 * (SoupServer::request-finished) and the next request
 * (SoupServer::request-started) each connection's socket is watched here:
 * readable with nothing to read (a peek of 0 bytes) means the client
 * closed it, and the socket is closed. Readable with data is the next
 * request: left to libsoup, which starts it (and the watch ends).
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/socket.h>
#include <errno.h>
#include <gst/gst.h>
#include "kvskeepalive.h"

GST_DEBUG_CATEGORY_STATIC (kvs_keep_alive_debug);
#define GST_CAT_DEFAULT kvs_keep_alive_debug

static GQuark
kvs_keep_alive_quark (void)
{
  return g_quark_from_static_string ("kvs-keep-alive-watch");
}

static void
kvs_keep_alive_init_debug (void)
{
  static gsize init = 0;

  if (g_once_init_enter (&init)) {
    GST_DEBUG_CATEGORY_INIT (kvs_keep_alive_debug, "kvsserverkeepalive", 0,
        "kvs-signaling-server kept-alive HTTP connections");
    g_once_init_leave (&init, 1);
  }
}

static void
kvs_keep_alive_source_free (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

/* TRUE when the peer closed @socket (end of stream) or it failed or it
 * was closed here; FALSE while it is open, data waiting or not. */
static gboolean
kvs_keep_alive_peer_closed (GSocket * socket)
{
  gchar byte;
  gssize n;

  if (g_socket_is_closed (socket))
    return TRUE;
  do {
    n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
    return FALSE;
  return TRUE;
}

/* Wake-ups with data waiting that libsoup did not read: the watch gives
 * up rather than spin (libsoup reads what arrives in the same main-loop
 * iteration, a TLS close_notify before the end of the stream included). */
#define KVS_KEEP_ALIVE_MAX_DATA_WAKEUPS 64

static gboolean
kvs_keep_alive_on_readable (GSocket * socket, GIOCondition condition,
    gpointer data)
{
  guint *data_wakeups = data;

  if (!kvs_keep_alive_peer_closed (socket)) {
    /* the next request: libsoup's own watch reads it and starts it
     * (request-started ends this watch) */
    if (++*data_wakeups < KVS_KEEP_ALIVE_MAX_DATA_WAKEUPS)
      return G_SOURCE_CONTINUE;
    GST_WARNING ("socket %p: data waiting unread, no longer watched", socket);
    g_object_set_qdata (G_OBJECT (socket), kvs_keep_alive_quark (), NULL);
    return G_SOURCE_REMOVE;
  }
  if (!g_socket_is_closed (socket)) {
    GST_DEBUG ("socket %p: the client closed its kept-alive connection",
        socket);
    g_socket_close (socket, NULL);
  }
  /* the source (holding a reference on the socket) goes with the qdata */
  g_object_set_qdata (G_OBJECT (socket), kvs_keep_alive_quark (), NULL);
  return G_SOURCE_REMOVE;
}

void
kvs_keep_alive_watch_idle (GSocket * socket)
{
  GSource *source;

  kvs_keep_alive_init_debug ();
  if (socket == NULL || g_socket_is_closed (socket) ||
      g_object_get_qdata (G_OBJECT (socket), kvs_keep_alive_quark ()))
    return;
  GST_LOG ("socket %p idle", socket);
  source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_static_name (source, "KvsKeepAlive");
  g_source_set_callback (source, G_SOURCE_FUNC (kvs_keep_alive_on_readable),
      g_new0 (guint, 1), g_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  /* the source holds a reference on the socket and the socket on the
   * source: the cycle ends when the watch does (busy, closed) */
  g_object_set_qdata_full (G_OBJECT (socket), kvs_keep_alive_quark (), source,
      kvs_keep_alive_source_free);
}

void
kvs_keep_alive_busy (GSocket * socket)
{
  if (socket == NULL)
    return;
  g_object_set_qdata (G_OBJECT (socket), kvs_keep_alive_quark (), NULL);
}
