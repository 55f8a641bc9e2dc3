/* kvssignaling: the codecs the WebRTC bins negotiate.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsrtpcodecs.h"

static const GstKvsRtpCodec codecs[] = {
  {"VP8", "video", 90000, NULL, "rtpvp8depay", "rtpvp8pay", "video/x-vp8",
      96},
  {"VP9", "video", 90000, NULL, "rtpvp9depay", "rtpvp9pay", "video/x-vp9",
      98},
  /* Constrained baseline, packetization-mode 1: what browsers and AWS's
   * SDKs offer first. */
  {"H264", "video", 90000,
        "packetization-mode=(string)1,profile-level-id=(string)42e01f,"
        "level-asymmetry-allowed=(string)1",
      "rtph264depay", "rtph264pay", "video/x-h264", 102},
  {"H265", "video", 90000, NULL, "rtph265depay", "rtph265pay",
      "video/x-h265", -1},
  {"OPUS", "audio", 48000, "encoding-params=(string)2", "rtpopusdepay",
      "rtpopuspay", "audio/x-opus", 111},
  {"PCMU", "audio", 8000, NULL, "rtppcmudepay", "rtppcmupay",
      "audio/x-mulaw", -1},
  {"PCMA", "audio", 8000, NULL, "rtppcmadepay", "rtppcmapay",
      "audio/x-alaw", -1},
};

const GstKvsRtpCodec *
gst_kvs_rtp_codec_find (const gchar * media, const gchar * name)
{
  guint i;

  if (name == NULL)
    return NULL;
  for (i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (g_ascii_strcasecmp (codecs[i].name, name) == 0
        && (media == NULL || g_strcmp0 (codecs[i].media, media) == 0))
      return &codecs[i];
  return NULL;
}

const GstKvsRtpCodec *
gst_kvs_rtp_codec_from_caps (const GstCaps * caps)
{
  const GstStructure *s;

  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return NULL;
  s = gst_caps_get_structure (caps, 0);
  return gst_kvs_rtp_codec_find (gst_structure_get_string (s, "media"),
      gst_structure_get_string (s, "encoding-name"));
}

const GstKvsRtpCodec *
gst_kvs_rtp_codec_sent_from_caps (const GstCaps * caps, gboolean * is_rtp)
{
  const GstKvsRtpCodec *codec = NULL;
  const GstStructure *s;
  guint i;

  *is_rtp = FALSE;
  if (caps == NULL || gst_caps_is_any (caps) || gst_caps_get_size (caps) == 0)
    return NULL;
  s = gst_caps_get_structure (caps, 0);
  if (gst_structure_has_name (s, "application/x-rtp")) {
    *is_rtp = TRUE;
    codec = gst_kvs_rtp_codec_find (NULL,
        gst_structure_get_string (s, "encoding-name"));
  } else {
    for (i = 0; codec == NULL && i < G_N_ELEMENTS (codecs); i++)
      if (gst_structure_has_name (s, codecs[i].encoded))
        codec = &codecs[i];
  }
  return codec && codec->default_pt >= 0 ? codec : NULL;
}

gchar *
gst_kvs_rtp_codec_list (const gchar * media)
{
  GString *out = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (codecs); i++) {
    if (g_strcmp0 (codecs[i].media, media) != 0)
      continue;
    if (out->len)
      g_string_append (out, ", ");
    g_string_append (out, codecs[i].name);
  }
  return g_string_free (out, FALSE);
}

GstCaps *
gst_kvs_rtp_codec_encoded_caps (const gchar * media)
{
  GstCaps *caps = gst_caps_new_empty ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (g_strcmp0 (codecs[i].media, media) == 0)
      gst_caps_append (caps, gst_caps_new_empty_simple (codecs[i].encoded));
  return caps;
}

static gboolean
has_factory (const gchar * name)
{
  GstElementFactory *factory = gst_element_factory_find (name);

  if (factory == NULL)
    return FALSE;
  gst_object_unref (factory);
  return TRUE;
}

GPtrArray *
gst_kvs_rtp_codec_parse_list (const gchar * media, const gchar * list,
    GError ** error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  g_auto (GStrv) names = g_strsplit_set (list ? list : "", ",; ", -1);
  guint i;

  for (i = 0; names[i]; i++) {
    const GstKvsRtpCodec *codec;

    if (*names[i] == '\0')
      continue;
    codec = gst_kvs_rtp_codec_find (media, names[i]);
    if (codec == NULL) {
      g_autofree gchar *known = gst_kvs_rtp_codec_list (media);

      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
          "unknown %s codec '%s' (known: %s)", media, names[i], known);
      return NULL;
    }
    if (g_ptr_array_find (out, codec, NULL)) {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
          "%s codec '%s' named twice", media, codec->name);
      return NULL;
    }
    if (!has_factory (codec->depayloader)) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
          "%s codec '%s' needs the element %s, which is not installed",
          media, codec->name, codec->depayloader);
      return NULL;
    }
    g_ptr_array_add (out, (gpointer) codec);
  }
  return g_steal_pointer (&out);
}

static GstStructure *
bare_rtp_structure (const GstKvsRtpCodec * codec, gint pt)
{
  return gst_structure_new ("application/x-rtp",
      "media", G_TYPE_STRING, codec->media,
      "encoding-name", G_TYPE_STRING, codec->name,
      "clock-rate", G_TYPE_INT, codec->clock_rate,
      "payload", G_TYPE_INT, pt, NULL);
}

GstCaps *
gst_kvs_rtp_codec_rtp_caps (const GstKvsRtpCodec * codec, gint pt)
{
  return gst_caps_new_full (bare_rtp_structure (codec, pt), NULL);
}

GstStructure *
gst_kvs_rtp_codec_rtp_structure (const GstKvsRtpCodec * codec, gint pt)
{
  GstStructure *s = bare_rtp_structure (codec, pt);

  if (codec->rtp_extra) {
    g_autofree gchar *text = g_strdup_printf ("x,%s", codec->rtp_extra);
    GstStructure *extra = gst_structure_from_string (text, NULL);

    if (extra) {
      gint n = gst_structure_n_fields (extra), i;

      for (i = 0; i < n; i++) {
        const gchar *field = gst_structure_nth_field_name (extra, i);

        gst_structure_set_value (s, field,
            gst_structure_get_value (extra, field));
      }
      gst_structure_free (extra);
    }
  }
  return s;
}
