/* kvssignaling: the process-wide registry of shared signaling connections.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvsconnection.h"

G_BEGIN_DECLS

/* The registry key of @settings: role, channel name or ARN, region, client
 * id (viewers), profile, endpoint. @scope (the pipeline) separates viewers
 * that let the library generate their client id; it is ignored otherwise,
 * so that every master of a channel in one process shares one connection
 * (KVS keeps only the newest master connection). */
gchar *gst_kvs_connection_settings_key (const GstKvsSettings *
    settings, gconstpointer scope);

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
