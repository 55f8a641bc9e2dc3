/* kvssignaling: the connect procedure, from the channel to an open
 * WebSocket. Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvssignalingrun.h"

G_BEGIN_DECLS

/* What the procedure tells its caller while it runs (the caller's state,
 * statistics and ICE servers follow). */
typedef struct
{
  /* a step begins (DESCRIBE, CREATE, GET_ENDPOINT, GET_ICE_CONFIG,
   * CONNECTING) */
  void (*step) (GstKvsSignalingState step, gpointer user_data);
  /* a call of @stat (GST_KVS_STAT_*) that began at @started (monotonic
   * us) ended */
  void (*duration) (guint stat, gint64 started, gpointer user_data);
  /* GetIceServerConfig gave @servers (transfer full) */
  void (*ice_servers) (GPtrArray * servers, gpointer user_data);
} GstKvsConnectHooks;

/* Runs, on the run's thread, the steps the run's resolver still needs
 * (DescribeSignalingChannel, waiting for ACTIVE, CreateSignalingChannel
 * when @create_channel, GetSignalingChannelEndpoint, GetIceServerConfig),
 * then opens the WebSocket. Each step has the run's request timeout. */
G_GNUC_INTERNAL
void gst_kvs_connect_async (GstKvsSignalingRun * run,
    gboolean create_channel, guint message_ttl,
    const GstKvsConnectHooks * hooks, gpointer hooks_data,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
/* Opens, on the run's thread, a new WebSocket connection to replace the
 * open one (make before break), with the run's request timeout; the hooks'
 * step is not called. Ends with gst_kvs_connect_finish() (step
 * CONNECTING). */
G_GNUC_INTERNAL
void gst_kvs_connect_replacement_async (GstKvsSignalingRun * run,
    const GstKvsConnectHooks * hooks, gpointer hooks_data,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
/* The open connection; or NULL, the step that failed in @step and why. */
G_GNUC_INTERNAL
GstKvsWsConnection *gst_kvs_connect_finish (GAsyncResult * res,
    GstKvsSignalingState * step, GError ** error);

G_END_DECLS
