/* kvssignaling: the signaling client's status and statistics.
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

/* What the client found out and counted, read from any thread: the names
 * resolved at start (the ARN also after a describe), the ICE servers and
 * the statistics. A plain struct embedded in the client, with its own
 * lock (taken alone, never around a call out). */
typedef struct
{
  GMutex lock;
  gchar *arn;
  gchar *region;
  gchar *region_source;
  gchar *client_id;             /* a viewer's */
  GPtrArray *ice_servers;       /* GstKvsIceServer */
  gchar *credentials_source;    /* where the current credentials came from */
  gint64 credentials_expiration;        /* unix seconds, 0: never */
  GstKvsClientStats stats;
} GstKvsClientStatus;

/* The fields of gst_kvs_client_status_dup(). */
typedef enum
{
  GST_KVS_STATUS_ARN,
  GST_KVS_STATUS_REGION,
  GST_KVS_STATUS_REGION_SOURCE,
  GST_KVS_STATUS_CLIENT_ID,
} GstKvsStatusField;

G_GNUC_INTERNAL
void gst_kvs_client_status_init (GstKvsClientStatus * status);
G_GNUC_INTERNAL
void gst_kvs_client_status_clear (GstKvsClientStatus * status);
/* A run starts with these names; the counters start at zero. */
G_GNUC_INTERNAL
void gst_kvs_client_status_begin_run (GstKvsClientStatus * status,
    const gchar * arn, const gchar * region, const gchar * region_source,
    const gchar * client_id);
/* What a describe found (NULL: nothing). */
G_GNUC_INTERNAL
void gst_kvs_client_status_set_arn (GstKvsClientStatus * status,
    const gchar * arn);
G_GNUC_INTERNAL
gchar *gst_kvs_client_status_dup (GstKvsClientStatus * status,
    GstKvsStatusField field);
/* Keeps @servers (transfer full); @refreshed: from the background refresh
 * (counted). */
G_GNUC_INTERNAL
void gst_kvs_client_status_set_ice_servers (GstKvsClientStatus * status,
    GPtrArray * servers, gboolean refreshed);
G_GNUC_INTERNAL
GPtrArray *gst_kvs_client_status_dup_ice_servers (GstKvsClientStatus *
    status);
/* A call of @which (GST_KVS_STAT_*) that began at @started (monotonic us)
 * ended. */
G_GNUC_INTERNAL
void gst_kvs_client_status_duration (GstKvsClientStatus * status,
    guint which, gint64 started);
/* One more message of @type, sent or received. */
G_GNUC_INTERNAL
void gst_kvs_client_status_message (GstKvsClientStatus * status,
    gboolean sent, GstKvsMessageType type);
/* A connection came up. */
G_GNUC_INTERNAL
void gst_kvs_client_status_connected (GstKvsClientStatus * status);
G_GNUC_INTERNAL
void gst_kvs_client_status_send_failed (GstKvsClientStatus * status);
/* The credentials now signing (their source and expiry, never a secret). */
G_GNUC_INTERNAL
void gst_kvs_client_status_set_credentials (GstKvsClientStatus * status,
    const gchar * source, gint64 expiration);
/* The "kvssignaling-stats" structure of the counters, with
 * "credentials-source" (string) and "credentials-expiration" (gint64, unix
 * seconds; 0: never) when credentials are known. */
G_GNUC_INTERNAL
GstStructure *gst_kvs_client_status_to_structure (GstKvsClientStatus *
    status, GstKvsSignalingState state, GstKvsRole role, guint queue_depth);

G_END_DECLS
