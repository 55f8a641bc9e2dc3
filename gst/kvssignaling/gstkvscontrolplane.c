/* kvssignaling: the REST control plane (kinesisvideo rest-json API).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "gstkvscontrolplane.h"
#include "gstkvstls.h"
#include "gstkvsiceserver.h"
#include "gstkvsjson.h"
#include "gstkvssigv4.h"
#include "gstkvsvalidation.h"

/**
 * SECTION:gstkvscontrolplane
 * @title: GstKvsControlPlane
 * @short_description: the KVS signaling REST calls
 *
 * One object per (endpoint, region, credentials): DescribeSignalingChannel,
 * CreateSignalingChannel, DeleteSignalingChannel,
 * GetSignalingChannelEndpoint and GetIceServerConfig, each an asynchronous
 * SigV4-signed POST with a JSON body, sent through the caller's
 * #SoupSession on the caller's thread-default main context.
 *
 * Every reply is checked before anything is returned: AWS errors become
 * #GST_KVS_ERROR codes through gst_kvs_error_from_aws() with the message
 * "<AwsErrorName>: <service message> (<Operation>, HTTP <status>)", a reply
 * that is not the JSON the API promises gives %GST_KVS_ERROR_PROTOCOL naming
 * the missing or mistyped field, and a request that never got an answer
 * gives %GST_KVS_ERROR_CONNECTION. Replies are read up to 1 MiB.
 *
 * Each reply's Date header sets the clock offset (server minus local, in
 * seconds), which every later signature adds to the local clock: a device
 * with a wrong clock recovers after one round trip.
 *
 * Timeouts: the session's own #SoupSession:timeout belongs to the caller.
 * On top of it each call has its own deadline (#GstKvsControlPlane:timeout,
 * 30 s by default, 0 = none) after which it fails with
 * %GST_KVS_ERROR_CONNECTION.
 *
 * Nothing secret is ever logged: not the Authorization header, the secret
 * key, the session token, nor the TURN passwords of GetIceServerConfig. The
 * session token and secret key are also scrubbed from service error texts
 * (AWS echoes the canonical request, token included, on a bad signature).
 */

GST_DEBUG_CATEGORY_STATIC (kvs_control_plane_debug);
#define GST_CAT_DEFAULT kvs_control_plane_debug

/* Replies larger than this are refused: the largest real reply (a few ICE
 * server sets) is under 4 KiB. */
#define MAX_REPLY_SIZE (1024 * 1024)
#define READ_CHUNK_SIZE 16384
#define DEFAULT_TIMEOUT 30
/* At most this much of a service error text goes into a GError. */
#define MAX_ERROR_TEXT 512

#define OP_DESCRIBE "DescribeSignalingChannel"
#define OP_CREATE "CreateSignalingChannel"
#define OP_DELETE "DeleteSignalingChannel"
#define OP_ENDPOINT "GetSignalingChannelEndpoint"
#define OP_ICE "GetIceServerConfig"

/* ---------------------------------------------------------------------- */
/* Boxed values */

/**
 * gst_kvs_channel_info_copy:
 * @info: a #GstKvsChannelInfo
 *
 * Returns: (transfer full): a deep copy of @info.
 */
GstKvsChannelInfo *
gst_kvs_channel_info_copy (const GstKvsChannelInfo * info)
{
  GstKvsChannelInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (GstKvsChannelInfo, 1);
  copy->name = g_strdup (info->name);
  copy->arn = g_strdup (info->arn);
  copy->type = g_strdup (info->type);
  copy->status = g_strdup (info->status);
  copy->version = g_strdup (info->version);
  copy->creation_time = info->creation_time;
  copy->message_ttl = info->message_ttl;
  return copy;
}

/**
 * gst_kvs_channel_info_free:
 * @info: (transfer full) (nullable): a #GstKvsChannelInfo
 */
void
gst_kvs_channel_info_free (GstKvsChannelInfo * info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->arn);
  g_free (info->type);
  g_free (info->status);
  g_free (info->version);
  g_free (info);
}

G_DEFINE_BOXED_TYPE (GstKvsChannelInfo, gst_kvs_channel_info,
    gst_kvs_channel_info_copy, gst_kvs_channel_info_free);

/**
 * gst_kvs_endpoints_copy:
 * @ep: a #GstKvsEndpoints
 *
 * Returns: (transfer full): a deep copy of @ep.
 */
GstKvsEndpoints *
gst_kvs_endpoints_copy (const GstKvsEndpoints * ep)
{
  GstKvsEndpoints *copy;

  g_return_val_if_fail (ep != NULL, NULL);

  copy = g_new0 (GstKvsEndpoints, 1);
  copy->wss = g_strdup (ep->wss);
  copy->https = g_strdup (ep->https);
  return copy;
}

/**
 * gst_kvs_endpoints_free:
 * @ep: (transfer full) (nullable): a #GstKvsEndpoints
 */
void
gst_kvs_endpoints_free (GstKvsEndpoints * ep)
{
  if (ep == NULL)
    return;
  g_free (ep->wss);
  g_free (ep->https);
  g_free (ep);
}

G_DEFINE_BOXED_TYPE (GstKvsEndpoints, gst_kvs_endpoints,
    gst_kvs_endpoints_copy, gst_kvs_endpoints_free);

/* ---------------------------------------------------------------------- */
/* The object */

struct _GstKvsControlPlane
{
  GObject parent;

  /* Construct-only, then read-only: no lock needed. */
  SoupSession *session;
  gchar *endpoint;              /* without trailing '/' */
  gchar *region;

  GMutex lock;                  /* protects everything below */
  GstKvsCredentials *credentials;
  gint64 clock_offset;          /* seconds, server minus local */
  guint timeout;                /* seconds, 0 = none */
  GHashTable *last_duration;    /* operation name (static) -> gint64 us */
};

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_ENDPOINT,
  PROP_REGION,
  PROP_CREDENTIALS,
  PROP_CLOCK_OFFSET,
  PROP_TIMEOUT,
};

G_DEFINE_TYPE_WITH_CODE (GstKvsControlPlane, gst_kvs_control_plane,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_control_plane_debug, "kvscontrolplane", 0,
        "KVS signaling REST control plane"));

static void
gst_kvs_control_plane_init (GstKvsControlPlane * self)
{
  g_mutex_init (&self->lock);
  self->timeout = DEFAULT_TIMEOUT;
  self->last_duration = g_hash_table_new_full (g_str_hash, g_str_equal,
      NULL, g_free);
}

static void
gst_kvs_control_plane_finalize (GObject * object)
{
  GstKvsControlPlane *self = GST_KVS_CONTROL_PLANE (object);

  g_clear_object (&self->session);
  g_free (self->endpoint);
  g_free (self->region);
  g_clear_pointer (&self->credentials, gst_kvs_credentials_unref);
  g_hash_table_unref (self->last_duration);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_kvs_control_plane_parent_class)->finalize (object);
}

