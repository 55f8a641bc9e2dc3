/* kvs-signaling-server: an input stream that notes when bytes arrive.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * SoupWebsocketConnection answers pings itself and tells nobody, yet pings
 * must count as activity for the idle timeout. The service therefore puts
 * this pollable pass-through stream under the WebSocket: every byte read,
 * whatever frame it belongs to, moves the last-activity time.
 *
 * It also makes waiting for input cheap. SoupWebsocketConnection (libsoup
 * 3.2) creates and attaches a new input source after every read, and a
 * source on a socket adds (then removes) a poll record, which GLib keeps in
 * a list it walks from the start on each addition and removal: with 10,000
 * connections in one GMainContext those walks took most of the service's
 * CPU per message. Given the socket (kvs_activity_input_stream_watch_socket),
 * the stream keeps one poll record for it for its whole life, in a "watch"
 * source of its own, and only switches the record's events on and off; the
 * sources it hands out have no file descriptor and become ready from the
 * watch's record.
 *
 * In that mode it also saves a system call per message: after a short read
 * the socket's receive queue was empty, so the read SoupWebsocketConnection
 * makes next (it reads until one would block) is answered "would block"
 * without asking the kernel, as libuv does; the watch's poll() sees
 * whatever arrived since. Only for a plain socket: a TLS layer may hold
 * decrypted bytes the socket no longer shows.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kvsactivityinputstream.h"

#define KVS_READY_EVENTS (G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef struct _KvsWatchSource KvsWatchSource;
typedef struct _KvsWaitSource KvsWaitSource;

struct _KvsActivityInputStream
{
  GInputStream parent;

  GInputStream *base;
  gint64 last_activity;
  guint64 bytes_read;

  gint fd;                      /* -1: no watch, the base's own sources */
  KvsWatchSource *watch;        /* owned; attached on first use */
  GPollFD pfd;                  /* the watch's poll record */
  gboolean polled;              /* pfd is added to the watch */
  KvsWaitSource *waiting;       /* the source handed out last (not owned) */
  gboolean drained;             /* the last read was short (fd mode) */
};

/* One per stream, for its whole life: holds the socket's poll record. Its
 * events are G_IO_IN while a source handed out waits, 0 otherwise. */
struct _KvsWatchSource
{
  GSource source;
  KvsActivityInputStream *stream;       /* not owned; cleared at finalize */
};

/* What create_source hands out: no poll record of its own. */
struct _KvsWaitSource
{
  GSource source;
  KvsActivityInputStream *stream;       /* not owned; cleared at finalize */
};

/* A record added with g_source_add_poll() (not g_source_add_unix_fd(),
 * whose source GLib dispatches whenever the fd polls ready, and every
 * dispatch of a source with a poll record removes and adds it again: the
 * very walk this avoids). The events are read again at every iteration:
 * changing them in place is enough, from the context's own thread. */
static void
kvs_watch_arm (KvsActivityInputStream * self, gboolean on)
{
  self->pfd.events = on ? G_IO_IN : 0;
}

static gboolean
kvs_watch_source_check (GSource * source)
{
  KvsWatchSource *watch = (KvsWatchSource *) source;
  KvsActivityInputStream *self = watch->stream;
  GPollFD *pfd;

  if (self == NULL || !self->polled)
    return FALSE;
  pfd = &self->pfd;
  /* Hang-up or error while nobody waits: poll() reports those whatever the
   * events asked, so drop the record rather than wake up for ever. */
  return pfd->events == 0 && (pfd->revents & (G_IO_HUP | G_IO_ERR |
          G_IO_NVAL)) != 0;
}

