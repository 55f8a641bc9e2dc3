/* kvssignaling: the signaling client's status and statistics.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsclientstats.h"
#include "gstkvsenumtypes.h"
#include "gstkvsiceserver.h"

static const gchar *const duration_names[GST_KVS_N_STAT_DURATIONS] = {
  "describe-time", "create-time", "get-endpoint-time", "get-ice-config-time",
  "connect-time"
};

void
gst_kvs_client_stats_reset (GstKvsClientStats * stats)
{
  memset (stats, 0, sizeof (*stats));
  for (guint i = 0; i < GST_KVS_N_STAT_DURATIONS; i++)
    stats->durations[i] = GST_CLOCK_TIME_NONE;
}

void
gst_kvs_client_stats_count (guint64 * counters, GstKvsMessageType type)
{
  if (type > GST_KVS_MESSAGE_TYPE_UNKNOWN &&
      type <= GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER)
    counters[type]++;
}

/* "messages-<sent|received>-<type>" for the types @first to @last. */
static void
add_counters (GstStructure * s, const gchar * direction,
    const guint64 * counters, GstKvsMessageType first, GstKvsMessageType last)
{
  GEnumClass *klass = g_type_class_ref (GST_TYPE_KVS_MESSAGE_TYPE);

  for (GstKvsMessageType t = first; t <= last; t++) {
    g_autofree gchar *name = g_strdup_printf ("messages-%s-%s", direction,
        g_enum_get_value (klass, t)->value_nick);

    gst_structure_set (s, name, G_TYPE_UINT64, counters[t], NULL);
  }
  g_type_class_unref (klass);
}

GstStructure *
gst_kvs_client_stats_to_structure (const GstKvsClientStats * stats,
    GstKvsSignalingState state, GstKvsRole role, guint queue_depth)
{
  GstStructure *s;

  s = gst_structure_new ("kvssignaling-stats",
      "state", GST_TYPE_KVS_SIGNALING_STATE, state,
      "role", GST_TYPE_KVS_ROLE, role, NULL);
  /* a call never made has no duration: its field is absent */
  for (guint i = 0; i < GST_KVS_N_STAT_DURATIONS; i++)
    if (GST_CLOCK_TIME_IS_VALID (stats->durations[i]))
      gst_structure_set (s, duration_names[i], G_TYPE_UINT64,
          stats->durations[i], NULL);
  /* what a client sends: offers, answers, candidates; what it receives:
   * also the service's own messages */
  add_counters (s, "sent", stats->sent, GST_KVS_MESSAGE_TYPE_SDP_OFFER,
      GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE);
  add_counters (s, "received", stats->received,
      GST_KVS_MESSAGE_TYPE_SDP_OFFER,
      GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER);
  gst_structure_set (s,
      "reconnects", G_TYPE_UINT64, stats->reconnects,
      "send-failures", G_TYPE_UINT64, stats->send_failures,
      "ice-server-refreshes", G_TYPE_UINT64, stats->ice_server_refreshes,
      "queue-depth", G_TYPE_UINT, queue_depth, NULL);
  return s;
}

void
gst_kvs_client_status_init (GstKvsClientStatus * status)
{
  memset (status, 0, sizeof (*status));
  g_mutex_init (&status->lock);
  status->ice_servers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_kvs_ice_server_unref);
  gst_kvs_client_stats_reset (&status->stats);
}

void
gst_kvs_client_status_clear (GstKvsClientStatus * status)
{
  g_free (status->arn);
  g_free (status->region);
  g_free (status->region_source);
  g_free (status->client_id);
  g_free (status->credentials_source);
  g_ptr_array_unref (status->ice_servers);
  g_mutex_clear (&status->lock);
}

static void
replace (gchar ** field, const gchar * value)
{
  g_free (*field);
  *field = g_strdup (value);
}