static gchar *
strip_trailing_slashes (const gchar * s)
{
  gchar *copy = g_strdup (s);
  gsize len = copy ? strlen (copy) : 0;

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

static void
gst_kvs_control_plane_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKvsControlPlane *self = GST_KVS_CONTROL_PLANE (object);

  switch (prop_id) {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_ENDPOINT:
      self->endpoint = strip_trailing_slashes (g_value_get_string (value));
      break;
    case PROP_REGION:
      self->region = g_value_dup_string (value);
      break;
    case PROP_CREDENTIALS:
      gst_kvs_control_plane_set_credentials (self, g_value_get_boxed (value));
      break;
    case PROP_CLOCK_OFFSET:
      gst_kvs_control_plane_set_clock_offset (self, g_value_get_int64 (value));
      break;
    case PROP_TIMEOUT:
      gst_kvs_control_plane_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_kvs_control_plane_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstKvsControlPlane *self = GST_KVS_CONTROL_PLANE (object);

  switch (prop_id) {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ENDPOINT:
      g_value_set_string (value, self->endpoint);
      break;
    case PROP_REGION:
      g_value_set_string (value, self->region);
      break;
    case PROP_CREDENTIALS:
      g_mutex_lock (&self->lock);
      g_value_set_boxed (value, self->credentials);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_CLOCK_OFFSET:
      g_value_set_int64 (value, gst_kvs_control_plane_get_clock_offset (self));
      break;
    case PROP_TIMEOUT:
      g_mutex_lock (&self->lock);
      g_value_set_uint (value, self->timeout);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_kvs_control_plane_class_init (GstKvsControlPlaneClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = gst_kvs_control_plane_set_property;
  gobject_class->get_property = gst_kvs_control_plane_get_property;
  gobject_class->finalize = gst_kvs_control_plane_finalize;

  /**
   * GstKvsControlPlane:session:
   *
   * The session every request goes through. Calls must be made on the
   * thread-default main context the session was created in.
   */
  g_object_class_install_property (gobject_class, PROP_SESSION,
      g_param_spec_object ("session", "Session",
          "The libsoup session every request goes through",
          SOUP_TYPE_SESSION,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstKvsControlPlane:endpoint:
   *
   * The control-plane endpoint, e.g.
   * "https://kinesisvideo.us-west-2.amazonaws.com".
   */
  g_object_class_install_property (gobject_class, PROP_ENDPOINT,
      g_param_spec_string ("endpoint", "Endpoint",
          "The control-plane URL the operation paths are appended to",
          NULL,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstKvsControlPlane:region:
   *
   * The AWS region in the signature's credential scope.
   */
  g_object_class_install_property (gobject_class, PROP_REGION,
      g_param_spec_string ("region", "Region",
          "The AWS region the requests are signed for", NULL,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
          G_PARAM_STATIC_STRINGS));

  /**
   * GstKvsControlPlane:credentials:
   *
   * The credentials the next requests are signed with; may be replaced at
   * any time (calls in flight keep the ones they were signed with).
   */
  g_object_class_install_property (gobject_class, PROP_CREDENTIALS,
      g_param_spec_boxed ("credentials", "Credentials",
          "The AWS credentials the next requests are signed with",
          GST_KVS_TYPE_CREDENTIALS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstKvsControlPlane:clock-offset:
   *
   * Server clock minus local clock, in seconds, as the Date header of the
   * last reply told it. Added to the local clock when signing.
   */
  g_object_class_install_property (gobject_class, PROP_CLOCK_OFFSET,
      g_param_spec_int64 ("clock-offset", "Clock offset",
          "Server clock minus local clock in seconds, applied when signing",
          G_MININT64, G_MAXINT64, 0,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * GstKvsControlPlane:timeout:
   *
   * Deadline of each call in seconds, from sending to the last byte of the
   * reply; 0 for none (the session's own timeouts still apply).
   */
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Deadline of each call in seconds (0 = only the session's timeouts)",
          0, G_MAXUINT / 1000, DEFAULT_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

/**
 * gst_kvs_control_plane_new:
 * @session: the session to send through
 * @endpoint: the control-plane URL, e.g.
 *   "https://kinesisvideo.us-west-2.amazonaws.com"
 * @region: the region to sign for
 * @credentials: (nullable): the credentials to sign with
 *
 * Returns: (transfer full): a new #GstKvsControlPlane.
 */
GstKvsControlPlane *
gst_kvs_control_plane_new (SoupSession * session, const gchar * endpoint,
    const gchar * region, GstKvsCredentials * credentials)
{
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (region != NULL, NULL);

  return g_object_new (GST_KVS_TYPE_CONTROL_PLANE, "session", session,
      "endpoint", endpoint, "region", region, "credentials", credentials,
      NULL);
}

/**
 * gst_kvs_control_plane_set_credentials:
 * @self: a #GstKvsControlPlane
 * @credentials: (nullable): the new credentials
 *
 * Later requests are signed with @credentials.
 */
void
gst_kvs_control_plane_set_credentials (GstKvsControlPlane * self,
    GstKvsCredentials * credentials)
{
  GstKvsCredentials *old;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));

  g_mutex_lock (&self->lock);
  old = self->credentials;
  self->credentials = credentials ? gst_kvs_credentials_ref (credentials) :
      NULL;
  g_mutex_unlock (&self->lock);

  if (credentials)
    GST_DEBUG_OBJECT (self, "credentials from %s, key id %s",
        GST_STR_NULL (credentials->source),
        GST_STR_NULL (credentials->access_key_id));
  if (old)
    gst_kvs_credentials_unref (old);
}

/**
 * gst_kvs_control_plane_get_clock_offset:
 * @self: a #GstKvsControlPlane
 *
 * Returns: server clock minus local clock, in seconds.
 */
gint64
gst_kvs_control_plane_get_clock_offset (GstKvsControlPlane * self)
{
  gint64 offset;

  g_return_val_if_fail (GST_KVS_IS_CONTROL_PLANE (self), 0);

  g_mutex_lock (&self->lock);
  offset = self->clock_offset;
  g_mutex_unlock (&self->lock);
  return offset;
}

/**
 * gst_kvs_control_plane_set_clock_offset:
 * @self: a #GstKvsControlPlane
 * @offset: server clock minus local clock, in seconds
 */
void
gst_kvs_control_plane_set_clock_offset (GstKvsControlPlane * self,
    gint64 offset)
{
  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));

  g_mutex_lock (&self->lock);
  self->clock_offset = offset;
  g_mutex_unlock (&self->lock);
}

/**
 * gst_kvs_control_plane_set_timeout:
 * @self: a #GstKvsControlPlane
 * @seconds: deadline of each later call, 0 for none
 */
void
gst_kvs_control_plane_set_timeout (GstKvsControlPlane * self, guint seconds)
{
  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (seconds <= G_MAXUINT / 1000);

  g_mutex_lock (&self->lock);
  self->timeout = seconds;
  g_mutex_unlock (&self->lock);
}

/**
 * gst_kvs_control_plane_get_last_duration:
 * @self: a #GstKvsControlPlane
 * @operation: an AWS operation name ("GetIceServerConfig")
 *
 * Returns: how long the last finished call of @operation took, from sending
 * to its end (reply, error or cancellation), in microseconds; -1 if none
 * finished yet.
 */
gint64
gst_kvs_control_plane_get_last_duration (GstKvsControlPlane * self,
    const gchar * operation)
{
  gint64 *us;
  gint64 ret = -1;

  g_return_val_if_fail (GST_KVS_IS_CONTROL_PLANE (self), -1);
  g_return_val_if_fail (operation != NULL, -1);

  g_mutex_lock (&self->lock);
  us = g_hash_table_lookup (self->last_duration, operation);
  if (us)
    ret = *us;
  g_mutex_unlock (&self->lock);
  return ret;
}

/* ---------------------------------------------------------------------- */
/* JSON reading with precise errors */

static JsonNode *
get_member (JsonObject * obj, const gchar * member)
{
  JsonNode *node = obj ? json_object_get_member (obj, member) : NULL;

  /* An explicit null is the same as an absent member. */
  if (node && JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static void
set_missing (GError ** error, const gchar * op, const gchar * path)
{
  g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
      "%s reply has no %s", op, path);
}

static void
set_wrong_type (GError ** error, const gchar * op, const gchar * path,
    JsonNode * node, const gchar * expected)
{
  const gchar *have;

  /* json_node_type_name() says "JsonObject" for containers, "Integer" for
   * values: use the plain JSON words throughout. */
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:
      have = "Object";
      break;
    case JSON_NODE_ARRAY:
      have = "Array";
      break;
    default:
      have = json_node_type_name (node);
      break;
  }
  g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
      "%s reply has %s of type %s, expected %s", op, path, have, expected);
}

/* A string member. Absent and optional: *out stays NULL, TRUE. */
static gboolean
read_string (JsonObject * obj, const gchar * member, gboolean required,
    const gchar * op, const gchar * path, gchar ** out, GError ** error)
{
  JsonNode *node = get_member (obj, member);

  if (node == NULL) {
    if (required)
      set_missing (error, op, path);
    return !required;
  }
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING) {
    set_wrong_type (error, op, path, node, "a string");
    return FALSE;
  }
  /* json-glib turns a lone "\ud800" escape into invalid UTF-8. */
  if (!g_utf8_validate (json_node_get_string (node), -1, NULL)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply has %s that is not valid UTF-8", op, path);
    return FALSE;
  }
  if (required && json_node_get_string (node)[0] == '\0') {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply has an empty %s", op, path);
    return FALSE;
  }
  *out = json_node_dup_string (node);
  return TRUE;
}

/* An integer member in [min, max]. Absent and optional: *out untouched. */
static gboolean
read_int (JsonObject * obj, const gchar * member, gboolean required,
    const gchar * op, const gchar * path, gint64 min, gint64 max,
    gint64 * out, GError ** error)
{
  JsonNode *node = get_member (obj, member);
  gint64 v;

  if (node == NULL) {
    if (required)
      set_missing (error, op, path);
    return !required;
  }
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64) {
    set_wrong_type (error, op, path, node, "an integer");
    return FALSE;
  }
  v = json_node_get_int (node);
  if (v < min || v > max) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply has %s = %" G_GINT64_FORMAT ", outside %" G_GINT64_FORMAT
        "..%" G_GINT64_FORMAT, op, path, v, min, max);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

/* A timestamp: AWS sends epoch seconds as a number, often fractional
 * (1.605557568493E9). Absent: *out untouched. */
static gboolean
read_epoch (JsonObject * obj, const gchar * member, const gchar * op,
    const gchar * path, gint64 * out, GError ** error)
{
  JsonNode *node = get_member (obj, member);
  GType t;

  if (node == NULL)
    return TRUE;
  t = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) :
      G_TYPE_INVALID;
  if (t == G_TYPE_INT64) {
    *out = json_node_get_int (node);
  } else if (t == G_TYPE_DOUBLE) {
    gdouble d = json_node_get_double (node);

    if (!(d >= 0 && d < 1e15)) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
          "%s reply has %s = %g, not a time", op, path, d);
      return FALSE;
    }
    *out = (gint64) d;
  } else {
    set_wrong_type (error, op, path, node, "a number");
    return FALSE;
  }
  return TRUE;
}

/* An object (or array) member. Absent and optional: NULL with no error. */
static JsonNode *
read_node (JsonObject * obj, const gchar * member, JsonNodeType type,
    gboolean required, const gchar * op, const gchar * path, GError ** error)
{
  JsonNode *node = get_member (obj, member);

  if (node == NULL) {
    if (required)
      set_missing (error, op, path);
    return NULL;
  }
  if (JSON_NODE_TYPE (node) != type) {
    set_wrong_type (error, op, path, node,
        type == JSON_NODE_OBJECT ? "an object" : "an array");
    return NULL;
  }
  return node;
}

/* ---------------------------------------------------------------------- */
/* Reply parsers: root object in, result or error out. */

typedef gpointer (*ParseReplyFunc) (JsonObject * root, GError ** error);

static gpointer
parse_describe (JsonObject * root, GError ** error)
{
  g_autoptr (GstKvsChannelInfo) info = g_new0 (GstKvsChannelInfo, 1);
  JsonObject *ci, *smc;
  JsonNode *node;
  GError *err = NULL;
  gint64 ttl = 0;

  node = read_node (root, "ChannelInfo", JSON_NODE_OBJECT, TRUE, OP_DESCRIBE,
      "ChannelInfo", error);
  if (node == NULL)
    return NULL;
  ci = json_node_get_object (node);

  if (!read_string (ci, "ChannelARN", TRUE, OP_DESCRIBE,
          "ChannelInfo.ChannelARN", &info->arn, error)
      || !read_string (ci, "ChannelName", TRUE, OP_DESCRIBE,
          "ChannelInfo.ChannelName", &info->name, error)
      || !read_string (ci, "ChannelType", FALSE, OP_DESCRIBE,
          "ChannelInfo.ChannelType", &info->type, error)
      || !read_string (ci, "ChannelStatus", FALSE, OP_DESCRIBE,
          "ChannelInfo.ChannelStatus", &info->status, error)
      || !read_string (ci, "Version", FALSE, OP_DESCRIBE,
          "ChannelInfo.Version", &info->version, error)
      || !read_epoch (ci, "CreationTime", OP_DESCRIBE,
          "ChannelInfo.CreationTime", &info->creation_time, error))
    return NULL;

  node = read_node (ci, "SingleMasterConfiguration", JSON_NODE_OBJECT, FALSE,
      OP_DESCRIBE, "ChannelInfo.SingleMasterConfiguration", &err);
  if (err) {
    g_propagate_error (error, err);
    return NULL;
  }
  if (node) {
    smc = json_node_get_object (node);
    if (!read_int (smc, "MessageTtlSeconds", FALSE, OP_DESCRIBE,
            "ChannelInfo.SingleMasterConfiguration.MessageTtlSeconds",
            0, G_MAXUINT, &ttl, error))
      return NULL;
    info->message_ttl = (guint) ttl;
  }

  return g_steal_pointer (&info);
}

static gpointer
parse_create (JsonObject * root, GError ** error)
{
  gchar *arn = NULL;

  if (!read_string (root, "ChannelARN", TRUE, OP_CREATE, "ChannelARN", &arn,
          error))
    return NULL;
  return arn;
}

static gpointer
parse_endpoints (JsonObject * root, GError ** error)
{
  g_autoptr (GstKvsEndpoints) ep = g_new0 (GstKvsEndpoints, 1);
  JsonNode *node;
  JsonArray *list;
  guint i, n;

  node = read_node (root, "ResourceEndpointList", JSON_NODE_ARRAY, TRUE,
      OP_ENDPOINT, "ResourceEndpointList", error);
  if (node == NULL)
    return NULL;
  list = json_node_get_array (node);
  n = json_array_get_length (list);

  for (i = 0; i < n; i++) {
    JsonNode *item = json_array_get_element (list, i);
    g_autofree gchar *path = g_strdup_printf ("ResourceEndpointList[%u]", i);
    g_autofree gchar *ppath = g_strconcat (path, ".Protocol", NULL);
    g_autofree gchar *epath = g_strconcat (path, ".ResourceEndpoint", NULL);
    g_autofree gchar *protocol = NULL;
    g_autofree gchar *endpoint = NULL;
    JsonObject *obj;

    if (!JSON_NODE_HOLDS_OBJECT (item)) {
      set_wrong_type (error, OP_ENDPOINT, path, item, "an object");
      return NULL;
    }
    obj = json_node_get_object (item);
    if (!read_string (obj, "Protocol", TRUE, OP_ENDPOINT, ppath, &protocol,
            error)
        || !read_string (obj, "ResourceEndpoint", TRUE, OP_ENDPOINT, epath,
            &endpoint, error))
      return NULL;

    /* Unknown protocols (WEBRTC for the ingestion API) are not ours. */
    if (g_ascii_strcasecmp (protocol, "WSS") == 0 && ep->wss == NULL)
      ep->wss = g_steal_pointer (&endpoint);
    else if (g_ascii_strcasecmp (protocol, "HTTPS") == 0 && ep->https == NULL)
      ep->https = g_steal_pointer (&endpoint);
  }

  if (ep->wss == NULL) {
    set_missing (error, OP_ENDPOINT, "WSS endpoint in ResourceEndpointList");
    return NULL;
  }
  if (ep->https == NULL) {
    set_missing (error, OP_ENDPOINT, "HTTPS endpoint in ResourceEndpointList");
    return NULL;
  }
  return g_steal_pointer (&ep);
}

static GstKvsIceServer *
parse_one_ice_server (JsonNode * item, guint index, GError ** error)
{
  g_autofree gchar *path = g_strdup_printf ("IceServerList[%u]", index);
  g_autofree gchar *upath = g_strconcat (path, ".Uris", NULL);
  g_autofree gchar *username = NULL;
  g_autofree gchar *password = NULL;
  g_autoptr (GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);
  JsonObject *obj;
  JsonNode *node;
  JsonArray *arr;
  gint64 ttl = 300;
  guint i, n;

  if (!JSON_NODE_HOLDS_OBJECT (item)) {
    set_wrong_type (error, OP_ICE, path, item, "an object");
    return NULL;
  }
  obj = json_node_get_object (item);

  node = read_node (obj, "Uris", JSON_NODE_ARRAY, TRUE, OP_ICE, upath, error);
  if (node == NULL)
    return NULL;
  arr = json_node_get_array (node);
  n = json_array_get_length (arr);
  if (n == 0) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply has an empty %s", OP_ICE, upath);
    return NULL;
  }
  for (i = 0; i < n; i++) {
    JsonNode *u = json_array_get_element (arr, i);

    if (!JSON_NODE_HOLDS_VALUE (u)
        || json_node_get_value_type (u) != G_TYPE_STRING) {
      g_autofree gchar *p = g_strdup_printf ("%s[%u]", upath, i);
      set_wrong_type (error, OP_ICE, p, u, "a string");
      return NULL;
    }
    g_ptr_array_add (uris, json_node_dup_string (u));
  }
  g_ptr_array_add (uris, NULL);

  {
    g_autofree gchar *un = g_strconcat (path, ".Username", NULL);
    g_autofree gchar *pw = g_strconcat (path, ".Password", NULL);
    g_autofree gchar *tt = g_strconcat (path, ".Ttl", NULL);

    /* The model allows 30..86400; 300 is what AWS sends. */
    if (!read_string (obj, "Username", TRUE, OP_ICE, un, &username, error)
        || !read_string (obj, "Password", TRUE, OP_ICE, pw, &password, error)
        || !read_int (obj, "Ttl", FALSE, OP_ICE, tt, 1, 86400 * 7, &ttl,
            error))
      return NULL;
  }

  return gst_kvs_ice_server_new ((const gchar * const *) uris->pdata,
      username, password, (guint) ttl);
}

static gpointer
parse_ice_config (JsonObject * root, GError ** error)
{
  g_autoptr (GPtrArray) servers =
      g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_kvs_ice_server_unref);
  JsonNode *node;
  JsonArray *list;
  GError *err = NULL;
  guint i, n;

  /* An absent list is an empty one (AWS omits empty lists). */
  node = read_node (root, "IceServerList", JSON_NODE_ARRAY, FALSE, OP_ICE,
      "IceServerList", &err);
  if (err) {
    g_propagate_error (error, err);
    return NULL;
  }
  if (node == NULL)
    return g_steal_pointer (&servers);

  list = json_node_get_array (node);
  n = json_array_get_length (list);
  for (i = 0; i < n; i++) {
    GstKvsIceServer *s =
        parse_one_ice_server (json_array_get_element (list, i), i, error);

    if (s == NULL)
      return NULL;
    g_ptr_array_add (servers, s);
  }
  return g_steal_pointer (&servers);
}

/* A 2xx reply body of @operation: empty is fine only when @parse is NULL
 * (no result expected), otherwise a JSON object handed to @parse. On
 * success *@result gets what @parse returned (NULL without @parse). */
static gboolean
parse_success_body (const gchar * operation, ParseReplyFunc parse,
    const gchar * body, gsize len, gpointer * result, GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  GError *err = NULL;
  g_autofree gchar *what = NULL;
  JsonNode *root;

  *result = NULL;
  if (body == NULL)
    len = 0;
  else if (len == (gsize) - 1)
    len = strlen (body);

  if (len == 0) {
    if (parse == NULL)
      return TRUE;
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply is empty", operation);
    return FALSE;
  }
  if (len > MAX_REPLY_SIZE) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply is larger than %u bytes", operation, MAX_REPLY_SIZE);
    return FALSE;
  }

  /* What json-glib 1.6 must never see (NUL, invalid UTF-8, more than one
   * value, deep nesting, bad escapes): refused with a precise reason. */
  what = g_strdup_printf ("%s reply", operation);
  if (!gst_kvs_json_check_object_text (what, body, len, G_MAXSIZE,
          GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL, error))
    return FALSE;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, body, len, &err)) {
    /* json-glib quotes the offending token, invalid UTF-8 included. */
    g_autofree gchar *why = g_utf8_make_valid (err->message, -1);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply is not JSON: %s", operation, why);
    g_error_free (err);
    return FALSE;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply is not a JSON object", operation);
    return FALSE;
  }
  if (parse == NULL)
    return TRUE;

  *result = parse (json_node_get_object (root), error);
  return *result != NULL;
}