static gboolean
kvs_watch_source_dispatch (GSource * source, GSourceFunc callback,
    gpointer user_data)
{
  KvsWatchSource *watch = (KvsWatchSource *) source;
  KvsActivityInputStream *self = watch->stream;

  if (self && self->polled && self->waiting == NULL) {
    g_source_remove_poll (source, &self->pfd);
    self->polled = FALSE;
  }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs kvs_watch_source_funcs = {
  NULL,
  kvs_watch_source_check,
  kvs_watch_source_dispatch,
  NULL,
  NULL,
  NULL,
};

static gboolean
kvs_wait_source_check (GSource * source)
{
  KvsWaitSource *wait = (KvsWaitSource *) source;
  KvsActivityInputStream *self = wait->stream;

  if (self == NULL || !self->polled)
    return TRUE;                /* let the reader find out */
  return (self->pfd.revents & KVS_READY_EVENTS) != 0;
}

static gboolean
kvs_wait_source_dispatch (GSource * source, GSourceFunc callback,
    gpointer user_data)
{
  KvsWaitSource *wait = (KvsWaitSource *) source;
  GPollableSourceFunc func = (GPollableSourceFunc) (void (*)(void)) callback;

  if (func == NULL || wait->stream == NULL)
    return G_SOURCE_REMOVE;
  return func (G_OBJECT (wait->stream), user_data);
}

static void
kvs_wait_source_dispose (GSource * source)
{
  KvsWaitSource *wait = (KvsWaitSource *) source;
  KvsActivityInputStream *self = wait->stream;

  if (self && self->waiting == wait) {
    self->waiting = NULL;
    kvs_watch_arm (self, FALSE);
  }
  wait->stream = NULL;
}

static GSourceFuncs kvs_wait_source_funcs = {
  NULL,
  kvs_wait_source_check,
  kvs_wait_source_dispatch,
  NULL,
  NULL,
  NULL,
};

static GSource *
kvs_activity_input_stream_create_wait_source (KvsActivityInputStream * self)
{
  KvsWaitSource *wait;

  if (self->watch == NULL) {
    g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

    self->watch = (KvsWatchSource *) g_source_new (&kvs_watch_source_funcs,
        sizeof (KvsWatchSource));
    self->watch->stream = self;
    g_source_set_static_name ((GSource *) self->watch,
        "KvsActivityInputStream watch");
    g_source_attach ((GSource *) self->watch, context);
  }
  if (!self->polled) {
    self->pfd.fd = self->fd;
    self->pfd.events = 0;
    self->pfd.revents = 0;
    g_source_add_poll ((GSource *) self->watch, &self->pfd);
    self->polled = TRUE;
  }
  if (self->waiting)
    self->waiting->stream = NULL;       /* superseded */
  self->drained = FALSE;        /* a poll() comes before the next read */

  wait = (KvsWaitSource *) g_source_new (&kvs_wait_source_funcs,
      sizeof (KvsWaitSource));
  wait->stream = self;
  g_source_set_static_name ((GSource *) wait, "KvsActivityInputStream");
  g_source_set_dispose_function ((GSource *) wait, kvs_wait_source_dispose);
  self->waiting = wait;
  kvs_watch_arm (self, TRUE);
  return (GSource *) wait;
}

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

  self->drained = FALSE;
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

  if (self->fd >= 0 && cancellable == NULL)
    return kvs_activity_input_stream_create_wait_source (self);

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

  if (self->drained) {
    self->drained = FALSE;
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
        "The socket was read empty");
    return -1;
  }
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM
      (self->base), buffer, count, NULL, error);
  kvs_activity_input_stream_note (self, n);
  self->drained = self->fd >= 0 && n > 0 && (gsize) n < count;
  return n;
}

static void
kvs_activity_input_stream_finalize (GObject * object)
{
  KvsActivityInputStream *self = KVS_ACTIVITY_INPUT_STREAM (object);

  if (self->waiting)
    self->waiting->stream = NULL;
  if (self->watch) {
    self->watch->stream = NULL;
    g_source_destroy ((GSource *) self->watch);
    g_source_unref ((GSource *) self->watch);
  }
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
  self->fd = -1;
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

void
kvs_activity_input_stream_watch_socket (KvsActivityInputStream * self,
    GSocket * socket)
{
  g_return_if_fail (KVS_IS_ACTIVITY_INPUT_STREAM (self));
  g_return_if_fail (G_IS_SOCKET (socket));
  g_return_if_fail (self->watch == NULL);

  self->fd = g_socket_get_fd (socket);
}
