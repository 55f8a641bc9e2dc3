/* kvs-signaling-server: an input stream that notes when bytes arrive.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KVS_TYPE_ACTIVITY_INPUT_STREAM (kvs_activity_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (KvsActivityInputStream, kvs_activity_input_stream, KVS,
    ACTIVITY_INPUT_STREAM, GInputStream)

/* Wraps the pollable @base (not closed by this stream). */
KvsActivityInputStream *kvs_activity_input_stream_new (GInputStream * base);

/* g_get_monotonic_time() of the last read that returned data, 0 if none. */
gint64 kvs_activity_input_stream_get_last_activity (
    KvsActivityInputStream * self);
guint64 kvs_activity_input_stream_get_bytes_read (
    KvsActivityInputStream * self);

/* Wait for input on @socket (the plain socket under @base: not for TLS)
 * with one poll record for the stream's life instead of one per source. */
void kvs_activity_input_stream_watch_socket (KvsActivityInputStream * self,
    GSocket * socket);

G_END_DECLS