/**
 * gst_kvs_control_plane_parse_describe_reply:
 * @body: (array length=len): a DescribeSignalingChannel 2xx reply body
 * @len: length of @body, or -1 when NUL-terminated
 * @error: return location for a #GError
 *
 * The checks a call does on its reply, without any network (for tests and
 * fuzzing); the other _parse_*_reply() functions likewise.
 *
 * Returns: (transfer full) (nullable): the channel, or %NULL and
 * %GST_KVS_ERROR_PROTOCOL.
 */
GstKvsChannelInfo *
gst_kvs_control_plane_parse_describe_reply (const gchar * body, gsize len,
    GError ** error)
{
  gpointer result;

  parse_success_body (OP_DESCRIBE, parse_describe, body, len, &result, error);
  return result;
}

/**
 * gst_kvs_control_plane_parse_create_reply:
 * @body: (array length=len): a CreateSignalingChannel 2xx reply body
 * @len: length of @body, or -1 when NUL-terminated
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the channel ARN.
 */
gchar *
gst_kvs_control_plane_parse_create_reply (const gchar * body, gsize len,
    GError ** error)
{
  gpointer result;

  parse_success_body (OP_CREATE, parse_create, body, len, &result, error);
  return result;
}

/**
 * gst_kvs_control_plane_parse_delete_reply:
 * @body: (array length=len) (nullable): a DeleteSignalingChannel 2xx reply
 *   body (empty allowed)
 * @len: length of @body, or -1 when NUL-terminated
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the body is empty or a JSON object.
 */
