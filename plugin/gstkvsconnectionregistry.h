/* kvssignaling: the process-wide registry of shared signaling connections.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvsconnection.h"

G_BEGIN_DECLS

/* The connection for @settings' key: the existing one (its settings win) or a
 * new one. Returns a new reference; release it with
 * gst_kvs_connection_registry_release(). */
GstKvsConnection *gst_kvs_connection_registry_acquire (
    const GstKvsSettings * settings, gconstpointer scope);

/* Drop a reference taken by acquire(); the last one removes the entry. */
void gst_kvs_connection_registry_release (GstKvsConnection * connection);

/* Number of live connections (tests). */
guint gst_kvs_connection_registry_count (void);

G_END_DECLS
