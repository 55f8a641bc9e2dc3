/* kvs-signaling-server: a GIOStream whose input notes activity.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The stream the service hands to SoupWebsocketConnection after it has
 * taken over the upgraded HTTP connection: reads go through a
 * KvsActivityInputStream, writes straight to the connection's own output
 * stream, and closing closes the connection itself (asynchronously, on the
 * caller's main context: no worker thread).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kvsactivitystream.h"
#include "kvsactivityinputstream.h"

struct _KvsActivityStream
{
  GIOStream parent;

  GIOStream *base;
  KvsActivityInputStream *input;
};

G_DEFINE_FINAL_TYPE (KvsActivityStream, kvs_activity_stream, G_TYPE_IO_STREAM);

static GInputStream *
kvs_activity_stream_get_input_stream (GIOStream * stream)
{
  return G_INPUT_STREAM (KVS_ACTIVITY_STREAM (stream)->input);
}

static GOutputStream *
kvs_activity_stream_get_output_stream (GIOStream * stream)
{
  return g_io_stream_get_output_stream (KVS_ACTIVITY_STREAM (stream)->base);
}

static gboolean
kvs_activity_stream_close (GIOStream * stream, GCancellable * cancellable,
    GError ** error)
{
  return g_io_stream_close (KVS_ACTIVITY_STREAM (stream)->base, cancellable,
      error);
}

static void
kvs_activity_stream_base_closed (GObject * source, GAsyncResult * res,
    gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), res, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
kvs_activity_stream_close_async (GIOStream * stream, int io_priority,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  KvsActivityStream *self = KVS_ACTIVITY_STREAM (stream);
  GTask *task;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kvs_activity_stream_close_async);
  g_io_stream_close_async (self->base, io_priority, cancellable,
      kvs_activity_stream_base_closed, task);
}

static gboolean
kvs_activity_stream_close_finish (GIOStream * stream, GAsyncResult * res,
    GError ** error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

static void
kvs_activity_stream_finalize (GObject * object)
{
  KvsActivityStream *self = KVS_ACTIVITY_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (kvs_activity_stream_parent_class)->finalize (object);
}

static void
kvs_activity_stream_class_init (KvsActivityStreamClass * klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = kvs_activity_stream_finalize;
  stream_class->get_input_stream = kvs_activity_stream_get_input_stream;
  stream_class->get_output_stream = kvs_activity_stream_get_output_stream;
  stream_class->close_fn = kvs_activity_stream_close;
  stream_class->close_async = kvs_activity_stream_close_async;
  stream_class->close_finish = kvs_activity_stream_close_finish;
}

static void
kvs_activity_stream_init (KvsActivityStream * self)
{
}

KvsActivityStream *
kvs_activity_stream_new (GIOStream * base)
{
  KvsActivityStream *self;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  self = g_object_new (KVS_TYPE_ACTIVITY_STREAM, NULL);
  self->base = g_object_ref (base);
  self->input =
      kvs_activity_input_stream_new (g_io_stream_get_input_stream (base));
  return self;
}

GIOStream *
kvs_activity_stream_get_base (KvsActivityStream * self)
{
  g_return_val_if_fail (KVS_IS_ACTIVITY_STREAM (self), NULL);
  return self->base;
}

gint64
kvs_activity_stream_get_last_activity (KvsActivityStream * self)
{
  g_return_val_if_fail (KVS_IS_ACTIVITY_STREAM (self), 0);
  return kvs_activity_input_stream_get_last_activity (self->input);
}

void
kvs_activity_stream_watch_socket (KvsActivityStream * self, GSocket * socket)
{
  g_return_if_fail (KVS_IS_ACTIVITY_STREAM (self));
  kvs_activity_input_stream_watch_socket (self->input, socket);
}
