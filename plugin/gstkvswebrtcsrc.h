/* kvssignaling: kvswebrtcsrc, a KVS channel's media as source pads.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvswebrtcbase.h"

G_BEGIN_DECLS

#define GST_TYPE_KVS_WEBRTC_SRC (gst_kvs_webrtc_src_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsWebrtcSrc, gst_kvs_webrtc_src,
    GST, KVS_WEBRTC_SRC, GstKvsWebrtcBase)

G_END_DECLS
