/* kvssignaling: the client's outgoing messages, in order, bounded, timed.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GstKvsOutbox: the messages given to gst_kvs_signaling_client_send() that
 * wait for a writable connection. Pushed from any thread, popped in the
 * client's thread in sending order, hence in age order: one timer (armed
 * for the oldest message only while something waits) reports each message
 * that waited longer than send-timeout through "send-failed".
 *
 * The queue and the timeout are behind the outbox's own lock, which is
 * never held while emitting. The timer lives in the owner's context.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkvsoutbox.h"
#include "gstkvserror.h"
#include "gstkvsowner.h"

GST_DEBUG_CATEGORY_STATIC (kvs_outbox_debug);
#define GST_CAT_DEFAULT kvs_outbox_debug

enum
{
  SIGNAL_SEND_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _GstKvsOutbox
{
  GObject parent;

  GMutex lock;
  GQueue items;                 /* GstKvsOutboxItem (lock) */
  guint max_items;
  guint timeout_s;              /* (lock) */

  /* the owner's thread only */
  GMainContext *context;
  GSource *expiry_source;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsOutbox, gst_kvs_outbox, G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_outbox_debug, "kvsoutbox", 0,
        "KVS signaling outgoing queue"));

void
gst_kvs_outbox_item_free (GstKvsOutboxItem * item)
{
  gst_kvs_message_unref (item->msg);
  g_free (item->frame);
  g_free (item);
}

GstKvsOutbox *
gst_kvs_outbox_new (guint max_items)
{
  GstKvsOutbox *self = g_object_new (GST_KVS_TYPE_OUTBOX, NULL);

  self->max_items = max_items;
  return self;
}

/* Reports @item (freed) as not sent: warning and "send-failed". */
static void
report_not_sent (GstKvsOutbox * self, GstKvsOutboxItem * item,
    const gchar * reason)
{
  g_autoptr (GError) error = NULL;

  error = g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_NOT_CONNECTED,
      "%s %s%s%s was not sent: %s",
      gst_kvs_message_type_to_string (item->msg->type),
      item->msg->correlation_id ? "(correlation id " : "",
      item->msg->correlation_id ? item->msg->correlation_id : "",
      item->msg->correlation_id ? ")" : "", reason);
  GST_WARNING_OBJECT (self, "%s", error->message);
  g_signal_emit (self, signals[SIGNAL_SEND_FAILED], 0, item->msg, error);
  gst_kvs_outbox_item_free (item);
}

gboolean
gst_kvs_outbox_push (GstKvsOutbox * self, GstKvsMessage * msg,
    gchar * frame, GError ** error)
{
  GstKvsOutboxItem *item;

  g_mutex_lock (&self->lock);
  if (self->items.length >= self->max_items) {
    g_mutex_unlock (&self->lock);
    g_free (frame);
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_NOT_CONNECTED,
        "outgoing queue full: %u messages are waiting for the connection",
        self->max_items);
    return FALSE;
  }
  item = g_new0 (GstKvsOutboxItem, 1);
  item->msg = gst_kvs_message_ref (msg);
  item->frame = frame;
  item->queued_at = g_get_monotonic_time ();
  g_queue_push_tail (&self->items, item);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

guint
gst_kvs_outbox_get_length (GstKvsOutbox * self)
{
  guint length;

  g_mutex_lock (&self->lock);
  length = self->items.length;
  g_mutex_unlock (&self->lock);
  return length;
}

/* Messages queued before start() go out once connected: their wait starts
 * now. */
void
gst_kvs_outbox_restamp (GstKvsOutbox * self)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  for (GList * l = self->items.head; l; l = l->next)
    ((GstKvsOutboxItem *) l->data)->queued_at = now;
  g_mutex_unlock (&self->lock);
}

void
gst_kvs_outbox_fail_all (GstKvsOutbox * self, const gchar * reason)
{
  while (TRUE) {
    GstKvsOutboxItem *item;

    g_mutex_lock (&self->lock);
    item = g_queue_pop_head (&self->items);
    g_mutex_unlock (&self->lock);
    if (!item)
      break;
    report_not_sent (self, item, reason);
  }
}

/* Reports the messages that waited longer than the timeout. */
static gboolean
expire (gpointer user_data)
{
  GstKvsOutbox *self = user_data;
  gint64 now = g_get_monotonic_time ();

  g_clear_pointer (&self->expiry_source, g_source_unref);
  while (self->context) {
    GstKvsOutboxItem *item = NULL;
    guint timeout;

    g_mutex_lock (&self->lock);
    timeout = self->timeout_s;
    if (timeout > 0 && self->items.length > 0) {
      GstKvsOutboxItem *head = g_queue_peek_head (&self->items);

      if (now - head->queued_at > (gint64) timeout * G_USEC_PER_SEC)
        item = g_queue_pop_head (&self->items);
    }
    g_mutex_unlock (&self->lock);
    if (!item)
      break;

    {
      g_autofree gchar *reason = g_strdup_printf ("no connection within "
          "send-timeout (%u s)", timeout);
      report_not_sent (self, item, reason);
    }
  }
  gst_kvs_outbox_arm (self);
  return G_SOURCE_REMOVE;
}

