/* kvssignaling: the client's outgoing messages, in order, bounded, timed.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include "gstkvsmessage.h"
#include "gstkvswsconnection.h"

G_BEGIN_DECLS

/* A message waiting to be written, with its frame. */
typedef struct
{
  GstKvsMessage *msg;
  gchar *frame;
  gint64 queued_at;             /* monotonic us */
} GstKvsOutboxItem;

G_GNUC_INTERNAL
void gst_kvs_outbox_item_free (GstKvsOutboxItem * item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstKvsOutboxItem, gst_kvs_outbox_item_free)

#define GST_KVS_TYPE_OUTBOX (gst_kvs_outbox_get_type ())
G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GstKvsOutbox, gst_kvs_outbox, GST_KVS, OUTBOX, GObject)

/* Holds at most @max_items; a message that waited longer than the timeout
 * is reported through "send-failed" (GstKvsMessage, GError). */
G_GNUC_INTERNAL
GstKvsOutbox *gst_kvs_outbox_new (guint max_items);

/* Any thread. */
G_GNUC_INTERNAL
gboolean gst_kvs_outbox_push (GstKvsOutbox * self, GstKvsMessage * msg,
    gchar * frame, GError ** error);
G_GNUC_INTERNAL
guint gst_kvs_outbox_get_length (GstKvsOutbox * self);
G_GNUC_INTERNAL
void gst_kvs_outbox_set_timeout (GstKvsOutbox * self, guint seconds);
G_GNUC_INTERNAL
void gst_kvs_outbox_restamp (GstKvsOutbox * self);
/* Pops every message and reports it through "send-failed" (@reason), from
 * the caller's thread: the owner's, or any when no owner is attached. */
G_GNUC_INTERNAL
void gst_kvs_outbox_fail_all (GstKvsOutbox * self, const gchar * reason);

/* The owner's thread: the expiry timer runs on @context (attach), and
 * stops with detach. */
G_GNUC_INTERNAL
void gst_kvs_outbox_attach (GstKvsOutbox * self, GMainContext * context);
G_GNUC_INTERNAL
void gst_kvs_outbox_detach (GstKvsOutbox * self);
/* Arms the expiry timer for the oldest message, if any and not armed. */
G_GNUC_INTERNAL
void gst_kvs_outbox_arm (GstKvsOutbox * self);
/* The owner's thread: writes the oldest message on @conn if the
 * connection's pacing lets it go now, and returns it (transfer full);
 * NULL when none waits or it must wait. Sending order is kept: call again
 * until NULL. */
G_GNUC_INTERNAL
GstKvsMessage *gst_kvs_outbox_write_next (GstKvsOutbox * self,
    GstKvsWsConnection * conn);

G_END_DECLS
