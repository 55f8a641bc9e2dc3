/* kvs-signaling-server: timers of many objects in one queue per main
 * context.
 *
 * Every connection has up to three timers. As GSources (g_timeout_add) they
 * were 20,000 sources for 10,000 connections, which GLib goes through on
 * every iteration of the main loop (prepare and check), so that the cost of
 * each relayed message grew with the number of connections. They are kept
 * instead in one queue sorted by deadline per main context, behind a single
 * source whose ready time is the earliest deadline.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kvsdeadline.h"

struct _KvsDeadlineQueue
{
  GSource source;
  GSequence *queue;             /* KvsDeadline, earliest first */
  guint64 next_seq;
};

G_LOCK_DEFINE_STATIC (kvs_deadline_queues);
static GHashTable *kvs_deadline_queues; /* GMainContext -> queue */

static gint
kvs_deadline_compare (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const KvsDeadline *x = a, *y = b;

  if (x->when != y->when)
    return x->when < y->when ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
kvs_deadline_queue_update (KvsDeadlineQueue * dq)
{
  GSequenceIter *first = g_sequence_get_begin_iter (dq->queue);

  g_source_set_ready_time ((GSource *) dq, g_sequence_iter_is_end (first) ?
      -1 : ((KvsDeadline *) g_sequence_get (first))->when);
}

static gboolean
kvs_deadline_queue_dispatch (GSource * source, GSourceFunc callback,
    gpointer user_data)
{
  KvsDeadlineQueue *dq = (KvsDeadlineQueue *) source;
  gint64 now = g_get_monotonic_time ();
  GSequenceIter *first;

  /* Each callback may add or cancel deadlines: look at the head again. */
  while (!g_sequence_iter_is_end (first =
          g_sequence_get_begin_iter (dq->queue))) {
    KvsDeadline *d = g_sequence_get (first);
    gpointer owner = d->owner;

    if (d->when > now)
      break;
    g_sequence_remove (first);
    d->iter = NULL;
    g_object_ref (owner);
    d->func (owner);
    g_object_unref (owner);
  }
  kvs_deadline_queue_update (dq);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs kvs_deadline_queue_funcs = {
  NULL,
  NULL,
  kvs_deadline_queue_dispatch,
  NULL,
  NULL,
  NULL,
};

KvsDeadlineQueue *
kvs_deadline_queue_get_thread_default (void)
{
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();
  KvsDeadlineQueue *dq;

  G_LOCK (kvs_deadline_queues);
  if (kvs_deadline_queues == NULL)
    kvs_deadline_queues = g_hash_table_new (g_direct_hash, g_direct_equal);
  dq = g_hash_table_lookup (kvs_deadline_queues, context);
  if (dq == NULL) {
    dq = (KvsDeadlineQueue *) g_source_new (&kvs_deadline_queue_funcs,
        sizeof (KvsDeadlineQueue));
    dq->queue = g_sequence_new (NULL);
    g_source_set_static_name ((GSource *) dq, "kvs-signaling-server timers");
    g_source_attach ((GSource *) dq, context);
    /* the table keeps the context and the source */
    g_hash_table_insert (kvs_deadline_queues, g_main_context_ref (context), dq);
  }
  G_UNLOCK (kvs_deadline_queues);
  return dq;
}

/* The source's ready time may stay earlier than what is left: it then
 * wakes up once for nothing and moves on. */
void
kvs_deadline_cancel (KvsDeadline * d)
{
  if (d->iter == NULL)
    return;
  g_sequence_remove (d->iter);
  d->iter = NULL;
}

gboolean
kvs_deadline_is_pending (const KvsDeadline * d)
{
  return d->iter != NULL;
}

void
kvs_deadline_schedule (KvsDeadline * d, KvsDeadlineQueue * queue,
    gpointer owner, gint64 delay_us, KvsDeadlineFunc func)
{
  g_return_if_fail (G_IS_OBJECT (owner));

  kvs_deadline_cancel (d);
  d->when = g_get_monotonic_time () + MAX (delay_us, 1000);
  d->seq = queue->next_seq++;
  d->owner = owner;
  d->func = func;
  d->iter = g_sequence_insert_sorted (queue->queue, d, kvs_deadline_compare,
      NULL);
  if (g_sequence_iter_is_begin (d->iter))
    g_source_set_ready_time ((GSource *) queue, d->when);
}
