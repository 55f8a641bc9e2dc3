/* kvs-signaling-server: a GIOStream whose input notes activity.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KVS_TYPE_ACTIVITY_STREAM (kvs_activity_stream_get_type ())
G_DECLARE_FINAL_TYPE (KvsActivityStream, kvs_activity_stream, KVS,
    ACTIVITY_STREAM, GIOStream)

/* Takes a reference on @base; closing this stream closes @base. */
KvsActivityStream *kvs_activity_stream_new (GIOStream * base);
GIOStream *kvs_activity_stream_get_base (KvsActivityStream * self);
/* g_get_monotonic_time() of the last byte received, 0 if none yet. */
gint64 kvs_activity_stream_get_last_activity (KvsActivityStream * self);

/* See kvs_activity_input_stream_watch_socket(): @socket is the plain
 * socket under @base (not for TLS). */
void kvs_activity_stream_watch_socket (KvsActivityStream * self,
    GSocket * socket);

G_END_DECLS
