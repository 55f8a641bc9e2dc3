/* kvssignaling: how a viewer's offer numbers the codecs kvswebrtcsink
 * sends (the codecs: gstkvsrtpcodecs.h), and their payloaders.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include "gstkvsrtpcodecs.h"

G_BEGIN_DECLS

/* The payload type the offer @sdp uses for @codec, -1 when it offers none
 * (or only in m-lines where it will not receive). Skips the m-lines in
 * @taken (bit mask of m-line indexes, updated with the one chosen). H.264
 * prefers packetization-mode=1 with a Constrained Baseline profile. */
gint gst_kvs_codec_offered_pt (const GstSDPMessage * sdp,
    const GstKvsRtpCodec * codec, guint64 * taken);

/* webrtcbin 1.22 answers with the payload types its sink pads receive:
 * when an offered codec's payload type is not its sink pad's, the answer
 * is one the offerer cannot use (no media), or webrtcbin aborts the whole
 * process (an assertion, seen with H.264 offers). Why the offer @sdp
 * cannot be answered by @webrtcbin (its sink pads' payload types against
 * the offer's, and how to fix it), or NULL (transfer full). */
gchar *gst_kvs_codec_payload_problem (GstElement * webrtcbin,
    const gchar * sdp);

/* The payloader of @codec configured to send @pt; NULL when the factory is
 * missing. */
GstElement *gst_kvs_codec_make_payloader (const GstKvsRtpCodec * codec,
    gint pt);

G_END_DECLS
