/* kvssignaling: the properties and life cycle both elements share.
 *
 * GstKvsSignalingBase is the abstract parent of kvssignalingsink and
 * kvssignalingsrc. It holds the connection settings, finds the webrtcbin to
 * drive, and takes the shared connection from the registry:
 *
 * - NULL→READY: check the settings, resolve the webrtcbin, restrict its ICE
 *   addresses and add the receive-only transceivers;
 * - READY→PAUSED: join the shared connection, hand it the webrtcbin, start
 *   it (the first element of a pair does);
 * - PAUSED→READY: stop it (the last element does) and leave it;
 * - READY→NULL: forget the webrtcbin.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvssignalingbase.h"
#include "gstkvsconnectionregistry.h"
#include "gstkvswebrtcbinutils.h"
#include "gstkvsstoragesession.h"
#include "gstkvsrtpcodecs.h"
#include "gstkvswebrtccodec.h"

GST_DEBUG_CATEGORY_STATIC (kvs_signaling_base_debug);
#define GST_CAT_DEFAULT kvs_signaling_base_debug

#define DEFAULT_ROLE GST_KVS_ROLE_MASTER
#define DEFAULT_CREATE_CHANNEL FALSE
#define DEFAULT_AUTO_NEGOTIATE TRUE
#define DEFAULT_ANSWER_TIMEOUT 10
#define DEFAULT_JOIN_STORAGE_SESSION FALSE

enum
{
  PROP_0,
  PROP_ROLE,
  PROP_CHANNEL_NAME,
  PROP_CHANNEL_ARN,
  PROP_AWS_REGION,
  PROP_CLIENT_ID,
  PROP_RECIPIENT_CLIENT_ID,
  PROP_CORRELATION_ID,
  PROP_ACCESS_KEY,
  PROP_SECRET_KEY,
  PROP_SESSION_TOKEN,
  PROP_ENDPOINT,
  PROP_CA_FILE,
  PROP_CREATE_CHANNEL,
  PROP_WEBRTCBIN,
  PROP_WEBRTCBIN_NAME,
  PROP_AUTO_NEGOTIATE,
  PROP_RECV_CAPS,
  PROP_LOCAL_ADDRESSES,
  PROP_STUN_SERVER,
  PROP_PROFILE,
  PROP_ANSWER_TIMEOUT,
  PROP_IOT_ENDPOINT,
  PROP_IOT_CERTIFICATE,
  PROP_IOT_PRIVATE_KEY,
  PROP_IOT_ROLE_ALIAS,
  PROP_IOT_THING_NAME,
  PROP_JOIN_STORAGE_SESSION,
  PROP_STATE,
  PROP_STATS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  /* Guarded by the object lock. */
  GstKvsSettings settings;
  gchar *recipient_client_id;
  GstElement *webrtcbin_prop;
  gchar *webrtcbin_name;
  gboolean auto_negotiate;
  GstCaps *recv_caps;
  gboolean join_storage_session;

  /* webrtcbin: NULL→READY to READY→NULL; the connection: READY→PAUSED to
   * PAUSED→READY (object lock). */
  GstKvsConnection *connection;
  GstElement *webrtcbin;        /* resolved at NULL→READY */
  gboolean webrtcbin_added;     /* handed to the connection */
  gulong state_handler;
  gboolean started;

  /* join-storage-session: the session from the first READY→PAUSED that
   * claimed it (its counters live on) to finalize; claimed, and the
   * handlers, from READY→PAUSED to PAUSED→READY (the streaming thread's) */
  GstKvsStorageSession *storage;
  gboolean storage_claimed;
  gulong storage_handlers[2];
} GstKvsSignalingBasePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (GstKvsSignalingBase, gst_kvs_signaling_base,
    GST_TYPE_ELEMENT, G_ADD_PRIVATE (GstKvsSignalingBase)
    GST_DEBUG_CATEGORY_INIT (kvs_signaling_base_debug, "kvssignalingbase", 0,
        "KVS signaling elements: shared life cycle"));

#define GET_PRIV(self) \
  ((GstKvsSignalingBasePrivate *) \
      gst_kvs_signaling_base_get_instance_private (self))

/* ------------------------------------------------------------------------ */

GstKvsConnection *
gst_kvs_signaling_base_dup_connection (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  GstKvsConnection *connection = NULL;

  GST_OBJECT_LOCK (self);
  if (priv->connection)
    connection = g_object_ref (priv->connection);
  GST_OBJECT_UNLOCK (self);
  return connection;
}

gboolean
gst_kvs_signaling_base_get_auto_negotiate (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  gboolean ret;

  GST_OBJECT_LOCK (self);
  ret = priv->auto_negotiate;
  GST_OBJECT_UNLOCK (self);
  return ret;
}

gchar *
gst_kvs_signaling_base_dup_recipient (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  gchar *ret;

  GST_OBJECT_LOCK (self);
  ret = g_strdup (priv->recipient_client_id);
  GST_OBJECT_UNLOCK (self);
  return ret;
}

/* ------------------------------------------------------------------------ */
/* NULL→READY: settings and webrtcbin */

/* webrtcbin's form: "stun://host:port" (the port may be omitted). */
static gboolean
stun_uri_is_valid (const gchar * uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const gchar *host;

  if (parsed == NULL || g_strcmp0 (g_uri_get_scheme (parsed), "stun") != 0)
    return FALSE;
  host = g_uri_get_host (parsed);
  return host != NULL && *host != '\0' && g_uri_get_userinfo (parsed) == NULL
      && (g_uri_get_path (parsed) == NULL || *g_uri_get_path (parsed) == '\0');
}

static gboolean
check_settings (GstKvsSignalingBase * self,
    GstKvsSettings * s, const gchar * recipient)
{
  g_autoptr (GError) err = NULL;
  gboolean from_thing = FALSE;

  /* AWS IoT policies restrict the channel to the thing's name */
  if (s->channel_name == NULL && s->channel_arn == NULL
      && gst_kvs_settings_get_iot_thing_name (s)) {
    from_thing = TRUE;
    s->channel_name = g_strdup (gst_kvs_settings_get_iot_thing_name (s));
    GST_INFO_OBJECT (self, "channel named after the AWS IoT thing: %s",
        s->channel_name);
  }
  if (s->channel_name == NULL && s->channel_arn == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("No signaling channel: set channel-name or channel-arn."), (NULL));
    return FALSE;
  }
  if (s->channel_name && s->channel_arn == NULL
      && !gst_kvs_validate_channel_name (s->channel_name, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid %s: %s", from_thing ? "iot-thing-name (the channel's "
            "name when channel-name is unset)" : "channel-name",
            err->message), (NULL));
    return FALSE;
  }
  if (s->channel_arn && !g_str_has_prefix (s->channel_arn, "arn:")) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid channel-arn '%s': an ARN starts with 'arn:'",
            s->channel_arn), (NULL));
    return FALSE;
  }
  if (s->role == GST_KVS_ROLE_VIEWER && s->client_id
      && !gst_kvs_validate_viewer_client_id (s->client_id, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid client-id: %s", err->message), (NULL));
    return FALSE;
  }
  if (s->correlation_id
      && !gst_kvs_validate_id ("correlation id", s->correlation_id, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid correlation-id: %s", err->message), (NULL));
    return FALSE;
  }
  if (s->stun_server && g_ascii_strcasecmp (s->stun_server, "none") != 0
      && !stun_uri_is_valid (s->stun_server)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid stun-server '%s': expected stun://host:port, or none",
            s->stun_server), (NULL));
    return FALSE;
  }
  if (recipient && s->role == GST_KVS_ROLE_MASTER
      && !gst_kvs_validate_id ("recipient client id", recipient, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid recipient-client-id: %s", err->message), (NULL));
    return FALSE;
  }
  return TRUE;
}

