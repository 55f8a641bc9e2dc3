/* kvssignaling: kvssignalingsrc, what the channel says to webrtcbin.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvssignalingbase.h"

G_BEGIN_DECLS

#define GST_TYPE_KVS_SIGNALING_SRC (gst_kvs_signaling_src_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsSignalingSrc, gst_kvs_signaling_src,
    GST, KVS_SIGNALING_SRC, GstKvsSignalingBase)

G_END_DECLS