gboolean
gst_kvs_control_plane_parse_delete_reply (const gchar * body, gsize len,
    GError ** error)
{
  gpointer result;

  return parse_success_body (OP_DELETE, NULL, body, len, &result, error);
}

/**
 * gst_kvs_control_plane_parse_endpoints_reply:
 * @body: (array length=len): a GetSignalingChannelEndpoint 2xx reply body
 * @len: length of @body, or -1 when NUL-terminated
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): both endpoints.
 */
GstKvsEndpoints *
gst_kvs_control_plane_parse_endpoints_reply (const gchar * body, gsize len,
    GError ** error)
{
  gpointer result;

  parse_success_body (OP_ENDPOINT, parse_endpoints, body, len, &result,
      error);
  return result;
}

/**
 * gst_kvs_control_plane_parse_ice_server_config_reply:
 * @body: (array length=len): a GetIceServerConfig 2xx reply body
 * @len: length of @body, or -1 when NUL-terminated
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type GstKvsIceServer) (nullable): the
 * server sets, possibly none.
 */
GPtrArray *
gst_kvs_control_plane_parse_ice_server_config_reply (const gchar * body,
    gsize len, GError ** error)
{
  gpointer result;

  parse_success_body (OP_ICE, parse_ice_config, body, len, &result, error);
  return result;
}

