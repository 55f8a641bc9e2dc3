/* kvssignaling: small helpers around webrtcbin used by the elements.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

/* The `a=mid` of m-line @mline_index of @desc, or NULL. */
gchar *gst_kvs_webrtc_sdp_dup_mid (const GstWebRTCSessionDescription * desc,
    guint mline_index);

/* The index of the m-line whose `a=mid` is @mid, or -1. */
gint gst_kvs_webrtc_sdp_find_mid (const GstWebRTCSessionDescription * desc,
    const gchar * mid);

/* Parse @sdp text into a description of @type; NULL and @error when the text
 * is not SDP. */
GstWebRTCSessionDescription *gst_kvs_webrtc_description_new (
    GstWebRTCSDPType type, const gchar * sdp, GError ** error);

/* Restrict webrtcbin's ICE agent to the comma- or space-separated @addresses
 * (emits add-local-ip-address for each). Must run before gathering starts.
 * FALSE and @error when one is refused. */
gboolean gst_kvs_webrtcbin_restrict_addresses (GstElement * webrtcbin,
    const gchar * addresses, GError ** error);

/* Add one recvonly transceiver per structure of @caps. */
guint gst_kvs_webrtcbin_add_recv_transceivers (GstElement * webrtcbin,
    const GstCaps * caps);

/* Number of transceivers of @webrtcbin. */
guint gst_kvs_webrtcbin_count_transceivers (GstElement * webrtcbin);

G_END_DECLS