void
gst_kvs_client_status_begin_run (GstKvsClientStatus * status,
    const gchar * arn, const gchar * region, const gchar * region_source,
    const gchar * client_id)
{
  g_mutex_lock (&status->lock);
  replace (&status->arn, arn);
  replace (&status->region, region);
  replace (&status->region_source, region_source);
  replace (&status->client_id, client_id);
  gst_kvs_client_stats_reset (&status->stats);
  g_mutex_unlock (&status->lock);
}

void
gst_kvs_client_status_set_arn (GstKvsClientStatus * status, const gchar * arn)
{
  g_mutex_lock (&status->lock);
  if (arn && g_strcmp0 (status->arn, arn) != 0)
    replace (&status->arn, arn);
  g_mutex_unlock (&status->lock);
}

gchar *
gst_kvs_client_status_dup (GstKvsClientStatus * status, GstKvsStatusField field)
{
  gchar *const *fields[] = {
    [GST_KVS_STATUS_ARN] = &status->arn,
    [GST_KVS_STATUS_REGION] = &status->region,
    [GST_KVS_STATUS_REGION_SOURCE] = &status->region_source,
    [GST_KVS_STATUS_CLIENT_ID] = &status->client_id,
  };
  gchar *copy;

  g_mutex_lock (&status->lock);
  copy = g_strdup (*fields[field]);
  g_mutex_unlock (&status->lock);
  return copy;
}

void
gst_kvs_client_status_set_ice_servers (GstKvsClientStatus * status,
    GPtrArray * servers, gboolean refreshed)
{
  g_mutex_lock (&status->lock);
  g_ptr_array_unref (status->ice_servers);
  status->ice_servers = servers;
  if (refreshed)
    status->stats.ice_server_refreshes++;
  g_mutex_unlock (&status->lock);
}

GPtrArray *
gst_kvs_client_status_dup_ice_servers (GstKvsClientStatus * status)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_kvs_ice_server_unref);

  g_mutex_lock (&status->lock);
  for (guint i = 0; i < status->ice_servers->len; i++)
    g_ptr_array_add (copy,
        gst_kvs_ice_server_ref (g_ptr_array_index (status->ice_servers, i)));
  g_mutex_unlock (&status->lock);
  return copy;
}

void
gst_kvs_client_status_duration (GstKvsClientStatus * status, guint which,
    gint64 started)
{
  g_mutex_lock (&status->lock);
  status->stats.durations[which] =
      (GstClockTime) (g_get_monotonic_time () - started) * GST_USECOND;
  g_mutex_unlock (&status->lock);
}

void
gst_kvs_client_status_message (GstKvsClientStatus * status, gboolean sent,
    GstKvsMessageType type)
{
  g_mutex_lock (&status->lock);
  gst_kvs_client_stats_count (sent ? status->stats.sent :
      status->stats.received, type);
  g_mutex_unlock (&status->lock);
}

void
gst_kvs_client_status_connected (GstKvsClientStatus * status)
{
  g_mutex_lock (&status->lock);
  if (status->stats.connections++ > 0)
    status->stats.reconnects++;
  g_mutex_unlock (&status->lock);
}

void
gst_kvs_client_status_send_failed (GstKvsClientStatus * status)
{
  g_mutex_lock (&status->lock);
  status->stats.send_failures++;
  g_mutex_unlock (&status->lock);
}

void
gst_kvs_client_status_set_credentials (GstKvsClientStatus * status,
    const gchar * source, gint64 expiration)
{
  g_mutex_lock (&status->lock);
  replace (&status->credentials_source, source);
  status->credentials_expiration = expiration;
  g_mutex_unlock (&status->lock);
}

GstStructure *
gst_kvs_client_status_to_structure (GstKvsClientStatus * status,
    GstKvsSignalingState state, GstKvsRole role, guint queue_depth)
{
  GstStructure *s;

  g_mutex_lock (&status->lock);
  s = gst_kvs_client_stats_to_structure (&status->stats, state, role,
      queue_depth);
  if (status->credentials_source)
    gst_structure_set (s, "credentials-source", G_TYPE_STRING,
        status->credentials_source, "credentials-expiration", G_TYPE_INT64,
        status->credentials_expiration, NULL);
  g_mutex_unlock (&status->lock);
  return s;
}
