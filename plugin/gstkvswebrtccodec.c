/* kvssignaling: how a viewer's offer numbers the codecs kvswebrtcsink
 * sends, and their payloaders (see gstkvswebrtccodec.h).
 *
 * Browsers and AWS's SDKs number the same codec differently (Opus at 111,
 * H.264 at 102 or 125, …) and webrtcbin 1.22 only answers an m-line with a
 * sending transceiver whose caps intersect the offered ones, payload type
 * included. So each viewer is payloaded with the numbers of its own offer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvswebrtccodec.h"
#include "gstkvswebrtcbinutils.h"

#include <string.h>

/* The value of "a=fmtp:<pt> …" in @media, NULL if none. */
static const gchar *
fmtp_of (const GstSDPMedia * media, gint pt)
{
  guint i;

  for (i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, i);
    gchar *end = NULL;

    if (g_strcmp0 (a->key, "fmtp") != 0 || a->value == NULL)
      continue;
    if (g_ascii_strtoll (a->value, &end, 10) == pt && end != a->value)
      return end;
  }
  return NULL;
}

/* How well H.264 parameters fit what we send (higher is better). */
static gint
h264_score (const gchar * fmtp)
{
  gint score = 0;

  if (fmtp == NULL)
    return 0;
  if (strstr (fmtp, "packetization-mode=1"))
    score += 4;
  /* Constrained Baseline (42e0…/42c0…) is what every viewer decodes and
   * what openh264 and most cameras produce. */
  if (strstr (fmtp, "profile-level-id=42e0")
      || strstr (fmtp, "profile-level-id=42c0"))
    score += 2;
  else if (strstr (fmtp, "profile-level-id=42"))
    score += 1;
  return score;
}

/* Whether the viewer will receive on @media: not sendonly nor inactive,
 * not rejected (port 0, unless it is bundle-only, as max-bundle offers
 * make every m-line but the first). */
static gboolean
media_receives (const GstSDPMedia * media)
{
  return (gst_sdp_media_get_port (media) != 0
      || gst_sdp_media_get_attribute_val (media, "bundle-only") != NULL)
      && gst_sdp_media_get_attribute_val (media, "sendonly") == NULL
      && gst_sdp_media_get_attribute_val (media, "inactive") == NULL;
}

gint
gst_kvs_codec_offered_pt (const GstSDPMessage * sdp,
    const GstKvsRtpCodec * codec, guint64 * taken)
{
  guint m, i;

  for (m = 0; m < gst_sdp_message_medias_len (sdp) && m < 64; m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, m);
    gint best = -1, best_score = -1;

    if ((*taken & (G_GUINT64_CONSTANT (1) << m))
        || g_strcmp0 (gst_sdp_media_get_media (media), codec->media) != 0
        || !media_receives (media))
      continue;

    for (i = 0; i < gst_sdp_media_attributes_len (media); i++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, i);
      g_auto (GStrv) parts = NULL;
      gchar *end = NULL;
      gint pt, score;

      if (g_strcmp0 (a->key, "rtpmap") != 0 || a->value == NULL)
        continue;
      pt = (gint) g_ascii_strtoll (a->value, &end, 10);
      if (end == a->value || pt < 0 || pt > 127)
        continue;
      parts = g_strsplit (g_strstrip (end), "/", 3);
      if (parts[0] == NULL
          || g_ascii_strcasecmp (parts[0], codec->name) != 0
          || parts[1] == NULL
          || g_ascii_strtoll (parts[1], NULL, 10) != codec->clock_rate)
        continue;
      score = g_str_equal (codec->name, "H264") ?
          h264_score (fmtp_of (media, pt)) : 0;
      if (score > best_score) {
        best = pt;
        best_score = score;
      }
    }
    if (best >= 0) {
      *taken |= G_GUINT64_CONSTANT (1) << m;
      return best;
    }
  }
  return -1;
}

GstElement *
gst_kvs_codec_make_payloader (const GstKvsRtpCodec * codec, gint pt)
{
  GstElement *pay = gst_element_factory_make (codec->payloader, NULL);

  if (pay == NULL)
    return NULL;
  g_object_set (pay, "pt", (guint) pt, NULL);
  if (g_str_equal (codec->name, "H264")) {
    /* SPS/PPS with every IDR: a viewer may join at any keyframe. */
    g_object_set (pay, "config-interval", -1, NULL);
    gst_util_set_object_arg (G_OBJECT (pay), "aggregate-mode", "zero-latency");
  }
  return pay;
}

gchar *
gst_kvs_codec_payload_problem (GstElement * webrtcbin, const gchar * sdp)
{
  g_autoptr (GstSDPMessage) offer = NULL;
  g_autoptr (GString) problems = g_string_new (NULL);
  g_autoptr (GString) fixes = g_string_new (NULL);
  GList *pads, *l;
  guint64 taken = 0;

  if (sdp == NULL || gst_sdp_message_new_from_text (sdp, &offer) != GST_SDP_OK)
    return NULL;
  pads = gst_kvs_webrtcbin_dup_sink_pads (webrtcbin);
  for (l = pads; l; l = l->next) {
    g_autoptr (GstCaps) caps = gst_pad_get_current_caps (l->data);
    const GstKvsRtpCodec *codec;
    const GstStructure *s;
    gint pt, current = -1;

    if (caps == NULL || gst_caps_get_size (caps) != 1)
      continue;
    s = gst_caps_get_structure (caps, 0);
    codec = gst_kvs_rtp_codec_find (gst_structure_get_string (s, "media"),
        gst_structure_get_string (s, "encoding-name"));
    if (codec == NULL || !gst_structure_get_int (s, "payload", &current))
      continue;
    pt = gst_kvs_codec_offered_pt (offer, codec, &taken);
    if (pt < 0 || pt == current)
      continue;
    g_string_append_printf (problems, "%s%s sends %s at payload type %d "
        "where the offer has %d", problems->len ? "; " : "",
        GST_PAD_NAME (l->data), codec->name, current, pt);
    g_string_append_printf (fixes, "%s%s pt=%d and payload=%d in the caps "
        "after it", fixes->len ? "; " : "", codec->payloader, pt, pt);
  }
  g_list_free_full (pads, gst_object_unref);
  if (problems->len == 0)
    return NULL;
  g_string_append_printf (problems, ". Payload at the offer's types (%s), "
      "or use kvswebrtcsink, which payloads for each peer", fixes->str);
  return g_string_free (g_steal_pointer (&problems), FALSE);
}