/* No timer runs while nothing waits. */
void
gst_kvs_outbox_arm (GstKvsOutbox * self)
{
  gint64 deadline = 0;
  gint64 now;

  if (!self->context || self->expiry_source)
    return;
  GST_KVS_CHECK_OWNER (self->context);

  g_mutex_lock (&self->lock);
  if (self->timeout_s > 0 && self->items.length > 0) {
    GstKvsOutboxItem *head = g_queue_peek_head (&self->items);

    deadline = head->queued_at + G_USEC_PER_SEC * (gint64) self->timeout_s;
  }
  g_mutex_unlock (&self->lock);
  if (deadline == 0)
    return;

  /* expired once strictly past the deadline */
  now = g_get_monotonic_time ();
  self->expiry_source = gst_kvs_timeout_add (self->context,
      deadline > now ? (guint) ((deadline - now) / 1000 + 1) : 0, expire, self);
}

/* The timeout changed: re-arm for the new deadline. */
static gboolean
rearm_idle (gpointer user_data)
{
  GstKvsOutbox *self = user_data;

  if (self->context) {
    gst_kvs_source_clear (&self->expiry_source);
    gst_kvs_outbox_arm (self);
  }
  return G_SOURCE_REMOVE;
}

void
gst_kvs_outbox_set_timeout (GstKvsOutbox * self, guint seconds)
{
  GMainContext *context;

  g_mutex_lock (&self->lock);
  self->timeout_s = seconds;
  context = self->context ? g_main_context_ref (self->context) : NULL;
  g_mutex_unlock (&self->lock);

  if (context) {
    GSource *idle = g_idle_source_new ();

    g_source_set_callback (idle, rearm_idle, g_object_ref (self),
        g_object_unref);
    g_source_attach (idle, context);
    g_source_unref (idle);
    g_main_context_unref (context);
  }
}

void
gst_kvs_outbox_attach (GstKvsOutbox * self, GMainContext * context)
{
  GST_KVS_CHECK_OWNER (context);

  g_mutex_lock (&self->lock);
  self->context = g_main_context_ref (context);
  g_mutex_unlock (&self->lock);
}

void
gst_kvs_outbox_detach (GstKvsOutbox * self)
{
  if (!self->context)
    return;
  GST_KVS_CHECK_OWNER (self->context);

  gst_kvs_source_clear (&self->expiry_source);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_unlock (&self->lock);
}

static gboolean
peek_type (GstKvsOutbox * self, GstKvsMessageType * type)
{
  GstKvsOutboxItem *head;

  g_mutex_lock (&self->lock);
  head = g_queue_peek_head (&self->items);
  if (head)
    *type = head->msg->type;
  g_mutex_unlock (&self->lock);
  return head != NULL;
}

/* The oldest message; when none is left behind it, the expiry timer
 * stops. */
static GstKvsOutboxItem *
pop (GstKvsOutbox * self)
{
  GstKvsOutboxItem *item;
  gboolean empty;

  g_mutex_lock (&self->lock);
  item = g_queue_pop_head (&self->items);
  empty = self->items.length == 0;
  g_mutex_unlock (&self->lock);
  if (empty && self->context) {
    GST_KVS_CHECK_OWNER_VAL (self->context, item);
    gst_kvs_source_clear (&self->expiry_source);
  }
  return item;
}

GstKvsMessage *
gst_kvs_outbox_write_next (GstKvsOutbox * self, GstKvsWsConnection * conn)
{
  g_autoptr (GstKvsOutboxItem) item = NULL;
  GstKvsMessageType type;

  /* nothing waits (no send-timeout timer), or the head must wait:
   * everything behind it waits too (the connection says "writable") */
  if (!peek_type (self, &type) || gst_kvs_ws_connection_reserve (conn,
          type) > 0)
    return NULL;

  item = pop (self);
  gst_kvs_ws_connection_send (conn, item->frame);
  GST_DEBUG_OBJECT (self, "sent %s%s%s",
      gst_kvs_message_type_to_string (item->msg->type),
      item->msg->correlation_id ? " correlation id " : "",
      item->msg->correlation_id ? item->msg->correlation_id : "");
  return gst_kvs_message_ref (item->msg);
}

static void
gst_kvs_outbox_finalize (GObject * object)
{
  GstKvsOutbox *self = GST_KVS_OUTBOX (object);

  g_queue_clear_full (&self->items, (GDestroyNotify) gst_kvs_outbox_item_free);
  gst_kvs_source_clear (&self->expiry_source);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_kvs_outbox_parent_class)->finalize (object);
}

static void
gst_kvs_outbox_init (GstKvsOutbox * self)
{
  g_mutex_init (&self->lock);
  g_queue_init (&self->items);
}

static void
gst_kvs_outbox_class_init (GstKvsOutboxClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = gst_kvs_outbox_finalize;

  signals[SIGNAL_SEND_FAILED] = g_signal_new ("send-failed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, GST_KVS_TYPE_MESSAGE, G_TYPE_ERROR);
}
