/* kvssignaling: what kvswebrtcsink and kvswebrtcsrc share: a bin holding
 * the kvssignalingsrc/kvssignalingsink pair, with the pair's properties.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>

G_BEGIN_DECLS
#define GST_TYPE_KVS_WEBRTC_BASE (gst_kvs_webrtc_base_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstKvsWebrtcBase, gst_kvs_webrtc_base,
    GST, KVS_WEBRTC_BASE, GstBin)
/**
 * GstKvsWebrtcBaseClass:
 * @default_role: the role of a new element (kvswebrtcsink: master,
 *   kvswebrtcsrc: viewer).
 *
 * The base installs every connection property of the pair (channel-name,
 * aws-region, credentials, endpoint, …, and the read-only `state`) under
 * the same names and hands each value to both inner elements. Subclasses
 * install `role` (with their own default, set through
 * gst_kvs_webrtc_base_set_role()), `stats` and their own properties.
 */
     struct _GstKvsWebrtcBaseClass
     {
       GstBinClass parent_class;

       GstKvsRole default_role;
     };

/* The inner kvssignalingsrc and kvssignalingsink (borrowed: they live as
 * long as the bin). */
     GstElement *gst_kvs_webrtc_base_get_signaling_src (GstKvsWebrtcBase *
    self);
     GstElement *gst_kvs_webrtc_base_get_signaling_sink (GstKvsWebrtcBase *
    self);

     GstKvsRole gst_kvs_webrtc_base_get_role (GstKvsWebrtcBase * self);
/* Sets the role of the bin and of both inner elements (NULL or READY). */
     void gst_kvs_webrtc_base_set_role (GstKvsWebrtcBase * self,
    GstKvsRole role);

/* The viewer client id in use: the client-id property, or the one generated
 * at NULL→READY when it is unset (one per bin, so that two viewer bins in
 * one pipeline are two viewers). NULL for a master. */
     gchar *gst_kvs_webrtc_base_dup_client_id (GstKvsWebrtcBase * self);

/* The channel name or ARN, for messages. */
     gchar *gst_kvs_webrtc_base_dup_channel (GstKvsWebrtcBase * self);

G_END_DECLS
