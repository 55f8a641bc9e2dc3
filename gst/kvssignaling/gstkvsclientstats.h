/* kvssignaling: the signaling client's statistics.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include "gstkvstypes.h"

G_BEGIN_DECLS

/* Durations of the last calls, indices of GstKvsClientStats.durations. */
enum
{
  GST_KVS_STAT_DESCRIBE,
  GST_KVS_STAT_CREATE,
  GST_KVS_STAT_GET_ENDPOINT,
  GST_KVS_STAT_GET_ICE_CONFIG,
  GST_KVS_STAT_CONNECT,
  GST_KVS_N_STAT_DURATIONS
};

/* Counters of gst_kvs_signaling_client_get_stats(); a plain struct,
 * guarded by the client's lock. */
typedef struct
{
  GstClockTime durations[GST_KVS_N_STAT_DURATIONS];
  guint64 sent[GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER + 1];
  guint64 received[GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER + 1];
  guint64 connections;          /* connections that came up, this run */
  guint64 reconnects;
  guint64 send_failures;
  guint64 ice_server_refreshes;
} GstKvsClientStats;

/* Everything at zero, no duration known. */
G_GNUC_INTERNAL
void gst_kvs_client_stats_reset (GstKvsClientStats * stats);
/* One more message of @type in @counters (sent or received). */
G_GNUC_INTERNAL
void gst_kvs_client_stats_count (guint64 * counters, GstKvsMessageType type);
/* The "kvssignaling-stats" structure. */
G_GNUC_INTERNAL
GstStructure *gst_kvs_client_stats_to_structure (const GstKvsClientStats *
    stats, GstKvsSignalingState state, GstKvsRole role, guint queue_depth);

G_END_DECLS
