/* kvssignaling: small helpers around webrtcbin used by the elements.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvswebrtcbinutils.h"

#include <gst/sdp/sdp.h>
#include <string.h>
#include <gio/gio.h>
#include <gst/kvssignaling/gstkvserror.h>

gchar *
gst_kvs_webrtc_sdp_dup_mid (const GstWebRTCSessionDescription * desc,
    guint mline_index)
{
  const GstSDPMedia *media;

  if (desc == NULL || desc->sdp == NULL)
    return NULL;
  if (mline_index >= gst_sdp_message_medias_len (desc->sdp))
    return NULL;
  media = gst_sdp_message_get_media (desc->sdp, mline_index);
  return g_strdup (gst_sdp_media_get_attribute_val (media, "mid"));
}

gint
gst_kvs_webrtc_sdp_find_mid (const GstWebRTCSessionDescription * desc,
    const gchar * mid)
{
  guint i, n;

  if (desc == NULL || desc->sdp == NULL || mid == NULL)
    return -1;
  n = gst_sdp_message_medias_len (desc->sdp);
  for (i = 0; i < n; i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (desc->sdp, i);
    const gchar *val = gst_sdp_media_get_attribute_val (media, "mid");

    if (g_strcmp0 (val, mid) == 0)
      return (gint) i;
  }
  return -1;
}

gchar *
gst_kvs_webrtc_sdp_dup_origin (const gchar * sdp)
{
  const gchar *line = sdp;

  while (line && *line) {
    const gchar *eol = strpbrk (line, "\r\n");

    if (g_str_has_prefix (line, "o=")) {
      g_autofree gchar *text = eol ? g_strndup (line + 2, eol - line - 2) :
          g_strdup (line + 2);
      g_auto (GStrv) parts = g_strsplit (text, " ", 3);

      if (parts[0] == NULL || parts[1] == NULL)
        return NULL;
      return g_strdup_printf ("%s %s", parts[0], parts[1]);
    }
    line = eol ? eol + strspn (eol, "\r\n") : NULL;
  }
  return NULL;
}

GstWebRTCSessionDescription *
gst_kvs_webrtc_description_new (GstWebRTCSDPType type, const gchar * sdp,
    GError ** error)
{
  GstSDPMessage *msg = NULL;

  if (sdp == NULL || !g_str_has_prefix (sdp, "v=")
      || gst_sdp_message_new_from_text (sdp, &msg) != GST_SDP_OK) {
    if (msg)
      gst_sdp_message_free (msg);
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_PAYLOAD_ENCODING,
        "the %s is not an SDP session description",
        gst_webrtc_sdp_type_to_string (type));
    return NULL;
  }
  return gst_webrtc_session_description_new (type, msg);
}

gboolean
gst_kvs_webrtcbin_restrict_addresses (GstElement * webrtcbin,
    const gchar * addresses, GError ** error)
{
  g_autoptr (GObject) agent = NULL;
  g_auto (GStrv) parts = NULL;
  guint i;

  if (addresses == NULL || *addresses == '\0')
    return TRUE;

  g_object_get (webrtcbin, "ice-agent", &agent, NULL);
  if (agent == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "webrtcbin '%s' has no ICE agent", GST_OBJECT_NAME (webrtcbin));
    return FALSE;
  }

  parts = g_strsplit_set (addresses, ", ", -1);
  for (i = 0; parts[i]; i++) {
    gboolean ok = FALSE;

    if (*parts[i] == '\0')
      continue;
    if (!g_hostname_is_ip_address (parts[i])) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "'%s' is not an IP address", parts[i]);
      return FALSE;
    }
    g_signal_emit_by_name (agent, "add-local-ip-address", parts[i], &ok);
    if (!ok) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "the ICE agent refused the local address '%s'", parts[i]);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
gst_kvs_webrtcbin_disable_upnp (GstElement * webrtcbin)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) nice = NULL;

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice == NULL
      || !g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    return FALSE;
  g_object_get (ice, "agent", &nice, NULL);
  if (nice == NULL
      || !g_object_class_find_property (G_OBJECT_GET_CLASS (nice), "upnp"))
    return FALSE;
  g_object_set (nice, "upnp", FALSE, NULL);
  return TRUE;
}

guint
gst_kvs_webrtcbin_add_recv_transceivers (GstElement * webrtcbin,
    const GstCaps * caps)
{
  guint i, n, added = 0;

  if (caps == NULL || gst_caps_is_any (caps) || gst_caps_is_empty (caps))
    return 0;

  n = gst_caps_get_size (caps);
  for (i = 0; i < n; i++) {
    GstCaps *one = gst_caps_copy_nth (caps, i);
    GstWebRTCRTPTransceiver *trans = NULL;

    g_signal_emit_by_name (webrtcbin, "add-transceiver",
        GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, one, &trans);
    gst_caps_unref (one);
    if (trans) {
      added++;
      gst_object_unref (trans);
    }
  }
  return added;
}

guint
gst_kvs_webrtcbin_count_transceivers (GstElement * webrtcbin)
{
  GArray *transceivers = NULL;
  guint n = 0;

  g_signal_emit_by_name (webrtcbin, "get-transceivers", &transceivers);
  if (transceivers) {
    n = transceivers->len;
    g_array_unref (transceivers);
  }
  return n;
}