static gboolean
is_webrtcbin (GstElement * element)
{
  GstElementFactory *factory = gst_element_get_factory (element);

  return factory && g_strcmp0 (GST_OBJECT_NAME (factory), "webrtcbin") == 0;
}

/* Every webrtcbin inside @bin, referenced. */
static GPtrArray *
find_webrtcbins (GstBin * bin)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (gst_object_unref);
  GstIterator *it = gst_bin_iterate_recurse (bin);
  GValue item = G_VALUE_INIT;
  gboolean done = FALSE;

  while (!done) {
    switch (gst_iterator_next (it, &item)) {
      case GST_ITERATOR_OK:{
        GstElement *element = g_value_get_object (&item);

        if (is_webrtcbin (element))
          g_ptr_array_add (found, gst_object_ref (element));
        g_value_reset (&item);
        break;
      }
      case GST_ITERATOR_RESYNC:
        g_ptr_array_set_size (found, 0);
        gst_iterator_resync (it);
        break;
      default:
        done = TRUE;
        break;
    }
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return found;
}

/* The webrtcbin to drive (a new reference). NULL with *@ok TRUE when none is
 * needed, NULL with *@ok FALSE after posting an error. */
static GstElement *
resolve_webrtcbin (GstKvsSignalingBase * self, GstElement * prop,
    const gchar * name, gboolean * ok)
{
  GstKvsSignalingBaseClass *klass = GST_KVS_SIGNALING_BASE_GET_CLASS (self);
  GstObject *parent = gst_object_get_parent (GST_OBJECT (self));
  GstElement *webrtcbin = NULL;

  *ok = FALSE;

  if (prop) {
    gst_clear_object (&parent);
    if (!is_webrtcbin (prop)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("The element '%s' given as webrtcbin is not a webrtcbin.",
              GST_OBJECT_NAME (prop)), (NULL));
      return NULL;
    }
    *ok = TRUE;
    return gst_object_ref (prop);
  }

  if (name) {
    if (parent && GST_IS_BIN (parent))
      webrtcbin = gst_bin_get_by_name_recurse_up (GST_BIN (parent), name);
    gst_clear_object (&parent);
    if (webrtcbin == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
          ("No element named '%s' (webrtcbin-name) in the pipeline.", name),
          (NULL));
      return NULL;
    }
    if (!is_webrtcbin (webrtcbin)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("The element '%s' (webrtcbin-name) is not a webrtcbin.", name),
          (NULL));
      gst_object_unref (webrtcbin);
      return NULL;
    }
    *ok = TRUE;
    return webrtcbin;
  }

  {
    g_autoptr (GPtrArray) found = NULL;

    if (parent && GST_IS_BIN (parent))
      found = find_webrtcbins (GST_BIN (parent));
    else
      found = g_ptr_array_new ();
    gst_clear_object (&parent);

    if (found->len == 1) {
      *ok = TRUE;
      return gst_object_ref (g_ptr_array_index (found, 0));
    }
    if (found->len == 0) {
      if (klass->can_serve_without_webrtcbin
          && klass->can_serve_without_webrtcbin (self)) {
        *ok = TRUE;
        return NULL;
      }
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
          ("No webrtcbin in the pipeline: add one, or set webrtcbin or "
              "webrtcbin-name, or set auto-negotiate=false."), (NULL));
      return NULL;
    }
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The pipeline has %u webrtcbins: set webrtcbin-name to say which "
            "one to drive.", found->len), (NULL));
    return NULL;
  }
}

static gboolean
prepare_webrtcbin (GstKvsSignalingBase * self, GstElement * webrtcbin,
    const gchar * addresses, GstCaps * recv_caps)
{
  g_autoptr (GError) err = NULL;

  /* Both elements of a pair may carry the same settings: apply once. */
  if (addresses && !g_object_get_data (G_OBJECT (webrtcbin),
          "kvs-local-addresses")) {
    if (!gst_kvs_webrtcbin_restrict_addresses (webrtcbin, addresses, &err)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid local-addresses: %s", err->message), (NULL));
      return FALSE;
    }
    g_object_set_data (G_OBJECT (webrtcbin), "kvs-local-addresses",
        GINT_TO_POINTER (1));
  }
  if (recv_caps && !g_object_get_data (G_OBJECT (webrtcbin),
          "kvs-recv-transceivers")) {
    guint n = gst_kvs_webrtcbin_add_recv_transceivers (webrtcbin, recv_caps);

    if (n == 0) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("webrtcbin accepted no receive-only transceiver for recv-caps."),
          (NULL));
      return FALSE;
    }
    GST_INFO_OBJECT (self, "added %u recvonly transceivers", n);
    g_object_set_data (G_OBJECT (webrtcbin), "kvs-recv-transceivers",
        GINT_TO_POINTER (1));
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* join-storage-session (a master's WebRTC ingestion): the element of a
 * pair that claims it on the connection runs the storage session; the
 * storage peer's offer goes the way of every offer (the driven webrtcbin,
 * request-webrtcbin, or the application) */

/* The codec @pad of a webrtcbin sends: its media ("video", "audio"; NULL
 * when not known yet) and encoding name (transfer full). */
static const gchar *
pad_codec (GstPad * pad, gchar ** name)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const GstKvsRtpCodec *codec;
  const GstStructure *s;
  const gchar *media = NULL, *encoding;

  *name = NULL;
  if (caps == NULL)
    caps = gst_pad_peer_query_caps (pad, NULL);
  if (caps == NULL || gst_caps_is_any (caps) || gst_caps_get_size (caps) != 1) {
    gst_clear_caps (&caps);
    return NULL;
  }
  s = gst_caps_get_structure (caps, 0);
  encoding = gst_structure_get_string (s, "encoding-name");
  if (encoding) {
    codec = gst_kvs_rtp_codec_find (gst_structure_get_string (s, "media"),
        encoding);
    media = codec ? codec->media : gst_structure_get_string (s, "media");
    if (g_strcmp0 (media, "video") == 0)
      media = "video";
    else if (g_strcmp0 (media, "audio") == 0)
      media = "audio";
    else
      media = NULL;
    if (media)
      *name = g_ascii_strup (encoding, -1);
  }
  gst_caps_unref (caps);
  return media;
}

/* Why what @webrtcbin sends cannot be stored (KVS stores H.264 video with
 * Opus audio, both present), or NULL: then *@unknown when a sink pad's
 * codec is not known yet. */
static gchar *
storage_media_problem (GstElement * webrtcbin, gboolean * unknown)
{
  g_autoptr (GString) problems = g_string_new (NULL);
  g_autoptr (GString) other_video = g_string_new (NULL);
  g_autoptr (GString) other_audio = g_string_new (NULL);
  gboolean h264 = FALSE, opus = FALSE, any_unknown = FALSE;
  GList *l, *i;

  *unknown = FALSE;
  l = gst_kvs_webrtcbin_dup_sink_pads (webrtcbin);
  for (i = l; i; i = i->next) {
    g_autofree gchar *name = NULL;
    const gchar *media = pad_codec (i->data, &name);
    gboolean video = g_strcmp0 (media, "video") == 0;
    GString *other = video ? other_video : other_audio;

    if (media == NULL)
      any_unknown = TRUE;
    else if (video ? g_str_equal (name, "H264") : g_str_equal (name, "OPUS")) {
      if (video)
        h264 = TRUE;
      else
        opus = TRUE;
    } else {
      g_string_append_printf (other, "%s%s sends %s", other->len ? ", " : "",
          GST_PAD_NAME (i->data), name);
    }
  }
  g_list_free_full (l, gst_object_unref);

  if (!h264 && !any_unknown) {
    if (other_video->len == 0)
      g_string_append_printf (problems, "webrtcbin '%s' sends no video (no "
          "sink pad with video RTP caps)", GST_OBJECT_NAME (webrtcbin));
    else
      g_string_append_printf (problems, "no video stream of webrtcbin '%s' "
          "is H.264 (%s)", GST_OBJECT_NAME (webrtcbin), other_video->str);
  }
  if (!opus && !any_unknown) {
    if (problems->len)
      g_string_append (problems, "; ");
    if (other_audio->len == 0)
      g_string_append_printf (problems, "webrtcbin '%s' sends no audio (no "
          "sink pad with audio RTP caps)", GST_OBJECT_NAME (webrtcbin));
    else
      g_string_append_printf (problems, "no audio stream of webrtcbin '%s' "
          "is Opus (%s)", GST_OBJECT_NAME (webrtcbin), other_audio->str);
  }
  if (problems->len)
    return g_string_free (g_steal_pointer (&problems), FALSE);
  *unknown = !(h264 && opus);
  return NULL;
}

