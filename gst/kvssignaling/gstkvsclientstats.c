/* kvssignaling: the signaling client's statistics.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsclientstats.h"
#include "gstkvsenumtypes.h"

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
  gst_structure_set (s,
      "messages-sent-sdp-offer", G_TYPE_UINT64,
      stats->sent[GST_KVS_MESSAGE_TYPE_SDP_OFFER],
      "messages-sent-sdp-answer", G_TYPE_UINT64,
      stats->sent[GST_KVS_MESSAGE_TYPE_SDP_ANSWER],
      "messages-sent-ice-candidate", G_TYPE_UINT64,
      stats->sent[GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE],
      "messages-received-sdp-offer", G_TYPE_UINT64,
      stats->received[GST_KVS_MESSAGE_TYPE_SDP_OFFER],
      "messages-received-sdp-answer", G_TYPE_UINT64,
      stats->received[GST_KVS_MESSAGE_TYPE_SDP_ANSWER],
      "messages-received-ice-candidate", G_TYPE_UINT64,
      stats->received[GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE],
      "messages-received-status-response", G_TYPE_UINT64,
      stats->received[GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE],
      "messages-received-go-away", G_TYPE_UINT64,
      stats->received[GST_KVS_MESSAGE_TYPE_GO_AWAY],
      "messages-received-reconnect-ice-server", G_TYPE_UINT64,
      stats->received[GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER],
      "reconnects", G_TYPE_UINT64, stats->reconnects,
      "send-failures", G_TYPE_UINT64, stats->send_failures,
      "ice-server-refreshes", G_TYPE_UINT64, stats->ice_server_refreshes,
      "queue-depth", G_TYPE_UINT, queue_depth, NULL);
  return s;
}
