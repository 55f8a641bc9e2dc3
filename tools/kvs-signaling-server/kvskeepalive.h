/* kvs-signaling-server: kept-alive HTTP connections that their client
 * closes between two requests are closed here too.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* From SoupServer::request-finished: until the next request on @socket
 * (the connection's) starts, watch it; when its client has closed it,
 * close it. A no-op when @socket is NULL or closed. */
void kvs_keep_alive_watch_idle (GSocket * socket);

/* From SoupServer::request-started: a request arrived on @socket, libsoup
 * reads it; the watch ends. A no-op when @socket is NULL. */
void kvs_keep_alive_busy (GSocket * socket);

G_END_DECLS