/* Whether what @webrtcbin sends can be stored; UNFIT after an error on the
 * bus. Without a webrtcbin (auto-negotiate=false, or request-webrtcbin
 * only) the media are the application's: OK. */
static GstKvsStorageMedia
storage_check_webrtcbin (GstKvsSignalingBase * self, GstElement * webrtcbin)
{
  g_autofree gchar *problem = NULL;
  gboolean unknown = FALSE;

  if (webrtcbin == NULL)
    return GST_KVS_STORAGE_MEDIA_OK;
  problem = storage_media_problem (webrtcbin, &unknown);
  if (problem == NULL)
    return unknown ? GST_KVS_STORAGE_MEDIA_UNKNOWN : GST_KVS_STORAGE_MEDIA_OK;
  GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
      ("%s cannot join the storage session (join-storage-session=true): "
          "Kinesis Video Streams stores H.264 video with Opus audio, both "
          "present, and %s. Link H.264 video (e.g. x264enc or openh264enc, "
          "then rtph264pay) and Opus audio (opusenc, then rtpopuspay) to "
          "sink pads of webrtcbin '%s', or set join-storage-session=false.",
          GST_OBJECT_NAME (self), problem, GST_OBJECT_NAME (webrtcbin)),
      ("nothing was sent to the storage session"));
  return GST_KVS_STORAGE_MEDIA_UNFIT;
}

/* GstKvsStorageCheckMedia: before each join. */
static GstKvsStorageMedia
storage_media (GstElement * element)
{
  GstKvsSignalingBase *self = GST_KVS_SIGNALING_BASE (element);
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  g_autoptr (GstElement) webrtcbin = NULL;

  GST_OBJECT_LOCK (self);
  if (priv->webrtcbin)
    webrtcbin = gst_object_ref (priv->webrtcbin);
  GST_OBJECT_UNLOCK (self);
  return storage_check_webrtcbin (self, webrtcbin);
}

/* webrtcbin 1.22 answers an offered m-line only with a transceiver whose
 * caps intersect the offer's, and takes them from what its sink pad
 * received, to the letter: an H.264 stream of another profile-level-id
 * than the storage peer's (42e01f), or other sprop-parameter-sets, finds
 * none, and webrtcbin then aborts on the sink pad without a stream. As
 * kvswebrtcsink pins each viewer's branch to the codec alone, the caps
 * webrtcbin's sink pads receive keep the codec's fields only (media,
 * encoding name, clock rate, payload type, SSRC); the stream itself keeps
 * its parameter sets in band (rtph264pay config-interval). */
static gboolean
keep_field (GQuark field, GValue * value, gpointer fields)
{
  return g_strv_contains (fields, g_quark_to_string (field));
}

static GstPadProbeReturn
pin_codec_caps (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  static const gchar *const fields[] = { "media", "encoding-name",
    "clock-rate", "payload", "ssrc", NULL
  };
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  if (gst_caps_get_size (caps) != 1 || !gst_structure_has_name
      (gst_caps_get_structure (caps, 0), "application/x-rtp"))
    return GST_PAD_PROBE_OK;
  caps = gst_caps_copy (caps);
  gst_structure_filter_and_map_in_place (gst_caps_get_structure (caps, 0),
      keep_field, (gpointer) fields);
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (caps);
  gst_event_unref (event);
  gst_caps_unref (caps);
  return GST_PAD_PROBE_OK;
}

/* NULL→READY, with join-storage-session: once per webrtcbin (both elements
 * of a pair prepare it). */
static void
storage_pin_codecs (GstElement * webrtcbin)
{
  GList *pads, *l;

  if (g_object_get_data (G_OBJECT (webrtcbin), "kvs-storage-pinned"))
    return;
  g_object_set_data (G_OBJECT (webrtcbin), "kvs-storage-pinned",
      GINT_TO_POINTER (1));
  pads = gst_kvs_webrtcbin_dup_sink_pads (webrtcbin);
  for (l = pads; l; l = l->next)
    gst_pad_add_probe (l->data, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        pin_codec_caps, NULL, NULL);
  g_list_free_full (pads, gst_object_unref);
}

/* The signaling client's thread, before the offer is handed on (to the
 * src's offer-received, and to the driven webrtcbin). */
static void
on_storage_message (GstKvsConnection * connection, GstKvsMessage * msg,
    GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  g_autofree gchar *previous = NULL;

  if (msg->type != GST_KVS_MESSAGE_TYPE_SDP_OFFER
      || msg->sender_client_id == NULL)
    return;
  if (gst_kvs_storage_session_offer_seen (priv->storage,
          msg->sender_client_id, gst_kvs_connection_has_peer (connection,
              msg->sender_client_id), &previous)) {
    g_autoptr (GstElement) webrtcbin = NULL;
    g_autofree gchar *problem = NULL;

    GST_OBJECT_LOCK (self);
    if (priv->webrtcbin && priv->auto_negotiate)
      webrtcbin = gst_object_ref (priv->webrtcbin);
    GST_OBJECT_UNLOCK (self);
    if (webrtcbin)
      problem = gst_kvs_codec_payload_problem (webrtcbin, msg->sdp);
    if (problem) {
      gst_kvs_connection_drop_offer (connection, msg->sender_client_id);
      GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
          ("%s cannot answer the storage peer '%s' "
              "(join-storage-session=true): webrtcbin answers with the "
              "payload types its sink pads receive, and %s.",
              GST_OBJECT_NAME (self), msg->sender_client_id, problem),
          ("the offer was not answered"));
    }
  }
  /* A previous storage session on a webrtcbin of the application or of
   * the element ends by itself (its peer is gone): nothing to release. */
  if (previous)
    GST_INFO_OBJECT (self, "the storage session with %s is replaced", previous);
}

/* webrtcbin's thread (or the signaling client's: a replaced session). */
static void
on_storage_peer_removed (GstKvsConnection * connection, const gchar * peer,
    GstKvsSignalingBase * self)
{
  gst_kvs_storage_session_peer_ended (GET_PRIV (self)->storage, peer);
}

/* READY→PAUSED, with the connection joined (before the src's handlers: the
 * element message about the storage peer's offer comes before its
 * offer-received). */
static void
storage_attach (GstKvsSignalingBase * self, GstKvsConnection * connection)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  gboolean join;

  GST_OBJECT_LOCK (self);
  join = priv->join_storage_session
      && priv->settings.role == GST_KVS_ROLE_MASTER;
  GST_OBJECT_UNLOCK (self);
  if (!join)
    return;
  if (!gst_kvs_connection_claim_storage (connection, self)) {
    GST_INFO_OBJECT (self, "another element of the connection runs the "
        "storage session");
    return;
  }
  if (priv->storage == NULL)
    priv->storage = gst_kvs_storage_session_new (GST_ELEMENT (self),
        "kvssignaling-storage", storage_media);
  priv->storage_handlers[0] = g_signal_connect (connection,
      "message-received", G_CALLBACK (on_storage_message), self);
  priv->storage_handlers[1] = g_signal_connect (connection, "peer-removed",
      G_CALLBACK (on_storage_peer_removed), self);
  GST_OBJECT_LOCK (self);
  priv->storage_claimed = TRUE;
  GST_OBJECT_UNLOCK (self);
}

