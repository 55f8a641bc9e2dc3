/* kvssignaling: kvswebrtcsink, a bin that puts encoded media on a KVS
 * signaling channel, for every viewer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvswebrtcbase.h"

G_BEGIN_DECLS

/**
 * GstKvsWebrtcSinkReceiveMedia:
 * @GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_DISCARD: media a viewer sends back is
 *   received and dropped inside the bin
 * @GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_EXPOSE: it appears on sometimes pads
 *   `recv_video_%u` / `recv_audio_%u`, depayloaded
 *
 * What kvswebrtcsink does with the media viewers send (two-way audio).
 */
typedef enum
{
  GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_DISCARD,
  GST_KVS_WEBRTC_SINK_RECEIVE_MEDIA_EXPOSE,
} GstKvsWebrtcSinkReceiveMedia;

#define GST_TYPE_KVS_WEBRTC_SINK_RECEIVE_MEDIA \
  (gst_kvs_webrtc_sink_receive_media_get_type ())
GType gst_kvs_webrtc_sink_receive_media_get_type (void);

#define GST_TYPE_KVS_WEBRTC_SINK (gst_kvs_webrtc_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsWebrtcSink, gst_kvs_webrtc_sink,
    GST, KVS_WEBRTC_SINK, GstKvsWebrtcBase)

G_END_DECLS
