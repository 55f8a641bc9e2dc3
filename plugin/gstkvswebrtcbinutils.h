/* kvssignaling: small helpers around webrtcbin used by the elements.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

/* The `a=mid` of m-line @mline_index of @desc, or NULL. */
gchar *gst_kvs_webrtc_sdp_dup_mid (const GstWebRTCSessionDescription * desc,
    guint mline_index);

/* The index of the m-line whose `a=mid` is @mid, or -1. */
gint gst_kvs_webrtc_sdp_find_mid (const GstWebRTCSessionDescription * desc,
    const gchar * mid);

/* The session identity of @sdp: "<username> <sess-id>" of its `o=` line
 * (gst_sdp_message_get_origin()), or NULL when either is missing. RFC 3264
 * keeps it for the life of a session (only the version grows), so a
 * re-offer with another one comes from a new peer connection. */
gchar *gst_kvs_webrtc_sdp_dup_origin (const GstSDPMessage * sdp);

/* @sdp as text: the same text as gst_sdp_message_as_text(), byte for byte,
 * without its printf per line (a webrtcbin offer has a few hundred lines:
 * as_text was two thirds of the sink's cost per SDP). What webrtcbin's
 * descriptions never carry (e=, p=, r=, z=, k=, a media's i=, multicast
 * c=, fields as_text would print as "(null)") is left to as_text. */
gchar *gst_kvs_webrtc_sdp_to_text (const GstSDPMessage * sdp);

/* Parse @sdp text into a description of @type; NULL and @error when the text
 * is not SDP. */
GstWebRTCSessionDescription *gst_kvs_webrtc_description_new (
    GstWebRTCSDPType type, const gchar * sdp, GError ** error);

/* Restrict webrtcbin's ICE agent to the comma- or space-separated @addresses
 * (emits add-local-ip-address for each). Must run before gathering starts.
 * FALSE and @error when one is refused. */
gboolean gst_kvs_webrtcbin_restrict_addresses (GstElement * webrtcbin,
    const gchar * addresses, GError ** error);

/* Turn off UPnP port mapping in webrtcbin's NiceAgent (GstWebRTCNice's
 * "agent" property, libnice's "upnp"). Must run before gathering starts.
 * FALSE when the ICE agent exposes no NiceAgent (another ICE
 * implementation): nothing to do then. */
gboolean gst_kvs_webrtcbin_disable_upnp (GstElement * webrtcbin);

/* Add one recvonly transceiver per structure of @caps. */
guint gst_kvs_webrtcbin_add_recv_transceivers (GstElement * webrtcbin,
    const GstCaps * caps);

/* Number of transceivers of @webrtcbin. */
guint gst_kvs_webrtcbin_count_transceivers (GstElement * webrtcbin);

/* The sink pads of @webrtcbin, referenced (free with
 * g_list_free_full (pads, gst_object_unref)). */
GList *gst_kvs_webrtcbin_dup_sink_pads (GstElement * webrtcbin);

G_END_DECLS