/* ---------------------------------------------------------------------- */
/* One call */

typedef struct
{
  const gchar *operation;       /* static */
  ParseReplyFunc parse;         /* NULL: no result, empty reply allowed */
  GDestroyNotify result_free;
  gchar *url;
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *reply;
  GCancellable *caller;         /* the caller's cancellable, or NULL */
  GCancellable *internal;       /* what libsoup sees */
  gulong cancel_id;
  GSource *timeout_source;
  guint timeout;
  gboolean timed_out;
  gint64 start_us;
  /* For scrubbing service error texts; never logged. */
  gchar *secret;
  gchar *token;
} CallData;

static void
call_data_free (CallData * call)
{
  g_assert (call->timeout_source == NULL);
  g_assert (call->cancel_id == 0);
  g_free (call->url);
  g_clear_object (&call->msg);
  g_clear_object (&call->stream);
  if (call->reply)
    g_byte_array_unref (call->reply);
  g_clear_object (&call->caller);
  g_clear_object (&call->internal);
  g_free (call->secret);
  g_free (call->token);
  g_free (call);
}

static void
on_caller_cancelled (GCancellable * caller, GCancellable * internal)
{
  g_cancellable_cancel (internal);
}

static gboolean
on_call_timeout (gpointer user_data)
{
  CallData *call = user_data;

  call->timed_out = TRUE;
  g_cancellable_cancel (call->internal);
  return G_SOURCE_REMOVE;
}

/* Stops the timer and the cancellation link, records the duration. */
static void
call_end (GTask * task)
{
  GstKvsControlPlane *self = g_task_get_source_object (task);
  CallData *call = g_task_get_task_data (task);
  gint64 *duration = g_new (gint64, 1);

  if (call->timeout_source) {
    g_source_destroy (call->timeout_source);
    g_clear_pointer (&call->timeout_source, g_source_unref);
  }
  if (call->cancel_id) {
    g_cancellable_disconnect (call->caller, call->cancel_id);
    call->cancel_id = 0;
  }

  *duration = g_get_monotonic_time () - call->start_us;
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->last_duration, (gpointer) call->operation,
      duration);
  g_mutex_unlock (&self->lock);
}

static gdouble
call_elapsed_ms (CallData * call)
{
  return (g_get_monotonic_time () - call->start_us) / 1000.0;
}

/* The request never got a complete answer. */
static void
call_fail_transport (GTask * task, GError * err)
{
  GstKvsControlPlane *self = g_task_get_source_object (task);
  CallData *call = g_task_get_task_data (task);

  call_end (task);

  if (call->caller && g_cancellable_is_cancelled (call->caller)) {
    GST_DEBUG_OBJECT (self, "%s: cancelled after %.1f ms", call->operation,
        call_elapsed_ms (call));
    g_error_free (err);
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "%s was cancelled", call->operation);
  } else if (call->timed_out) {
    GST_DEBUG_OBJECT (self, "%s: timed out after %u s", call->operation,
        call->timeout);
    g_error_free (err);
    g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
        "%s to %s timed out after %u s", call->operation, call->url,
        call->timeout);
  } else {
    g_autofree gchar *what = g_strdup_printf ("%s to %s", call->operation,
        call->url);
    GError *tls = gst_kvs_tls_error_new (call->msg, err, what);

    GST_DEBUG_OBJECT (self, "%s: failed after %.1f ms: %s", call->operation,
        call_elapsed_ms (call), err->message);
    if (tls)
      g_task_return_error (task, tls);
    else
      g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
          "%s failed: %s", what, err->message);
    g_error_free (err);
  }
  g_object_unref (task);
}

static void
update_clock_offset (GstKvsControlPlane * self, SoupMessageHeaders * headers)
{
  const gchar *date = soup_message_headers_get_one (headers, "Date");
  g_autoptr (GDateTime) server = NULL;
  gint64 offset, old;

  if (date == NULL)
    return;
  server = soup_date_time_new_from_http_string (date);
  if (server == NULL) {
    GST_DEBUG_OBJECT (self, "ignoring unparsable Date '%s'", date);
    return;
  }
  offset = g_date_time_to_unix (server) - g_get_real_time () / G_USEC_PER_SEC;

  g_mutex_lock (&self->lock);
  old = self->clock_offset;
  self->clock_offset = offset;
  g_mutex_unlock (&self->lock);

  if (old != offset)
    GST_DEBUG_OBJECT (self, "clock offset %" G_GINT64_FORMAT " s (was %"
        G_GINT64_FORMAT " s) from Date '%s'", offset, old, date);
}

