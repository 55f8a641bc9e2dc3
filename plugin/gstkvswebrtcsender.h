/* kvssignaling: what a WebRTC bin sends from one of its request sink pads,
 * kept across the webrtcbins of successive sessions.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include "gstkvsrtpcodecs.h"

G_BEGIN_DECLS

typedef struct _GstKvsWebrtcSender GstKvsWebrtcSender;

/* A sink pad @name of @bin (from @templ) feeding @codec's payloader (payload
 * type @pt) and an appsink, both added to @bin: upstream never sees what
 * happens to the sessions. NULL when the payloader is not installed. */
GstKvsWebrtcSender *gst_kvs_webrtc_sender_new (GstBin * bin,
    GstPadTemplate * templ, const gchar * name, const GstKvsRtpCodec * codec,
    gint pt);

GstPad *gst_kvs_webrtc_sender_get_pad (GstKvsWebrtcSender * self);
const GstKvsRtpCodec *gst_kvs_webrtc_sender_get_codec (
    GstKvsWebrtcSender * self);

/* A new appsrc in the bin, linked to a new sink pad of @webrtcbin (already
 * in the bin), fed from now on (a new reference; the caller owns it with the
 * session, and sets it to NULL and removes it). FALSE when webrtcbin gave
 * no pad. */
GstElement *gst_kvs_webrtc_sender_attach (GstKvsWebrtcSender * self,
    GstElement * webrtcbin);
/* Stops feeding the appsrc of the last attach. */
void gst_kvs_webrtc_sender_detach (GstKvsWebrtcSender * self);

/* Removes the pad and the elements from the bin and frees. */
void gst_kvs_webrtc_sender_free (GstKvsWebrtcSender * self);

G_END_DECLS
