/* kvssignaling: one viewer of kvswebrtcsink: its webrtcbin and, per stream,
 * the branch from the stream's tee to it.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include "gstkvswebrtccodec.h"

G_BEGIN_DECLS

#define GST_TYPE_KVS_WEBRTC_VIEWER (gst_kvs_webrtc_viewer_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsWebrtcViewer, gst_kvs_webrtc_viewer,
    GST, KVS_WEBRTC_VIEWER, GObject)

/* Called (on a streaming thread) for each stream the viewer sends back: a
 * src pad of the viewer's webrtcbin, to be linked. */
typedef void (*GstKvsWebrtcViewerRecvFunc) (GstKvsWebrtcViewer * viewer,
    GstPad * pad, gpointer user_data);

/* A new viewer @client_id (NULL: the master, for role=viewer) in @bin (not
 * referenced: the bin owns its viewers) with a new webrtcbin named
 * @name, added to @bin (not yet started). */
GstKvsWebrtcViewer *gst_kvs_webrtc_viewer_new (GstBin * bin,
    const gchar * client_id, const gchar * name, GstKvsWebrtcViewerRecvFunc recv,
    gpointer recv_data);

/* Adds the branch of one stream: @tee → queue (leaky, @queue_time) →
 * payloader at @pt → webrtcbin sink pad with the RTP caps of @codec at @pt.
 * The elements are added to the bin and linked, not yet started nor linked
 * to @tee (gst_kvs_webrtc_viewer_start() does). */
gboolean gst_kvs_webrtc_viewer_add_stream (GstKvsWebrtcViewer * self,
    GstElement * tee, const GstKvsRtpCodec * codec, gint pt,
    GstClockTime queue_time, GError ** error);

/* Starts the webrtcbin and the branches (state of the bin), then links the
 * branches to their tees. */
void gst_kvs_webrtc_viewer_start (GstKvsWebrtcViewer * self);

/* Takes @element (in the bin) into the viewer's life: it is set to NULL and
 * removed with the viewer. */
void gst_kvs_webrtc_viewer_own_element (GstKvsWebrtcViewer * self,
    GstElement * element);
/* Same for a pad of the bin (a ghost pad exposing received media). */
void gst_kvs_webrtc_viewer_own_pad (GstKvsWebrtcViewer * self, GstPad * pad);

/* Unlinks from the tees, sets every element to NULL and removes it from
 * the bin. Idempotent; not from a streaming thread of the viewer. */
void gst_kvs_webrtc_viewer_teardown (GstKvsWebrtcViewer * self);

/* How long since the last packet from the viewer (since the viewer was
 * made, if none came). */
GstClockTime gst_kvs_webrtc_viewer_get_silence (GstKvsWebrtcViewer * self);

const gchar *gst_kvs_webrtc_viewer_get_client_id (GstKvsWebrtcViewer * self);
GstElement *gst_kvs_webrtc_viewer_get_webrtcbin (GstKvsWebrtcViewer * self);
guint gst_kvs_webrtc_viewer_get_n_streams (GstKvsWebrtcViewer * self);
gboolean gst_kvs_webrtc_viewer_is_torn_down (GstKvsWebrtcViewer * self);

/* client-id, connection-state, duration, bytes-sent, keyframe-requests,
 * streams. */
GstStructure *gst_kvs_webrtc_viewer_dup_stats (GstKvsWebrtcViewer * self);

G_END_DECLS
