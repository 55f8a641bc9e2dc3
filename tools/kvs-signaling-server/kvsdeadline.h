/* kvs-signaling-server: timers of many objects in one queue per main
 * context, behind a single GSource (the connections' idle, maximum-duration
 * and GO_AWAY timers).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _KvsDeadlineQueue KvsDeadlineQueue;

/* Called in the queue's main context with a reference held on @owner. */
typedef void (*KvsDeadlineFunc) (gpointer owner);

/**
 * KvsDeadline:
 *
 * One timer, embedded in its owner (a GObject): an entry in the queue of
 * its main context while pending. Zero-initialised: not pending.
 */
typedef struct
{
  gint64 when;                  /* monotonic µs */
  guint64 seq;                  /* order among equal deadlines */
  gpointer owner;
  KvsDeadlineFunc func;
  GSequenceIter *iter;          /* NULL: not pending */
} KvsDeadline;

/* The queue of the thread-default main context (made and attached on first
 * use, kept for the process's life). */
KvsDeadlineQueue *kvs_deadline_queue_get_thread_default (void);

/* @func (@owner) in @delay_us (at least 1 ms, as the GLib timeouts were),
 * replacing what @d had pending. @owner must cancel @d before it is
 * finalized. */
void kvs_deadline_schedule (KvsDeadline * d, KvsDeadlineQueue * queue,
    gpointer owner, gint64 delay_us, KvsDeadlineFunc func);
void kvs_deadline_cancel (KvsDeadline * d);
gboolean kvs_deadline_is_pending (const KvsDeadline * d);

G_END_DECLS