/* READY→PAUSED, once the connection is started. */
static void
storage_start (GstKvsSignalingBase * self, GstKvsConnection * connection)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  gboolean claimed;

  GST_OBJECT_LOCK (self);
  claimed = priv->storage_claimed;
  GST_OBJECT_UNLOCK (self);
  if (claimed)
    gst_kvs_storage_session_start (priv->storage, connection);
}

/* PAUSED→READY (or a failed READY→PAUSED). */
static void
storage_detach (GstKvsSignalingBase * self, GstKvsConnection * connection)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  gboolean claimed;
  guint i;

  GST_OBJECT_LOCK (self);
  claimed = priv->storage_claimed;
  priv->storage_claimed = FALSE;
  GST_OBJECT_UNLOCK (self);
  if (!claimed)
    return;
  for (i = 0; i < G_N_ELEMENTS (priv->storage_handlers); i++) {
    if (priv->storage_handlers[i])
      g_signal_handler_disconnect (connection, priv->storage_handlers[i]);
    priv->storage_handlers[i] = 0;
  }
  g_free (gst_kvs_storage_session_stop (priv->storage));
  gst_kvs_connection_unclaim_storage (connection, self);
}

/* The signaling client's thread. */
static void
on_connection_state (GstKvsConnection * connection,
    GstKvsSignalingState state, GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  gboolean claimed;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  GST_OBJECT_LOCK (self);
  claimed = priv->storage_claimed;
  GST_OBJECT_UNLOCK (self);
  /* connected again: the service ended the previous storage session (its
   * webrtcbin session ends by itself); join again */
  if (state == GST_KVS_SIGNALING_STATE_CONNECTED && claimed)
    g_free (gst_kvs_storage_session_connected (priv->storage));
}

/* NULL→READY: check the settings, find and prepare the webrtcbin. */
static gboolean
prepare (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  GstKvsSettings settings = { 0, };
  g_autofree gchar *recipient = NULL;
  g_autofree gchar *name = NULL;
  g_autoptr (GstElement) prop = NULL;
  g_autoptr (GstCaps) recv_caps = NULL;
  GstElement *webrtcbin = NULL;
  gboolean auto_negotiate, join_storage, ok = TRUE;

  GST_OBJECT_LOCK (self);
  gst_kvs_settings_copy_into (&settings, &priv->settings);
  recipient = g_strdup (priv->recipient_client_id);
  name = g_strdup (priv->webrtcbin_name);
  prop = priv->webrtcbin_prop ? gst_object_ref (priv->webrtcbin_prop) : NULL;
  recv_caps = priv->recv_caps ? gst_caps_ref (priv->recv_caps) : NULL;
  auto_negotiate = priv->auto_negotiate;
  join_storage = priv->join_storage_session;
  GST_OBJECT_UNLOCK (self);

  ok = check_settings (self, &settings, recipient);
  if (ok && settings.role == GST_KVS_ROLE_MASTER && settings.client_id)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("client-id '%s' is ignored: a master has no client id (viewers "
            "address it without one); to address a viewer, set "
            "recipient-client-id. If this pipeline is a viewer, set "
            "role=viewer: as the master (the default role) it replaces the "
            "channel's current master.", settings.client_id), (NULL));
  if (ok && auto_negotiate)
    webrtcbin = resolve_webrtcbin (self, prop, name, &ok);
  if (ok && join_storage && settings.role == GST_KVS_ROLE_VIEWER)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("join-storage-session is ignored with role=viewer: only the "
            "channel's master joins its storage session (JoinStorageSession). "
            "Set role=master on %s to record this pipeline's media, or "
            "join-storage-session=false.", GST_OBJECT_NAME (self)), (NULL));
  /* What the storage session cannot store fails before anything is sent
   * (codecs not known yet are looked at again before each join). */
  if (ok && join_storage && settings.role == GST_KVS_ROLE_MASTER)
    ok = storage_check_webrtcbin (self, webrtcbin) !=
        GST_KVS_STORAGE_MEDIA_UNFIT;
  if (ok && join_storage && settings.role == GST_KVS_ROLE_MASTER && webrtcbin)
    storage_pin_codecs (webrtcbin);
  /* Before PLAYING: ICE addresses and receive-only transceivers. */
  if (ok && webrtcbin)
    ok = prepare_webrtcbin (self, webrtcbin, settings.local_addresses,
        settings.role == GST_KVS_ROLE_VIEWER ? recv_caps : NULL);

  if (ok) {
    GST_OBJECT_LOCK (self);
    gst_clear_object (&priv->webrtcbin);
    priv->webrtcbin = g_steal_pointer (&webrtcbin);
    GST_OBJECT_UNLOCK (self);
  }
  gst_clear_object (&webrtcbin);
  gst_kvs_settings_clear (&settings);
  return ok;
}

static void
unprepare (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);

  GST_OBJECT_LOCK (self);
  gst_clear_object (&priv->webrtcbin);
  GST_OBJECT_UNLOCK (self);
}

/* The pipeline's top-level bin, which scopes viewers without client id. */
static GstObject *
dup_toplevel (GstKvsSignalingBase * self)
{
  GstObject *scope = gst_object_get_parent (GST_OBJECT (self));

  while (scope && GST_OBJECT_PARENT (scope)) {
    GstObject *up = gst_object_get_parent (scope);

    gst_object_unref (scope);
    scope = up;
  }
  return scope;
}

/* READY→PAUSED: join the shared connection, hand it the webrtcbin, start. */
static gboolean
open_connection (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  GstKvsSignalingBaseClass *klass = GST_KVS_SIGNALING_BASE_GET_CLASS (self);
  GstKvsSettings settings = { 0, };
  g_autofree gchar *recipient = NULL;
  g_autoptr (GstElement) webrtcbin = NULL;
  g_autoptr (GstObject) scope = NULL;
  g_autoptr (GError) err = NULL;
  GstKvsConnection *connection;
  gboolean ok = FALSE;

  GST_OBJECT_LOCK (self);
  gst_kvs_settings_copy_into (&settings, &priv->settings);
  recipient = g_strdup (priv->recipient_client_id);
  webrtcbin = priv->webrtcbin ? gst_object_ref (priv->webrtcbin) : NULL;
  GST_OBJECT_UNLOCK (self);

  /* Settings may have changed in READY. */
  if (!check_settings (self, &settings, recipient))
    goto done;

  /* Viewers without a client id share a connection only within one
   * pipeline (the library generates one id per connection). */
  scope = dup_toplevel (self);
  connection = gst_kvs_connection_registry_acquire (&settings,
      scope ? (gconstpointer) scope : (gconstpointer) self);

  gst_kvs_connection_attach_element (connection, GST_ELEMENT (self));
  priv->state_handler = g_signal_connect (connection, "state-changed",
      G_CALLBACK (on_connection_state), self);
  storage_attach (self, connection);
  if (klass->attach)
    klass->attach (self, connection);
  GST_OBJECT_LOCK (self);
  priv->connection = connection;
  GST_OBJECT_UNLOCK (self);

  if (webrtcbin) {
    if (!gst_kvs_connection_add_webrtcbin (connection, webrtcbin, &err)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
          (NULL));
      goto done;
    }
    priv->webrtcbin_added = TRUE;
  }

  if (!gst_kvs_connection_start (connection, &err)) {
    if (err->domain == GST_KVS_ERROR
        && err->code == GST_KVS_ERROR_NO_CREDENTIALS)
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_AUTHORIZED,
          ("Could not start signaling: %s", err->message), (NULL));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Could not start signaling: %s", err->message), (NULL));
    goto done;
  }
  priv->started = TRUE;
  storage_start (self, connection);
  ok = TRUE;

done:
  gst_kvs_settings_clear (&settings);
  return ok;
}

