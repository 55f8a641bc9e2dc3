/* kvssignaling: kvssignalingsink, what webrtcbin says to the channel.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvssignalingbase.h"

G_BEGIN_DECLS

#define GST_TYPE_KVS_SIGNALING_SINK (gst_kvs_signaling_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsSignalingSink, gst_kvs_signaling_sink,
    GST, KVS_SIGNALING_SINK, GstKvsSignalingBase)

G_END_DECLS
