/* kvssignaling: the run's active WebSocket connection and make before
 * break. Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvssignalingrun.h"

G_BEGIN_DECLS

/* All in the run's thread. The supervisor's hooks: @hooks (static) with
 * @data. */
G_GNUC_INTERNAL
void gst_kvs_handover_init (GstKvsSignalingRun * run,
    const GstKvsHandoverHooks * hooks, gpointer data);

/* @conn (transfer full) completed its handshake: it becomes the active
 * connection, the one it replaces is closed (still read until it is), then
 * the "up" hook. */
G_GNUC_INTERNAL
void gst_kvs_handover_adopt (GstKvsSignalingRun * run,
    GstKvsWsConnection * conn);

/* The active connection when frames may be written on it now: open, not
 * told to go (GO_AWAY), not being replaced; else NULL. */
G_GNUC_INTERNAL
GstKvsWsConnection *gst_kvs_handover_writable (GstKvsSignalingRun * run);

/* Make before break (GO_AWAY, the maximum age, a retry): opens a
 * replacement with the request timeout, then closes the old connection.
 * Without a connection the "failed" hook is called (error NULL); without
 * endpoints the "attempt" hook. */
G_GNUC_INTERNAL
void gst_kvs_handover_replace (GstKvsSignalingRun * run, const gchar * why);

/* Closes the active connection (giving up, stopping) and the retry timer. */
G_GNUC_INTERNAL
void gst_kvs_handover_drop (GstKvsSignalingRun * run);

G_END_DECLS