/* PAUSED→READY (or a failed READY→PAUSED): leave the connection. */
static void
close_connection (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  GstKvsSignalingBaseClass *klass = GST_KVS_SIGNALING_BASE_GET_CLASS (self);
  GstKvsConnection *connection;

  GST_OBJECT_LOCK (self);
  connection = priv->connection;
  priv->connection = NULL;
  GST_OBJECT_UNLOCK (self);

  if (connection == NULL)
    return;

  storage_detach (self, connection);
  if (priv->started) {
    priv->started = FALSE;
    gst_kvs_connection_stop (connection);
  }
  if (priv->webrtcbin_added) {
    priv->webrtcbin_added = FALSE;
    gst_kvs_connection_remove_webrtcbin (connection, priv->webrtcbin);
  }
  if (klass->detach)
    klass->detach (self, connection);
  if (priv->state_handler) {
    g_signal_handler_disconnect (connection, priv->state_handler);
    priv->state_handler = 0;
  }
  gst_kvs_connection_detach_element (connection, GST_ELEMENT (self));
  gst_kvs_connection_registry_release (connection);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* ------------------------------------------------------------------------ */
/* bins that replace their webrtcbin (kvswebrtcsrc); called with the bin's
 * state lock held, so never during one of this element's state changes */

void
gst_kvs_signaling_base_release_webrtcbin (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  g_autoptr (GstKvsConnection) connection = NULL;
  g_autoptr (GstElement) webrtcbin = NULL;
  gboolean added;

  GST_OBJECT_LOCK (self);
  webrtcbin = g_steal_pointer (&priv->webrtcbin);
  added = priv->webrtcbin_added;
  priv->webrtcbin_added = FALSE;
  if (priv->connection)
    connection = g_object_ref (priv->connection);
  GST_OBJECT_UNLOCK (self);

  if (webrtcbin && added && connection)
    gst_kvs_connection_remove_webrtcbin (connection, webrtcbin);
}

gboolean
gst_kvs_signaling_base_use_webrtcbin (GstKvsSignalingBase * self,
    GstElement * webrtcbin)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  g_autoptr (GstKvsConnection) connection = NULL;
  g_autoptr (GstCaps) recv_caps = NULL;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *addresses = NULL;
  gboolean viewer;

  g_return_val_if_fail (GST_IS_ELEMENT (webrtcbin), FALSE);

  GST_OBJECT_LOCK (self);
  addresses = g_strdup (priv->settings.local_addresses);
  viewer = priv->settings.role == GST_KVS_ROLE_VIEWER;
  recv_caps = priv->recv_caps ? gst_caps_ref (priv->recv_caps) : NULL;
  GST_OBJECT_UNLOCK (self);

  if (!prepare_webrtcbin (self, webrtcbin, addresses,
          viewer ? recv_caps : NULL))
    return FALSE;

  GST_OBJECT_LOCK (self);
  gst_object_replace ((GstObject **) & priv->webrtcbin, GST_OBJECT (webrtcbin));
  if (priv->connection)
    connection = g_object_ref (priv->connection);
  GST_OBJECT_UNLOCK (self);

  if (connection == NULL)
    return TRUE;
  if (!gst_kvs_connection_add_webrtcbin (connection, webrtcbin, &err)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message), (NULL));
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  priv->webrtcbin_added = TRUE;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static GstStateChangeReturn
gst_kvs_signaling_base_change_state (GstElement * element,
    GstStateChange transition)
{
  GstKvsSignalingBase *self = GST_KVS_SIGNALING_BASE (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!prepare (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!open_connection (self)) {
        close_connection (self);
        return GST_STATE_CHANGE_FAILURE;
      }
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (gst_kvs_signaling_base_parent_class)->change_state
      (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      close_connection (self);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      unprepare (self);
      break;
    default:
      break;
  }
  return ret;
}

/* ------------------------------------------------------------------------ */
/* properties */

static gboolean
can_change (GstKvsSignalingBase * self, GParamSpec * pspec)
{
  GstState state;

  GST_OBJECT_LOCK (self);
  state = GST_STATE (self);
  GST_OBJECT_UNLOCK (self);

  if (state > GST_STATE_READY && !(pspec->flags & GST_PARAM_MUTABLE_PLAYING)) {
    g_warning ("%s: property '%s' can only be set in the NULL or READY state",
        GST_OBJECT_NAME (self), pspec->name);
    return FALSE;
  }
  return TRUE;
}

static void
set_string (GstKvsSignalingBase * self, gchar ** field, const GValue * value)
{
  const gchar *str = g_value_get_string (value);

  GST_OBJECT_LOCK (self);
  g_free (*field);
  *field = (str && *str) ? g_strdup (str) : NULL;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_kvs_signaling_base_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKvsSignalingBase *self = GST_KVS_SIGNALING_BASE (object);
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  GstKvsSettings *s = &priv->settings;

  if (!can_change (self, pspec))
    return;

  switch (prop_id) {
    case PROP_ROLE:
      GST_OBJECT_LOCK (self);
      s->role = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_CHANNEL_NAME:
      set_string (self, &s->channel_name, value);
      break;
    case PROP_CHANNEL_ARN:
      set_string (self, &s->channel_arn, value);
      break;
    case PROP_AWS_REGION:
      set_string (self, &s->region, value);
      break;
    case PROP_CLIENT_ID:
      set_string (self, &s->client_id, value);
      break;
    case PROP_RECIPIENT_CLIENT_ID:
      set_string (self, &priv->recipient_client_id, value);
      break;
    case PROP_CORRELATION_ID:
      set_string (self, &s->correlation_id, value);
      break;
    case PROP_ACCESS_KEY:
      set_string (self, &s->access_key, value);
      break;
    case PROP_SECRET_KEY:
      set_string (self, &s->secret_key, value);
      break;
    case PROP_SESSION_TOKEN:{
      g_autoptr (GstKvsConnection) connection = NULL;
      g_autofree gchar *ak = NULL, *sk = NULL, *token = NULL;

      set_string (self, &s->session_token, value);
      GST_OBJECT_LOCK (self);
      if (priv->connection) {
        connection = g_object_ref (priv->connection);
        ak = g_strdup (s->access_key);
        sk = g_strdup (s->secret_key);
        token = g_strdup (s->session_token);
      }
      GST_OBJECT_UNLOCK (self);
      /* Fresh temporary credentials: the next connect signs with them. */
      if (connection)
        gst_kvs_connection_set_credentials (connection, ak, sk, token);
      break;
    }
    case PROP_ENDPOINT:
      set_string (self, &s->endpoint, value);
      break;
    case PROP_CA_FILE:
      set_string (self, &s->ca_file, value);
      break;
    case PROP_IOT_ENDPOINT:
      set_string (self, &s->iot_endpoint, value);
      break;
    case PROP_IOT_CERTIFICATE:
      set_string (self, &s->iot_certificate, value);
      break;
    case PROP_IOT_PRIVATE_KEY:
      set_string (self, &s->iot_private_key, value);
      break;
    case PROP_IOT_ROLE_ALIAS:
      set_string (self, &s->iot_role_alias, value);
      break;
    case PROP_IOT_THING_NAME:
      set_string (self, &s->iot_thing_name, value);
      break;
    case PROP_CREATE_CHANNEL:
      GST_OBJECT_LOCK (self);
      s->create_channel = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_WEBRTCBIN:
      GST_OBJECT_LOCK (self);
      gst_clear_object (&priv->webrtcbin_prop);
      priv->webrtcbin_prop = g_value_dup_object (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_WEBRTCBIN_NAME:
      set_string (self, &priv->webrtcbin_name, value);
      break;
    case PROP_AUTO_NEGOTIATE:
      GST_OBJECT_LOCK (self);
      priv->auto_negotiate = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_RECV_CAPS:
      GST_OBJECT_LOCK (self);
      gst_caps_replace (&priv->recv_caps,
          (GstCaps *) gst_value_get_caps (value));
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_LOCAL_ADDRESSES:
      set_string (self, &s->local_addresses, value);
      break;
    case PROP_PROFILE:
      set_string (self, &s->profile, value);
      break;
    case PROP_ANSWER_TIMEOUT:
      GST_OBJECT_LOCK (self);
      s->answer_timeout = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_JOIN_STORAGE_SESSION:
      GST_OBJECT_LOCK (self);
      priv->join_storage_session = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STUN_SERVER:{
      const gchar *str = g_value_get_string (value);

      /* "" disables STUN, as "none" does; NULL restores the default. */
      GST_OBJECT_LOCK (self);
      g_free (s->stun_server);
      s->stun_server = g_strdup (str && *str == '\0' ? "none" : str);
      GST_OBJECT_UNLOCK (self);
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_kvs_signaling_base_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstKvsSignalingBase *self = GST_KVS_SIGNALING_BASE (object);
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);
  GstKvsSettings *s = &priv->settings;

  if (prop_id == PROP_STATE || prop_id == PROP_STATS) {
    g_autoptr (GstKvsConnection) connection =
        gst_kvs_signaling_base_dup_connection (self);

    if (prop_id == PROP_STATE)
      g_value_set_enum (value, connection ?
          gst_kvs_connection_get_state (connection) :
          GST_KVS_SIGNALING_STATE_NEW);
    else if (connection)
      g_value_take_boxed (value, gst_kvs_connection_dup_stats (connection));
    else
      g_value_take_boxed (value,
          gst_structure_new ("kvssignaling-stats",
              "state", GST_TYPE_KVS_SIGNALING_STATE,
              GST_KVS_SIGNALING_STATE_NEW, "peers", G_TYPE_UINT, 0, NULL));
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_ROLE:
      g_value_set_enum (value, s->role);
      break;
    case PROP_CHANNEL_NAME:
      g_value_set_string (value, s->channel_name);
      break;
    case PROP_CHANNEL_ARN:
      g_value_set_string (value, s->channel_arn);
      break;
    case PROP_AWS_REGION:
      g_value_set_string (value, s->region);
      break;
    case PROP_CLIENT_ID:
      if (s->client_id == NULL && priv->connection) {
        GstKvsSignalingClient *client =
            gst_kvs_connection_get_client (priv->connection);

        g_value_take_string (value,
            gst_kvs_signaling_client_dup_client_id (client));
      } else {
        g_value_set_string (value, s->client_id);
      }
      break;
    case PROP_RECIPIENT_CLIENT_ID:
      g_value_set_string (value, priv->recipient_client_id);
      break;
    case PROP_CORRELATION_ID:
      g_value_set_string (value, s->correlation_id);
      break;
    case PROP_ACCESS_KEY:
      g_value_set_string (value, s->access_key);
      break;
    case PROP_ENDPOINT:
      g_value_set_string (value, s->endpoint);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, s->ca_file);
      break;
    case PROP_IOT_ENDPOINT:
      g_value_set_string (value, s->iot_endpoint);
      break;
    case PROP_IOT_CERTIFICATE:
      g_value_set_string (value, s->iot_certificate);
      break;
    case PROP_IOT_PRIVATE_KEY:
      g_value_set_string (value, s->iot_private_key);
      break;
    case PROP_IOT_ROLE_ALIAS:
      g_value_set_string (value, s->iot_role_alias);
      break;
    case PROP_IOT_THING_NAME:
      g_value_set_string (value, s->iot_thing_name);
      break;
    case PROP_CREATE_CHANNEL:
      g_value_set_boolean (value, s->create_channel);
      break;
    case PROP_WEBRTCBIN:
      g_value_set_object (value, priv->webrtcbin ? priv->webrtcbin :
          priv->webrtcbin_prop);
      break;
    case PROP_WEBRTCBIN_NAME:
      g_value_set_string (value, priv->webrtcbin_name);
      break;
    case PROP_AUTO_NEGOTIATE:
      g_value_set_boolean (value, priv->auto_negotiate);
      break;
    case PROP_RECV_CAPS:
      gst_value_set_caps (value, priv->recv_caps);
      break;
    case PROP_LOCAL_ADDRESSES:
      g_value_set_string (value, s->local_addresses);
      break;
    case PROP_STUN_SERVER:
      g_value_set_string (value, s->stun_server);
      break;
    case PROP_PROFILE:
      g_value_set_string (value, s->profile);
      break;
    case PROP_ANSWER_TIMEOUT:
      g_value_set_uint (value, s->answer_timeout);
      break;
    case PROP_JOIN_STORAGE_SESSION:
      g_value_set_boolean (value, priv->join_storage_session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_kvs_signaling_base_finalize (GObject * object)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (GST_KVS_SIGNALING_BASE (object));

  gst_kvs_settings_clear (&priv->settings);
  g_free (priv->recipient_client_id);
  g_free (priv->webrtcbin_name);
  gst_clear_object (&priv->webrtcbin_prop);
  gst_clear_caps (&priv->recv_caps);
  g_clear_object (&priv->storage);

  G_OBJECT_CLASS (gst_kvs_signaling_base_parent_class)->finalize (object);
}

static void
gst_kvs_signaling_base_class_init (GstKvsSignalingBaseClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = gst_kvs_signaling_base_set_property;
  gobject_class->get_property = gst_kvs_signaling_base_get_property;
  gobject_class->finalize = gst_kvs_signaling_base_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_kvs_signaling_base_change_state);

  /**
   * GstKvsSignalingBase:role:
   *
   * Which end of the channel this pipeline is: the single master, which
   * answers offers, or a viewer, which sends them.
   */
  properties[PROP_ROLE] = g_param_spec_enum ("role", "Role",
      "Whether this pipeline connects as the channel's master (answers "
      "viewers' offers) or as a viewer (sends an offer to the master).",
      GST_TYPE_KVS_ROLE, DEFAULT_ROLE, rw);

  /**
   * GstKvsSignalingBase:channel-name:
   *
   * The signaling channel's name; its ARN is looked up with
   * DescribeSignalingChannel.
   */
  properties[PROP_CHANNEL_NAME] = g_param_spec_string ("channel-name",
      "Channel name",
      "The name of the KVS signaling channel (1 to 256 of a-z, A-Z, 0-9, "
      "'_', '.' and '-'); not needed when channel-arn is set.", NULL, rw);

  /**
   * GstKvsSignalingBase:channel-arn:
   *
   * The channel's ARN. When set, DescribeSignalingChannel is skipped.
   */
  properties[PROP_CHANNEL_ARN] = g_param_spec_string ("channel-arn",
      "Channel ARN",
      "The ARN of the KVS signaling channel; when set, the channel is not "
      "looked up by name.", NULL, rw);

  /**
   * GstKvsSignalingBase:aws-region:
   *
   * The AWS region. Unset: AWS_REGION, AWS_DEFAULT_REGION, the profile, then
   * us-east-1, as the AWS SDKs do.
   */
  properties[PROP_AWS_REGION] = g_param_spec_string ("aws-region",
      "AWS region",
      "The AWS region of the channel, e.g. us-west-2; unset means the AWS "
      "environment and configuration decide, as the AWS SDKs do.", NULL, rw);

  /**
   * GstKvsSignalingBase:client-id:
   *
   * A viewer's client id. Unset: a unique one is generated; reading the
   * property while READY or above gives it.
   */
  properties[PROP_CLIENT_ID] = g_param_spec_string ("client-id",
      "Client id",
      "Viewer only: the viewer's client id (1 to 256 of a-z, A-Z, 0-9, '_', "
      "'.' and '-', not starting with AWS_), unique per viewer of a "
      "channel; unset means a unique id is generated. A master has none.",
      NULL, rw);

  /**
   * GstKvsSignalingBase:recipient-client-id:
   *
   * The viewer a master addresses when the application sends on its own
   * without naming one. A viewer accepts and ignores it, as the service does.
   */
  properties[PROP_RECIPIENT_CLIENT_ID] =
      g_param_spec_string ("recipient-client-id", "Recipient client id",
      "Master only: the viewer a master sends to when an application "
      "message names no recipient; a viewer ignores it, as the service "
      "does.", NULL, rw);

  /**
   * GstKvsSignalingBase:correlation-id:
   *
   * Unset, every outgoing message gets a unique correlation id, so that the
   * service reports each failure with a STATUS_RESPONSE.
   */
  properties[PROP_CORRELATION_ID] = g_param_spec_string ("correlation-id",
      "Correlation id",
      "The correlation id sent with every outgoing message; unset means a "
      "unique id per message, so that every failure comes back as a status "
      "response.", NULL, rw);

  properties[PROP_ACCESS_KEY] = g_param_spec_string ("access-key",
      "Access key",
      "The AWS access key id; unset means the AWS credential chain "
      "(environment, shared credentials and config files).", NULL, rw);

  /**
   * GstKvsSignalingBase:secret-key:
   *
   * Write-only: the elements never read it back or print it. Note that
   * gst-launch-1.0's parser itself logs the whole pipeline description at
   * the GST_PIPELINE debug level: on a command line prefer the AWS
   * credential chain (environment or shared files).
   */
  properties[PROP_SECRET_KEY] = g_param_spec_string ("secret-key",
      "Secret key",
      "The AWS secret access key that goes with access-key; write-only, "
      "never printed.", NULL,
      G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);

  /**
   * GstKvsSignalingBase:session-token:
   *
   * May be replaced while PLAYING with fresh temporary credentials: the next
   * connection uses them.
   */
  properties[PROP_SESSION_TOKEN] = g_param_spec_string ("session-token",
      "Session token",
      "The AWS session token of temporary credentials; write-only, never "
      "printed, and may be replaced while playing (the next connection "
      "uses it).", NULL,
      G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);

  properties[PROP_ENDPOINT] = g_param_spec_string ("endpoint",
      "Endpoint",
      "The control-plane URL, e.g. http://127.0.0.1:4566 for the local "
      "service; unset means AWS_ENDPOINT_URL_KINESIS_VIDEO, AWS_ENDPOINT_URL "
      "or https://kinesisvideo.<region>.amazonaws.com.", NULL, rw);

  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", "CA file",
      "A PEM file of the certificate authorities to trust for TLS instead "
      "of the system's (TLS is always verified); also for the AWS IoT "
      "credentials endpoint (else AWS_KVS_CACERT_PATH).", NULL, rw);

  /**
   * GstKvsSignalingBase:iot-endpoint:
   *
   * The AWS IoT credentials provider of the account
   * (`aws iot describe-endpoint --endpoint-type iot:CredentialProvider`).
   * With #GstKvsSignalingBase:iot-role-alias, the device certificate and
   * key, credentials come from AWS IoT (after explicit keys, before the
   * environment). Unset: AWS_IOT_CORE_CREDENTIAL_ENDPOINT.
   */
  properties[PROP_IOT_ENDPOINT] = g_param_spec_string ("iot-endpoint",
      "AWS IoT credentials endpoint",
      "The AWS IoT credentials provider endpoint, a host name "
      "(xxxx.credentials.iot.<region>.amazonaws.com) or an https:// URL; "
      "unset means AWS_IOT_CORE_CREDENTIAL_ENDPOINT.", NULL, rw);

  properties[PROP_IOT_CERTIFICATE] = g_param_spec_string ("iot-certificate",
      "AWS IoT certificate",
      "PEM file of the AWS IoT device certificate (mutual TLS with the "
      "credentials endpoint); unset means AWS_IOT_CORE_CERT.", NULL, rw);

  properties[PROP_IOT_PRIVATE_KEY] = g_param_spec_string ("iot-private-key",
      "AWS IoT private key",
      "PEM file of the AWS IoT device's private key (never logged); unset "
      "means AWS_IOT_CORE_PRIVATE_KEY.", NULL, rw);

  properties[PROP_IOT_ROLE_ALIAS] = g_param_spec_string ("iot-role-alias",
      "AWS IoT role alias",
      "The AWS IoT role alias whose IAM role the credentials are for; unset "
      "means AWS_IOT_CORE_ROLE_ALIAS.", NULL, rw);

  /**
   * GstKvsSignalingBase:iot-thing-name:
   *
   * Sent as x-amzn-iot-thingname; when neither channel-name nor
   * channel-arn is set, the channel is named after the thing, as the AWS
   * IoT policies that restrict a device to the channel of its thing's name
   * expect (docs/aws.md).
   */
  properties[PROP_IOT_THING_NAME] = g_param_spec_string ("iot-thing-name",
      "AWS IoT thing name",
      "The AWS IoT thing name, also the channel name when channel-name and "
      "channel-arn are unset; unset means AWS_IOT_CORE_THING_NAME.", NULL, rw);

  properties[PROP_CREATE_CHANNEL] = g_param_spec_boolean ("create-channel",
      "Create channel",
      "Whether to create the signaling channel when it does not exist.",
      DEFAULT_CREATE_CHANNEL, rw);

  /**
   * GstKvsSignalingBase:webrtcbin:
   *
   * For applications. gst-launch-1.0 cannot name another element in an
   * object property: use #GstKvsSignalingBase:webrtcbin-name there.
   */
  properties[PROP_WEBRTCBIN] = g_param_spec_object ("webrtcbin",
      "webrtcbin",
      "The webrtcbin to drive, for applications (gst-launch-1.0 users set "
      "webrtcbin-name instead).", GST_TYPE_ELEMENT, rw);

  /**
   * GstKvsSignalingBase:webrtcbin-name:
   *
   * Resolved in the parent bin (and its parents) at the NULL to READY
   * change. With neither this nor #GstKvsSignalingBase:webrtcbin set, the
   * only webrtcbin of the bin is used; none or several is an error.
   */
  properties[PROP_WEBRTCBIN_NAME] = g_param_spec_string ("webrtcbin-name",
      "webrtcbin name",
      "The name of the webrtcbin to drive, looked up in the pipeline when "
      "the element starts; unset means the pipeline's only webrtcbin.",
      NULL, rw);

  /**
   * GstKvsSignalingBase:auto-negotiate:
   *
   * With FALSE the elements leave webrtcbin alone: the application uses the
   * src's signals and the sink's action signals to negotiate.
   */
  properties[PROP_AUTO_NEGOTIATE] = g_param_spec_boolean ("auto-negotiate",
      "Auto negotiate",
      "Whether the elements drive webrtcbin themselves (offer, answer, ICE "
      "candidates); false hands the whole flow to the application.",
      DEFAULT_AUTO_NEGOTIATE, rw);

  /**
   * GstKvsSignalingBase:recv-caps:
   *
   * A viewer from gst-launch-1.0 has no sink pads, so webrtcbin would offer
   * nothing: one receive-only transceiver is added per structure, e.g.
   * `application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000`.
   */
  properties[PROP_RECV_CAPS] = g_param_spec_boxed ("recv-caps",
      "Receive caps",
      "Viewer only: RTP caps of the media to receive; one receive-only "
      "transceiver is added to webrtcbin per caps structure, so that a "
      "receive-only viewer works from one gst-launch line.", GST_TYPE_CAPS, rw);

  /**
   * GstKvsSignalingBase:local-addresses:
   *
   * Restricts ICE gathering to these local addresses (webrtcbin's ICE agent
   * "add-local-ip-address"). Useful on multi-homed devices, and for tests on
   * one machine: libnice skips loopback addresses unless told to use them.
   */
  properties[PROP_LOCAL_ADDRESSES] = g_param_spec_string ("local-addresses",
      "Local addresses",
      "Comma-separated local IP addresses ICE may gather candidates on "
      "(e.g. 127.0.0.1 for tests on one machine); unset means every "
      "interface but loopback.", NULL, rw);

  /**
   * GstKvsSignalingBase:stun-server:
   *
   * The STUN server given to webrtcbin, in webrtcbin's form
   * `stun://host:port`. Unset (the default): the KVS STUN server of the
   * channel's region, `stun://stun.kinesisvideo.<region>.amazonaws.com:443`,
   * when the control-plane endpoint is AWS's (no endpoint set, or one under
   * amazonaws.com or amazonaws.com.cn), and none otherwise, so that a
   * pipeline talking to a local service never looks up AWS hosts; a
   * stun-server set on webrtcbin itself is then kept. "none" or an empty
   * string: no STUN server at all (webrtcbin's own is cleared). Both
   * elements of a pair should carry the same value: the first one to start
   * decides for the shared connection.
   */
  properties[PROP_STUN_SERVER] = g_param_spec_string ("stun-server",
      "STUN server",
      "The STUN server for webrtcbin as stun://host:port; unset means the "
      "channel region's KVS STUN server when the endpoint is AWS's and none "
      "otherwise; \"none\" or \"\" means no STUN server.", NULL, rw);

  /**
   * GstKvsSignalingBase:profile:
   *
   * The profile of the AWS shared files (`~/.aws/credentials`,
   * `~/.aws/config`, or the files AWS_SHARED_CREDENTIALS_FILE and
   * AWS_CONFIG_FILE name) to take credentials and region from when they
   * are not set as properties. Unset: AWS_PROFILE, then "default", as the
   * AWS SDKs do.
   */
  properties[PROP_PROFILE] = g_param_spec_string ("profile", "AWS profile",
      "The AWS profile of the shared credentials and config files to take "
      "credentials and region from; unset means AWS_PROFILE, then "
      "\"default\".", NULL, rw);

  /**
   * GstKvsSignalingBase:answer-timeout:
   *
   * A viewer whose offer got no answer after this many seconds posts a
   * warning ("No master answered on channel '...'") and keeps waiting: the
   * service holds the offer for the channel's message TTL, and a master
   * that connects meanwhile still answers it. Both elements of a pair
   * should carry the same value: the first one to start decides for the
   * shared connection.
   */
  properties[PROP_ANSWER_TIMEOUT] = g_param_spec_uint ("answer-timeout",
      "Answer timeout",
      "Viewer only: seconds to wait for the master's answer to the offer "
      "before posting a warning that no master answered (the viewer keeps "
      "waiting); 0 means never warn.", 0, 3600, DEFAULT_ANSWER_TIMEOUT, rw);

  /**
   * GstKvsSignalingBase:join-storage-session:
   *
   * As the master, also send the media to the channel's storage session
   * (WebRTC ingestion: Kinesis Video Streams records it into the stream of
   * the channel's media storage configuration), as kvswebrtcsink's
   * property of that name does. Once the signaling connection is up, the
   * pair calls JoinStorageSession on the channel's WEBRTC endpoint (from a
   * thread of its own); the first offer from a new peer after it is the
   * storage peer's, answered like a viewer's: by the driven webrtcbin
   * (auto-negotiate=true; the storage peer takes no viewer slot), a
   * webrtcbin from #GstKvsSignalingSrc::request-webrtcbin, or the
   * application. The element message `kvssignaling-storage` tells which
   * peer it is. The pair joins again after every reconnect and when the
   * storage session ends or fails, with backoff (100 ms doubling to 10 s,
   * with jitter), and when no offer comes within 30 s of a join. Set it on
   * both elements of the pair, like the other shared settings: the first
   * of them to start runs the storage session of the connection. A
   * viewer (role=viewer) ignores it with a warning.
   *
   * Since: 0.3
   */
  properties[PROP_JOIN_STORAGE_SESSION] =
      g_param_spec_boolean ("join-storage-session", "Join storage session",
      "Master only: join the channel's storage session (WebRTC ingestion, "
      "JoinStorageSession) after each connect and whenever it ends, and "
      "answer the storage peer's offer like a viewer's. Needs H.264 video "
      "and Opus audio on the webrtcbin, and media storage configured for "
      "the channel.", DEFAULT_JOIN_STORAGE_SESSION, rw);

  properties[PROP_STATE] = g_param_spec_enum ("state", "State",
      "The state of the signaling connection.",
      GST_TYPE_KVS_SIGNALING_STATE, GST_KVS_SIGNALING_STATE_NEW,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GstKvsSignalingBase:stats:
   *
   * A snapshot of the shared connection's metrics, a structure named
   * `kvssignaling-stats`, as the library's and as the `kvssignaling-stats`
   * element message that brings the same fields on the bus at each state
   * change and after each offer/answer exchange. Durations are
   * #GstClockTime in nanoseconds; a duration not measured yet is absent
   * (gst_structure_get_uint64() returns %FALSE):
   *
   * - `state` (#GstKvsSignalingState), `role` (#GstKvsRole);
   * - `describe-time`, `create-time`, `get-endpoint-time`,
   *   `get-ice-config-time`: the last DescribeSignalingChannel,
   *   CreateSignalingChannel, GetSignalingChannelEndpoint and
   *   GetIceServerConfig call; `connect-time`: the last WebSocket connect;
   * - `offer-to-answer-time`: the last completed offer/answer exchange, as
   *   AWS's C SDK measures it: a master from the viewer's offer received to
   *   its answer sent, a viewer from its offer sent to the answer received;
   *   `negotiations` (guint64): exchanges completed;
   * - `messages-sent-sdp-offer`, `messages-sent-sdp-answer`,
   *   `messages-sent-ice-candidate`, `messages-received-sdp-offer`,
   *   `messages-received-sdp-answer`, `messages-received-ice-candidate`,
   *   `messages-received-status-response`, `messages-received-go-away`,
   *   `messages-received-reconnect-ice-server` (guint64), as counted by the
   *   signaling client on the wire;
   * - `reconnects` (connections after the first one of a run),
   *   `ice-server-refreshes`, `send-failures` (messages that could not be
   *   queued or sent), `status-responses` (STATUS_RESPONSE errors),
   *   `refused-offers` (offers of viewers the master could not serve),
   *   guint64;
   * - `queue-depth` (guint): messages waiting for a connection;
   * - `credentials-source` (string): where the credentials in use came
   *   from ("IMDS (instance role ...)", "AWS IoT ...", ...; never a
   *   secret), `credentials-expiration` (gint64): their expiry in Unix
   *   seconds, 0 when they do not expire; absent before the first
   *   credentials;
   * - `peers` (guint): WebRTC sessions; `candidates-held` (guint): remote
   *   candidates waiting for their description;
   * - `peer-stats` (#GstValueArray of `kvssignaling-peer-stats`
   *   structures): per session `client-id` (NULL for the master),
   *   `offer-to-answer-time`, `candidates-held` and `connection-state`;
   * - `offers-sent`, `answers-sent`, `candidates-sent`, `offers-received`,
   *   `answers-received`, `candidates-received` (guint64): the same counts
   *   under the names of the first release.
   */
  properties[PROP_STATS] = g_param_spec_boxed ("stats", "Statistics",
      "Metrics of the signaling connection: time of each control-plane call "
      "and of the WebSocket connect, offer-to-answer time, messages sent and "
      "received per type, reconnects, status responses, queue depth, peers "
      "and held candidates (see the documentation for every field).",
      GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (gobject_class, N_PROPS, properties);
}

static void
gst_kvs_signaling_base_init (GstKvsSignalingBase * self)
{
  GstKvsSignalingBasePrivate *priv = GET_PRIV (self);

  gst_kvs_settings_init (&priv->settings);
  priv->settings.role = DEFAULT_ROLE;
  priv->settings.create_channel = DEFAULT_CREATE_CHANNEL;
  priv->auto_negotiate = DEFAULT_AUTO_NEGOTIATE;
  priv->settings.answer_timeout = DEFAULT_ANSWER_TIMEOUT;
  priv->join_storage_session = DEFAULT_JOIN_STORAGE_SESSION;
}
