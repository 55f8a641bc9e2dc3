/* kvs-signaling-server: an input stream that notes when bytes arrive.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * SoupWebsocketConnection answers pings itself and tells nobody, yet pings
 * must count as activity for the idle timeout. The service therefore puts
 * this pollable pass-through stream under the WebSocket: every byte read,
 * whatever frame it belongs to, moves the last-activity time.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kvsactivityinputstream.h"

struct _KvsActivityInputStream
{
  GInputStream parent;

  GInputStream *base;
  gint64 last_activity;
  guint64 bytes_read;
};

static void
kvs_activity_input_stream_pollable_init (GPollableInputStreamInterface * iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KvsActivityInputStream,
    kvs_activity_input_stream, G_TYPE_INPUT_STREAM,
    G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
        kvs_activity_input_stream_pollable_init));

static void
kvs_activity_input_stream_note (KvsActivityInputStream * self, gssize n)
{
  if (n > 0) {
    self->last_activity = g_get_monotonic_time ();
    self->bytes_read += n;
  }
}

static gssize
kvs_activity_input_stream_read (GInputStream * stream, void *buffer,
    gsize count, GCancellable * cancellable, GError ** error)
{
  KvsActivityInputStream *self = KVS_ACTIVITY_INPUT_STREAM (stream);
  gssize n;

  n = g_input_stream_read (self->base, buffer, count, cancellable, error);
  kvs_activity_input_stream_note (self, n);
  return n;
}

static gboolean
kvs_activity_input_stream_close (GInputStream * stream,
    GCancellable * cancellable, GError ** error)
{
  /* The base stream belongs to the base GIOStream, which closes it. */
  return TRUE;
}

static gboolean
kvs_activity_input_stream_can_poll (GPollableInputStream * stream)
{
  KvsActivityInputStream *self = KVS_ACTIVITY_INPUT_STREAM (stream);

  return G_IS_POLLABLE_INPUT_STREAM (self->base) &&
      g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
kvs_activity_input_stream_is_readable (GPollableInputStream * stream)
{
  KvsActivityInputStream *self = KVS_ACTIVITY_INPUT_STREAM (stream);

  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM
      (self->base));
}

static GSource *
kvs_activity_input_stream_create_source (GPollableInputStream * stream,
    GCancellable * cancellable)
{
  KvsActivityInputStream *self = KVS_ACTIVITY_INPUT_STREAM (stream);
  GSource *base_source, *source;

  base_source =
      g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM
      (self->base), NULL);
  source = g_pollable_source_new_full (self, base_source, cancellable);
  g_source_unref (base_source);
  return source;
}

static gssize
kvs_activity_input_stream_read_nonblocking (GPollableInputStream * stream,
    void *buffer, gsize count, GError ** error)
{
  KvsActivityInputStream *self = KVS_ACTIVITY_INPUT_STREAM (stream);
  gssize n;

  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM
      (self->base), buffer, count, NULL, error);
  kvs_activity_input_stream_note (self, n);
  return n;
}

static void
kvs_activity_input_stream_finalize (GObject * object)
{
  KvsActivityInputStream *self = KVS_ACTIVITY_INPUT_STREAM (object);

  g_clear_object (&self->base);
  G_OBJECT_CLASS (kvs_activity_input_stream_parent_class)->finalize (object);
}

static void
kvs_activity_input_stream_class_init (KvsActivityInputStreamClass * klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = kvs_activity_input_stream_finalize;
  input_class->read_fn = kvs_activity_input_stream_read;
  input_class->close_fn = kvs_activity_input_stream_close;
}

static void
kvs_activity_input_stream_pollable_init (GPollableInputStreamInterface * iface)
{
  iface->can_poll = kvs_activity_input_stream_can_poll;
  iface->is_readable = kvs_activity_input_stream_is_readable;
  iface->create_source = kvs_activity_input_stream_create_source;
  iface->read_nonblocking = kvs_activity_input_stream_read_nonblocking;
}

static void
kvs_activity_input_stream_init (KvsActivityInputStream * self)
{
}

KvsActivityInputStream *
kvs_activity_input_stream_new (GInputStream * base)
{
  KvsActivityInputStream *self;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (base), NULL);

  self = g_object_new (KVS_TYPE_ACTIVITY_INPUT_STREAM, NULL);
  self->base = g_object_ref (base);
  return self;
}

gint64
kvs_activity_input_stream_get_last_activity (KvsActivityInputStream * self)
{
  g_return_val_if_fail (KVS_IS_ACTIVITY_INPUT_STREAM (self), 0);
  return self->last_activity;
}

guint64
kvs_activity_input_stream_get_bytes_read (KvsActivityInputStream * self)
{
  g_return_val_if_fail (KVS_IS_ACTIVITY_INPUT_STREAM (self), 0);
  return self->bytes_read;
}
