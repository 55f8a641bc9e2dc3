/* kvs-signaling-server: the listening socket, accepting every waiting
 * connection in one main-loop iteration and handing each to the SoupServer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define KVS_TYPE_ACCEPTOR (kvs_acceptor_get_type ())
G_DECLARE_FINAL_TYPE (KvsAcceptor, kvs_acceptor, KVS, ACCEPTOR, GObject);

/* Listens on @address (port 0: one the kernel picks) with the kernel's
 * largest accept queue; with @certificate, every connection is TLS. The
 * connections go to @soup (held weakly: the acceptor stops with it). With
 * @keep_alive, @soup gets what libsoup needs to keep a connection alive
 * after a response (a placeholder listener of its own); without it, libsoup
 * closes every connection handed over after its first response. */
KvsAcceptor *kvs_acceptor_new (SoupServer * soup, GSocketAddress * address,
    GTlsCertificate * certificate, gboolean keep_alive, GError ** error);

/* The bound port. */
guint16 kvs_acceptor_get_port (KvsAcceptor * self);

/* Stops accepting (the connections already handed over stay). */
void kvs_acceptor_stop (KvsAcceptor * self);

/* The GSocket of a connection this acceptor handed over, from the remote
 * address its SoupServerMessage reports (libsoup gives no GSocket for a
 * connection added with soup_server_accept_iostream()). */
GSocket *kvs_acceptor_socket_for_address (GSocketAddress * remote);

G_END_DECLS
