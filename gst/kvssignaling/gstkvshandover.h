/* kvssignaling: the run's active WebSocket connection and make before
 * break. Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvssignalingrun.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_HANDOVER (gst_kvs_handover_get_type ())
G_GNUC_INTERNAL
G_DECLARE_FINAL_TYPE (GstKvsHandover, gst_kvs_handover, GST_KVS, HANDOVER,
    GObject)

/* Everything here runs in the run's thread (GST_KVS_CHECK_OWNER), and the
 * signals are emitted there, to the supervisor:
 *  "message" (GstKvsWsConnection, GstKvsMessage): a frame from the active
 *    connection, or from one still read until it is closed;
 *  "up" (GstKvsWsConnection): a connection (a first one or a replacement)
 *    became the active one;
 *  "lost" (GError, gint64 up-since, gboolean replacing): the active
 *    connection, up since up-since (monotonic us), is gone; replacing: a
 *    replacement is already on its way;
 *  "writable": the active connection may take frames again;
 *  "failed" (GstKvsSignalingState, GError or NULL): no connection is left:
 *    a replacement that failed during that step, or a replacement asked
 *    for without a connection (NULL);
 *  "need-attempt": a replacement needs the endpoints first (a full
 *    attempt);
 *  "duration" (guint stat, gint64 started): a replacement's handshake that
 *    began at started (monotonic us) ended (GST_KVS_STAT_CONNECT).
 *
 * @run (not owned: it owns the handover) gives the context, the resolver,
 * the backoff, the cancellable and the supervisor's flags; @log_object
 * (not owned, outlives the handover) is the object of its logs. */
G_GNUC_INTERNAL
GstKvsHandover *gst_kvs_handover_new (GstKvsSignalingRun * run,
    gpointer log_object);

/* @conn (transfer full) completed its handshake: it becomes the active
 * connection, the one it replaces is closed (still read until it is), then
 * "up". */
G_GNUC_INTERNAL
void gst_kvs_handover_adopt (GstKvsHandover * self,
    GstKvsWsConnection * conn);

/* The active connection when frames may be written on it now: open, not
 * told to go (GO_AWAY), not being replaced; else NULL. */
G_GNUC_INTERNAL
GstKvsWsConnection *gst_kvs_handover_writable (GstKvsHandover * self);

/* Make before break (GO_AWAY, the maximum age, a retry): opens a
 * replacement with the request timeout, then closes the old connection.
 * Without a connection "failed" is emitted (error NULL); without endpoints
 * "need-attempt". */
G_GNUC_INTERNAL
void gst_kvs_handover_replace (GstKvsHandover * self, const gchar * why);

/* Closes the active connection (giving up, stopping) and the retry timer. */
G_GNUC_INTERNAL
void gst_kvs_handover_drop (GstKvsHandover * self);

/* The connections closed and still waited for (their close handshakes). */
G_GNUC_INTERNAL
guint gst_kvs_handover_get_n_closing (GstKvsHandover * self);

G_END_DECLS