/* Replaces every occurrence of @needle in @s (in place, @s grows). */
static void
scrub (GString * s, const gchar * needle)
{
  if (needle && strlen (needle) >= 4)
    g_string_replace (s, needle, "<redacted>", 0);
}

/* "ResourceNotFoundException:http://..." or "aws#ResourceNotFoundException"
 * → "ResourceNotFoundException". */
static gchar *
display_aws_name (const gchar * name)
{
  const gchar *start = strchr (name, '#');
  const gchar *colon;

  start = start ? start + 1 : name;
  colon = strchr (start, ':');
  return g_strstrip (colon ? g_strndup (start, colon - start) :
      g_strdup (start));
}

/**
 * gst_kvs_control_plane_parse_error_reply:
 * @operation: the AWS operation name ("DescribeSignalingChannel"), for the
 *   message
 * @status: the HTTP status (not 2xx)
 * @reason_phrase: (nullable): the reply's reason phrase
 * @error_type: (nullable): the x-amzn-ErrorType header
 * @body: (nullable) (array length=len): the reply body
 * @len: length of @body, or -1 when NUL-terminated
 * @redact: (nullable) (array zero-terminated=1): strings (secret key,
 *   session token) replaced by "&lt;redacted&gt;" in the service's text
 *
 * What a call returns for a non-2xx reply, without any network: the
 * #GST_KVS_ERROR code of gst_kvs_error_from_aws() and the message
 * "<AwsErrorName>: <service message> (<Operation>, HTTP <status>)". The
 * error name comes from @error_type, else from the body's "__type"; the
 * text from the body's "message" (or "Message"), else its start when it is
 * plain UTF-8 text, else the reason phrase.
 *
 * Returns: (transfer full): the error, never %NULL.
 */
GError *
gst_kvs_control_plane_parse_error_reply (const gchar * operation,
    guint status, const gchar * reason_phrase, const gchar * error_type,
    const gchar * body, gsize len, const gchar * const *redact)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree gchar *body_name = NULL;
  g_autofree gchar *name = NULL;
  const gchar *header_name = error_type;
  GString *text = NULL;
  GstKvsError code;
  GError *error;
  gchar *message;

  g_return_val_if_fail (operation != NULL, NULL);

  if (body == NULL)
    len = 0;
  else if (len == (gsize) - 1)
    len = strlen (body);

  if (len > 0 && len <= MAX_REPLY_SIZE
      && gst_kvs_json_check_object_text ("reply", body, len, G_MAXSIZE,
          GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL, NULL)
      && json_parser_load_from_data (parser, body, len, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    JsonObject *root = json_node_get_object (json_parser_get_root (parser));
    const gchar *keys[] = { "message", "Message" };
    guint i;

    for (i = 0; i < G_N_ELEMENTS (keys) && text == NULL; i++) {
      JsonNode *n = get_member (root, keys[i]);
      if (n && JSON_NODE_HOLDS_VALUE (n)
          && json_node_get_value_type (n) == G_TYPE_STRING)
        text = g_string_new (json_node_get_string (n));
    }
    /* The JSON protocols name the error in the body instead. */
    if (header_name == NULL) {
      JsonNode *n = get_member (root, "__type");
      if (n && JSON_NODE_HOLDS_VALUE (n)
          && json_node_get_value_type (n) == G_TYPE_STRING)
        body_name = json_node_dup_string (n);
    }
  } else if (len > 0 && g_utf8_validate (body, len, NULL)) {
    /* Plain text (or an HTML page from a proxy): keep its start, cut below
     * once scrubbed (a secret across the cut would survive in part). */
    text = g_string_new_len (body, len);
  }

  if (text) {
    guint i;

    for (i = 0; redact && redact[i]; i++)
      scrub (text, redact[i]);
    if (text->len > MAX_ERROR_TEXT) {
      const gchar *end = text->str + MAX_ERROR_TEXT;
      /* Cut on a character boundary. */
      end = g_utf8_find_prev_char (text->str, end + 1);
      g_string_truncate (text, end - text->str);
      g_string_append (text, "...");
    }
    g_strstrip (text->str);
    text->len = strlen (text->str);
  }

  if (header_name == NULL)
    header_name = body_name;
  code = gst_kvs_error_from_aws (header_name, status, text ? text->str : NULL);

  /* The header and the reason phrase are the server's bytes: a GError
   * message must be UTF-8. */
  if (header_name && header_name[0] != '\0') {
    g_autofree gchar *valid = g_utf8_make_valid (header_name, -1);

    name = display_aws_name (valid);
  } else if (gst_kvs_error_to_aws_name (code))
    name = g_strdup (gst_kvs_error_to_aws_name (code));
  else
    name = g_strdup_printf ("HTTP %u", status);

  if (text == NULL || text->len == 0) {
    if (text)
      g_string_free (text, TRUE);
    if (reason_phrase && reason_phrase[0]) {
      g_autofree gchar *valid = g_utf8_make_valid (reason_phrase, -1);

      text = g_string_new (valid);
    } else {
      text = g_string_new (soup_status_get_phrase (status));
    }
  }

  message = g_strdup_printf ("%s: %s (%s, HTTP %u)", name, text->str,
      operation, status);
  g_string_free (text, TRUE);
  /* json-glib hands lone surrogates ("\ud800") through as invalid UTF-8. */
  if (!g_utf8_validate (message, -1, NULL)) {
    gchar *valid = g_utf8_make_valid (message, -1);

    g_free (message);
    message = valid;
  }
  /* The error name (header or "__type") and the reason phrase too. */
  if (redact) {
    GString *all = g_string_new (message);
    guint i;

    g_free (message);
    for (i = 0; redact[i]; i++)
      scrub (all, redact[i]);
    message = g_string_free (all, FALSE);
  }
  error = g_error_new_literal (GST_KVS_ERROR, code, message);
  g_free (message);
  return error;
}

/* A non-2xx reply. */
static void
call_return_service_error (GTask * task, guint status,
    SoupMessageHeaders * headers)
{
  GstKvsControlPlane *self = g_task_get_source_object (task);
  CallData *call = g_task_get_task_data (task);
  const gchar *redact[] = { call->token, call->secret, NULL };
  GError *err;

  /* A NULL token must not end the list before the secret. */
  if (redact[0] == NULL) {
    redact[0] = redact[1];
    redact[1] = NULL;
  }
  err = gst_kvs_control_plane_parse_error_reply (call->operation, status,
      soup_message_get_reason_phrase (call->msg),
      soup_message_headers_get_one (headers, "x-amzn-ErrorType"),
      (const gchar *) call->reply->data, call->reply->len, redact);

  GST_INFO_OBJECT (self, "%s failed: %s", call->operation, err->message);
  g_task_return_error (task, err);
}

