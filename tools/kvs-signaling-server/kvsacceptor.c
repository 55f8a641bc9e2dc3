/* kvs-signaling-server: the listening socket.
 *
 * libsoup's own listener accepts one connection per main-loop iteration,
 * and each iteration of a GMainContext polls every file descriptor and
 * prepares and checks every source: with N connections open, accepting N
 * more cost O(N²) (10,000 WebSocket upgrades took 41 s, 99 % of it in
 * poll(), g_main_context_prepare() and _check()). This acceptor takes every
 * connection waiting in the kernel's queue in one dispatch (up to
 * KVS_ACCEPT_BATCH) and hands each to the SoupServer with
 * soup_server_accept_iostream(), so a burst of reconnecting clients costs
 * a few iterations instead of one each.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gnetworking.h>
#include <gst/gst.h>
#include "kvsacceptor.h"

GST_DEBUG_CATEGORY_STATIC (kvs_acceptor_debug);
#define GST_CAT_DEFAULT kvs_acceptor_debug

/* At most this many accepts per dispatch: the other sources (messages of
 * the connections already open) still run between batches. */
#define KVS_ACCEPT_BATCH 256

struct _KvsAcceptor
{
  GObject parent;

  GSocket *socket;
  GSource *source;
  GWeakRef soup;
  GTlsCertificate *certificate;
  guint16 port;
};

G_DEFINE_FINAL_TYPE (KvsAcceptor, kvs_acceptor, G_TYPE_OBJECT);

static GQuark
kvs_acceptor_socket_quark (void)
{
  return g_quark_from_static_string ("kvs-acceptor-socket");
}

static void
kvs_acceptor_dispose (GObject * object)
{
  KvsAcceptor *self = KVS_ACCEPTOR (object);

  kvs_acceptor_stop (self);
  g_clear_object (&self->certificate);
  g_weak_ref_clear (&self->soup);
  G_OBJECT_CLASS (kvs_acceptor_parent_class)->dispose (object);
}

static void
kvs_acceptor_class_init (KvsAcceptorClass * klass)
{
  G_OBJECT_CLASS (klass)->dispose = kvs_acceptor_dispose;
  GST_DEBUG_CATEGORY_INIT (kvs_acceptor_debug, "kvsserveracceptor", 0,
      "kvs-signaling-server listening socket");
}

static void
kvs_acceptor_init (KvsAcceptor * self)
{
  g_weak_ref_init (&self->soup, NULL);
}

/* Hands @stream (plain or TLS, handshake done) to the SoupServer. */
static void
kvs_acceptor_hand_over (SoupServer * soup, GSocket * socket, GIOStream * stream)
{
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocketAddress) remote = NULL;
  g_autoptr (GError) error = NULL;

  local = g_socket_get_local_address (socket, &error);
  if (local)
    remote = g_socket_get_remote_address (socket, &error);
  if (remote == NULL) {
    /* gone before it was handed over (reset by the client) */
    GST_DEBUG ("dropping an accepted connection: %s", error->message);
    g_io_stream_close (stream, NULL, NULL);
    return;
  }
  /* libsoup keeps this address object and reports it as the message's
   * remote address: the WebSocket upgrade finds its socket through it */
  g_object_set_qdata_full (G_OBJECT (remote), kvs_acceptor_socket_quark (),
      g_object_ref (socket), g_object_unref);
  if (!soup_server_accept_iostream (soup, stream, local, remote, &error)) {
    GST_WARNING ("soup_server_accept_iostream: %s", error->message);
    g_io_stream_close (stream, NULL, NULL);
  }
}

typedef struct
{
  GWeakRef soup;
  GSocket *socket;
} KvsTlsAccept;

static void
kvs_acceptor_on_handshake (GObject * source, GAsyncResult * result,
    gpointer data)
{
  KvsTlsAccept *accept = data;
  g_autoptr (SoupServer) soup = g_weak_ref_get (&accept->soup);
  g_autoptr (GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result,
          &error)) {
    GST_DEBUG ("TLS handshake failed: %s", error->message);
    g_io_stream_close (G_IO_STREAM (source), NULL, NULL);
  } else if (soup == NULL) {
    g_io_stream_close (G_IO_STREAM (source), NULL, NULL);
  } else {
    kvs_acceptor_hand_over (soup, accept->socket, G_IO_STREAM (source));
  }
  g_weak_ref_clear (&accept->soup);
  g_object_unref (accept->socket);
  g_free (accept);
  g_object_unref (source);
}

static void
kvs_acceptor_accept_one (KvsAcceptor * self, SoupServer * soup,
    GSocket * socket)
{
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *protocols[] = { "http/1.1", "http/1.0", NULL };
  GIOStream *tls;
  KvsTlsAccept *accept;

  /* signaling frames are small and latency-bound: no Nagle delay */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error)) {
    GST_DEBUG ("TCP_NODELAY: %s", error->message);
    g_clear_error (&error);
  }
  conn = g_socket_connection_factory_create_connection (socket);
  if (self->certificate == NULL) {
    kvs_acceptor_hand_over (soup, socket, G_IO_STREAM (conn));
    return;
  }
  /* what libsoup's own listener does: handshake first, then HTTP */
  tls = g_tls_server_connection_new (G_IO_STREAM (conn), self->certificate,
      &error);
  if (tls == NULL) {
    GST_WARNING ("TLS: %s", error->message);
    return;
  }
  g_object_set (tls, "require-close-notify", FALSE, NULL);
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), protocols);
  accept = g_new0 (KvsTlsAccept, 1);
  g_weak_ref_init (&accept->soup, soup);
  accept->socket = g_object_ref (socket);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
      NULL, kvs_acceptor_on_handshake, accept);
}