/* A 2xx reply. */
static void
call_return_reply (GTask * task)
{
  CallData *call = g_task_get_task_data (task);
  GError *err = NULL;
  gpointer result = NULL;

  if (!parse_success_body (call->operation, call->parse,
          (const gchar *) call->reply->data, call->reply->len, &result,
          &err))
    g_task_return_error (task, err);
  else if (call->parse == NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_pointer (task, result, call->result_free);
}

/* The whole reply is in. */
static void
call_complete (GTask * task)
{
  GstKvsControlPlane *self = g_task_get_source_object (task);
  CallData *call = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (call->msg);
  guint status = soup_message_get_status (call->msg);
  const gchar *request_id;

  call_end (task);
  update_clock_offset (self, headers);

  request_id = soup_message_headers_get_one (headers, "x-amzn-RequestId");
  GST_DEBUG_OBJECT (self, "%s: HTTP %u, %u bytes in %.1f ms (request id %s)",
      call->operation, status, call->reply->len, call_elapsed_ms (call),
      GST_STR_NULL (request_id));

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    call_return_reply (task);
  else
    call_return_service_error (task, status, headers);
  g_object_unref (task);
}

static void
on_read (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = user_data;
  CallData *call = g_task_get_task_data (task);
  GError *err = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gsize size;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), res,
      &err);
  if (bytes == NULL) {
    call_fail_transport (task, err);
    return;
  }

  size = g_bytes_get_size (bytes);
  if (size == 0) {
    call_complete (task);
    return;
  }

  if (call->reply->len + size > MAX_REPLY_SIZE) {
    GstKvsControlPlane *self = g_task_get_source_object (task);

    call_end (task);
    GST_WARNING_OBJECT (self, "%s: reply larger than %u bytes, dropped",
        call->operation, MAX_REPLY_SIZE);
    /* Stop reading; the connection is closed with the stream. */
    g_input_stream_close_async (call->stream, G_PRIORITY_DEFAULT, NULL, NULL,
        NULL);
    g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply is larger than %u bytes", call->operation, MAX_REPLY_SIZE);
    g_object_unref (task);
    return;
  }

  g_byte_array_append (call->reply, g_bytes_get_data (bytes, NULL), size);
  g_input_stream_read_bytes_async (call->stream, READ_CHUNK_SIZE,
      G_PRIORITY_DEFAULT, call->internal, on_read, task);
}

static void
on_sent (GObject * source, GAsyncResult * res, gpointer user_data)
{
  GTask *task = user_data;
  CallData *call = g_task_get_task_data (task);
  GError *err = NULL;

  call->stream = soup_session_send_finish (SOUP_SESSION (source), res, &err);
  if (call->stream == NULL) {
    call_fail_transport (task, err);
    return;
  }

  g_input_stream_read_bytes_async (call->stream, READ_CHUNK_SIZE,
      G_PRIORITY_DEFAULT, call->internal, on_read, task);
}

/* Builds, signs and sends one call. Takes @body. */
static void
call_start (GstKvsControlPlane * self, const gchar * operation,
    const gchar * base_url, const gchar * path, JsonNode * body,
    ParseReplyFunc parse, GDestroyNotify result_free, gpointer source_tag,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CallData *call = g_new0 (CallData, 1);
  g_autoptr (GstKvsCredentials) creds = NULL;
  g_autoptr (GDateTime) now = NULL;
  g_autoptr (GDateTime) signing_time = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree gchar *base = strip_trailing_slashes (base_url);
  GError *err = NULL;
  gchar *json;
  gint64 offset;

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, operation);
  g_task_set_task_data (task, call, (GDestroyNotify) call_data_free);

  call->operation = operation;
  call->parse = parse;
  call->result_free = result_free;
  call->url = g_strconcat (base, path, NULL);
  call->reply = g_byte_array_new ();
  call->start_us = g_get_monotonic_time ();

  json = json_to_string (body, FALSE);
  json_node_unref (body);
  bytes = g_bytes_new_take (json, strlen (json));

  g_mutex_lock (&self->lock);
  if (self->credentials)
    creds = gst_kvs_credentials_ref (self->credentials);
  offset = self->clock_offset;
  call->timeout = self->timeout;
  g_mutex_unlock (&self->lock);

  if (creds == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_NO_CREDENTIALS, "%s: no credentials to sign with",
        operation);
    g_object_unref (task);
    return;
  }
  call->secret = g_strdup (creds->secret_access_key);
  call->token = g_strdup (creds->session_token);

  call->msg = soup_message_new (SOUP_METHOD_POST, call->url);
  if (call->msg == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
        "%s: '%s' is not a valid HTTP(S) URL", operation, call->url);
    g_object_unref (task);
    return;
  }
  soup_message_set_request_body_from_bytes (call->msg, "application/json",
      bytes);
  /* a refused certificate is reported with its problems */
  gst_kvs_tls_watch (call->msg);
  /* AWS never redirects: a 3xx is an error reply, never followed (a
   * redirect would carry the signed headers elsewhere, and a service
   * redirecting to itself would loop) */
  soup_message_add_flags (call->msg, SOUP_MESSAGE_NO_REDIRECT);

  now = g_date_time_new_now_utc ();
  signing_time = g_date_time_add_seconds (now, (gdouble) offset);
  if (!gst_kvs_sigv4_sign_message (call->msg, bytes, creds, self->region,
          GST_KVS_SIGV4_SERVICE, signing_time, &err)) {
    g_task_return_new_error (task, err->domain, err->code,
        "%s: cannot sign the request: %s", operation, err->message);
    g_error_free (err);
    g_object_unref (task);
    return;
  }

  GST_DEBUG_OBJECT (self, "%s: POST %s (%" G_GSIZE_FORMAT " bytes, clock "
      "offset %" G_GINT64_FORMAT " s)", operation, call->url,
      g_bytes_get_size (bytes), offset);

  call->internal = g_cancellable_new ();
  if (cancellable) {
    call->caller = g_object_ref (cancellable);
    /* Runs at once when @cancellable is already cancelled. */
    call->cancel_id = g_cancellable_connect (cancellable,
        G_CALLBACK (on_caller_cancelled), g_object_ref (call->internal),
        g_object_unref);
  }
  if (call->timeout > 0) {
    g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

    /* Not g_timeout_source_new_seconds(): it rounds to a second boundary
     * and may fire almost a second early ("timed out after 1 s" at 0.95 s). */
    call->timeout_source = g_timeout_source_new (call->timeout * 1000);
    g_source_set_callback (call->timeout_source, on_call_timeout, call, NULL);
    g_source_attach (call->timeout_source, context);
  }

  soup_session_send_async (self->session, call->msg, G_PRIORITY_DEFAULT,
      call->internal, on_sent, task);
}

/* ---------------------------------------------------------------------- */
/* The operations */

static const gchar *
role_to_string (GstKvsRole role)
{
  return role == GST_KVS_ROLE_MASTER ? "MASTER" : "VIEWER";
}

static void
return_early_error (GstKvsControlPlane * self, gpointer source_tag,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data, GError * error)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * gst_kvs_control_plane_describe_channel_async:
 * @self: a #GstKvsControlPlane
 * @name: (nullable): the channel name
 * @arn: (nullable): the channel ARN (used when both are given)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * DescribeSignalingChannel. An invalid @name fails with
 * %GST_KVS_VALIDATION_ERROR_CHANNEL_NAME without a request.
 */
void
gst_kvs_control_plane_describe_channel_async (GstKvsControlPlane * self,
    const gchar * name, const gchar * arn, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  GError *err = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (name != NULL || arn != NULL);

  if (arn == NULL && !gst_kvs_validate_channel_name (name, &err)) {
    return_early_error (self, gst_kvs_control_plane_describe_channel_async,
        cancellable, callback, user_data, err);
    return;
  }

  json_builder_begin_object (b);
  if (arn) {
    json_builder_set_member_name (b, "ChannelARN");
    json_builder_add_string_value (b, arn);
  } else {
    json_builder_set_member_name (b, "ChannelName");
    json_builder_add_string_value (b, name);
  }
  json_builder_end_object (b);

  call_start (self, OP_DESCRIBE, self->endpoint, "/describeSignalingChannel",
      json_builder_get_root (b), parse_describe,
      (GDestroyNotify) gst_kvs_channel_info_free,
      gst_kvs_control_plane_describe_channel_async, cancellable, callback,
      user_data);
}

/**
 * gst_kvs_control_plane_describe_channel_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the channel, ARN and name always set.
 */
GstKvsChannelInfo *
gst_kvs_control_plane_describe_channel_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (res, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (res,
          gst_kvs_control_plane_describe_channel_async), NULL);

  return g_task_propagate_pointer (G_TASK (res), error);
}

/**
 * gst_kvs_control_plane_create_channel_async:
 * @self: a #GstKvsControlPlane
 * @name: the channel name
 * @message_ttl: MessageTtlSeconds, 5..120, or 0 for the default (60)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * CreateSignalingChannel of type SINGLE_MASTER. An invalid @name or
 * @message_ttl fails without a request.
 */
void
gst_kvs_control_plane_create_channel_async (GstKvsControlPlane * self,
    const gchar * name, guint message_ttl, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  GError *err = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));

  if (message_ttl == 0)
    message_ttl = 60;
  if (!gst_kvs_validate_channel_name (name, &err)) {
    return_early_error (self, gst_kvs_control_plane_create_channel_async,
        cancellable, callback, user_data, err);
    return;
  }
  if (message_ttl < 5 || message_ttl > 120) {
    return_early_error (self, gst_kvs_control_plane_create_channel_async,
        cancellable, callback, user_data, g_error_new (GST_KVS_ERROR,
            GST_KVS_ERROR_INVALID_ARGUMENT,
            "message TTL %u s is outside 5..120 s", message_ttl));
    return;
  }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ChannelName");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "ChannelType");
  json_builder_add_string_value (b, "SINGLE_MASTER");
  json_builder_set_member_name (b, "SingleMasterConfiguration");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "MessageTtlSeconds");
  json_builder_add_int_value (b, message_ttl);
  json_builder_end_object (b);
  json_builder_end_object (b);

  call_start (self, OP_CREATE, self->endpoint, "/createSignalingChannel",
      json_builder_get_root (b), parse_create, g_free,
      gst_kvs_control_plane_create_channel_async, cancellable, callback,
      user_data);
}

/**
 * gst_kvs_control_plane_create_channel_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the new channel's ARN.
 */
gchar *
gst_kvs_control_plane_create_channel_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (res, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (res,
          gst_kvs_control_plane_create_channel_async), NULL);

  return g_task_propagate_pointer (G_TASK (res), error);
}

/**
 * gst_kvs_control_plane_delete_channel_async:
 * @self: a #GstKvsControlPlane
 * @arn: the channel ARN
 * @version: (nullable): CurrentVersion, to delete only that version
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * DeleteSignalingChannel.
 */
void
gst_kvs_control_plane_delete_channel_async (GstKvsControlPlane * self,
    const gchar * arn, const gchar * version, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (arn != NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ChannelARN");
  json_builder_add_string_value (b, arn);
  if (version) {
    json_builder_set_member_name (b, "CurrentVersion");
    json_builder_add_string_value (b, version);
  }
  json_builder_end_object (b);

  call_start (self, OP_DELETE, self->endpoint, "/deleteSignalingChannel",
      json_builder_get_root (b), NULL, NULL,
      gst_kvs_control_plane_delete_channel_async, cancellable, callback,
      user_data);
}

/**
 * gst_kvs_control_plane_delete_channel_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the service accepted the deletion.
 */
gboolean
gst_kvs_control_plane_delete_channel_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (res, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (res,
          gst_kvs_control_plane_delete_channel_async), FALSE);

  return g_task_propagate_boolean (G_TASK (res), error);
}

/**
 * gst_kvs_control_plane_get_endpoints_async:
 * @self: a #GstKvsControlPlane
 * @arn: the channel ARN
 * @role: the role the endpoints are for
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * GetSignalingChannelEndpoint with protocols WSS and HTTPS.
 */
void
gst_kvs_control_plane_get_endpoints_async (GstKvsControlPlane * self,
    const gchar * arn, GstKvsRole role, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (arn != NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ChannelARN");
  json_builder_add_string_value (b, arn);
  json_builder_set_member_name (b, "SingleMasterChannelEndpointConfiguration");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Protocols");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "WSS");
  json_builder_add_string_value (b, "HTTPS");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Role");
  json_builder_add_string_value (b, role_to_string (role));
  json_builder_end_object (b);
  json_builder_end_object (b);

  call_start (self, OP_ENDPOINT, self->endpoint,
      "/getSignalingChannelEndpoint", json_builder_get_root (b),
      parse_endpoints, (GDestroyNotify) gst_kvs_endpoints_free,
      gst_kvs_control_plane_get_endpoints_async, cancellable, callback,
      user_data);
}

/**
 * gst_kvs_control_plane_get_endpoints_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): both endpoints, never one missing.
 */
GstKvsEndpoints *
gst_kvs_control_plane_get_endpoints_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (res, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (res,
          gst_kvs_control_plane_get_endpoints_async), NULL);

  return g_task_propagate_pointer (G_TASK (res), error);
}

/**
 * gst_kvs_control_plane_get_ice_server_config_async:
 * @self: a #GstKvsControlPlane
 * @https_endpoint: the channel's HTTPS endpoint (from
 *   GetSignalingChannelEndpoint)
 * @arn: the channel ARN
 * @client_id: (nullable): the viewer's client id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * GetIceServerConfig for Service TURN, signed for the same region and
 * service ("kinesisvideo") as the control plane.
 */
void
gst_kvs_control_plane_get_ice_server_config_async (GstKvsControlPlane * self,
    const gchar * https_endpoint, const gchar * arn, const gchar * client_id,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (https_endpoint != NULL);
  g_return_if_fail (arn != NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ChannelARN");
  json_builder_add_string_value (b, arn);
  if (client_id) {
    json_builder_set_member_name (b, "ClientId");
    json_builder_add_string_value (b, client_id);
  }
  json_builder_set_member_name (b, "Service");
  json_builder_add_string_value (b, "TURN");
  json_builder_end_object (b);

  call_start (self, OP_ICE, https_endpoint, "/v1/get-ice-server-config",
      json_builder_get_root (b), parse_ice_config,
      (GDestroyNotify) g_ptr_array_unref,
      gst_kvs_control_plane_get_ice_server_config_async, cancellable,
      callback, user_data);
}

/**
 * gst_kvs_control_plane_get_ice_server_config_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type GstKvsIceServer) (nullable): the
 * TURN server sets, possibly none.
 */
GPtrArray *
gst_kvs_control_plane_get_ice_server_config_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (res, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (res,
          gst_kvs_control_plane_get_ice_server_config_async), NULL);

  return g_task_propagate_pointer (G_TASK (res), error);
}