static gboolean
kvs_acceptor_on_incoming (GSocket * listen_socket, GIOCondition condition,
    gpointer data)
{
  KvsAcceptor *self = data;
  g_autoptr (SoupServer) soup = g_weak_ref_get (&self->soup);

  if (soup == NULL)
    return G_SOURCE_CONTINUE;
  for (guint i = 0; i < KVS_ACCEPT_BATCH; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GSocket) socket = g_socket_accept (listen_socket, NULL, &error);

    if (socket == NULL) {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        /* EMFILE and the like: the connection stays queued; say so, the
         * next dispatch tries again */
        GST_WARNING ("accept: %s", error->message);
      break;
    }
    kvs_acceptor_accept_one (self, soup, socket);
  }
  return G_SOURCE_CONTINUE;
}

/* libsoup keeps a connection alive after a response only when the
 * SoupServer has a listener of its own (soup-server.c, request_finished():
 * "priv->listeners"; libsoup 3.2 to 3.6): with every connection handed over
 * by soup_server_accept_iostream() it would close each one after its first
 * reply, and a client that reused it would find it gone. The SoupServer
 * gets a placeholder: a listening socket on the loopback address, closed
 * right after soup_server_listen_socket() took it, so that it never accepts
 * a connection (libsoup's watch of it ends at its first dispatch, its
 * accept() failing on the closed socket). */
static gboolean
kvs_acceptor_enable_keep_alive (SoupServer * soup, GError ** error)
{
  g_autoptr (GSocket) placeholder = NULL;
  g_autoptr (GInetAddress) lo =
      g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSList) listeners = soup_server_get_listeners (soup);

  if (listeners)
    return TRUE;
  placeholder = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_DEFAULT, error);
  if (placeholder == NULL || !g_socket_bind (placeholder, any, FALSE, error))
    return FALSE;
  g_socket_set_listen_backlog (placeholder, 1);
  if (!g_socket_listen (placeholder, error) ||
      !soup_server_listen_socket (soup, placeholder, 0, error))
    return FALSE;
  g_socket_close (placeholder, NULL);
  return TRUE;
}

KvsAcceptor *
kvs_acceptor_new (SoupServer * soup, GSocketAddress * address,
    GTlsCertificate * certificate, gboolean keep_alive, GError ** error)
{
  g_autoptr (KvsAcceptor) self = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  GSocketFamily family = g_socket_address_get_family (address);

  g_return_val_if_fail (SOUP_IS_SERVER (soup), NULL);

  if (keep_alive && !kvs_acceptor_enable_keep_alive (soup, error))
    return NULL;
  self = g_object_new (KVS_TYPE_ACCEPTOR, NULL);
  g_weak_ref_set (&self->soup, soup);
  self->certificate = certificate ? g_object_ref (certificate) : NULL;
  self->socket = g_socket_new (family, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_DEFAULT, error);
  if (self->socket == NULL)
    return NULL;
  /* IPv6 only on an IPv6 address, address reuse: as soup_server_listen() */
  if (family == G_SOCKET_FAMILY_IPV6) {
    g_autoptr (GError) opt_error = NULL;

    if (!g_socket_set_option (self->socket, IPPROTO_IPV6, IPV6_V6ONLY, 1,
            &opt_error))
      GST_WARNING ("IPV6_V6ONLY: %s", opt_error->message);
  }
  if (!g_socket_bind (self->socket, address, TRUE, error))
    return NULL;
  /* the kernel's largest accept queue instead of GLib's 10: a burst of
   * connections beyond the queue is dropped and retried by the clients'
   * TCP after 1 s, 3 s, ... */
  g_socket_set_listen_backlog (self->socket, SOMAXCONN);
  if (!g_socket_listen (self->socket, error))
    return NULL;
  g_socket_set_blocking (self->socket, FALSE);
  local = g_socket_get_local_address (self->socket, error);
  if (local == NULL)
    return NULL;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  self->source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_static_name (self->source, "KvsAcceptor");
  g_source_set_callback (self->source, G_SOURCE_FUNC (kvs_acceptor_on_incoming),
      self, NULL);
  g_source_attach (self->source, g_main_context_get_thread_default ());
  return g_steal_pointer (&self);
}

guint16
kvs_acceptor_get_port (KvsAcceptor * self)
{
  g_return_val_if_fail (KVS_IS_ACCEPTOR (self), 0);
  return self->port;
}

void
kvs_acceptor_stop (KvsAcceptor * self)
{
  g_return_if_fail (KVS_IS_ACCEPTOR (self));

  if (self->source) {
    g_source_destroy (self->source);
    g_clear_pointer (&self->source, g_source_unref);
  }
  if (self->socket) {
    g_socket_close (self->socket, NULL);
    g_clear_object (&self->socket);
  }
}

GSocket *
kvs_acceptor_socket_for_address (GSocketAddress * remote)
{
  return remote ? g_object_get_qdata (G_OBJECT (remote),
      kvs_acceptor_socket_quark ()) : NULL;
}
