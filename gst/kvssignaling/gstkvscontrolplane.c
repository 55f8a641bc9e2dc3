/* kvssignaling: the REST control plane (kinesisvideo rest-json API).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "gstkvscontrolplane.h"
#include "gstkvscontrolplanereply.h"
#include "gstkvsresttransport.h"
#include "gstkvsvalidation.h"

/**
 * SECTION:gstkvscontrolplane
 * @title: GstKvsControlPlane
 * @short_description: the KVS signaling REST calls
 *
 * One object per (endpoint, region, credentials): DescribeSignalingChannel,
 * CreateSignalingChannel, DeleteSignalingChannel,
 * GetSignalingChannelEndpoint and GetIceServerConfig, and for WebRTC
 * ingestion GetSignalingChannelEndpoint with WEBRTC, JoinStorageSession,
 * JoinStorageSessionAsViewer, DescribeMediaStorageConfiguration and
 * UpdateMediaStorageConfiguration, each an asynchronous
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
 *
 * Inside: this file holds the object and the operations (request bodies,
 * results); gstkvsresttransport.c carries each call (signing, sending,
 * deadline, reading, clock offset) and gstkvscontrolplanereply.c checks the
 * replies.
 */

GST_DEBUG_CATEGORY_STATIC (kvs_control_plane_debug);
#define GST_CAT_DEFAULT kvs_control_plane_debug

#define DEFAULT_TIMEOUT GST_KVS_REST_TRANSPORT_DEFAULT_TIMEOUT
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

/**
 * gst_kvs_media_storage_configuration_copy:
 * @config: a #GstKvsMediaStorageConfiguration
 *
 * Returns: (transfer full): a deep copy of @config.
 */
GstKvsMediaStorageConfiguration *
gst_kvs_media_storage_configuration_copy (const GstKvsMediaStorageConfiguration
    * config)
{
  GstKvsMediaStorageConfiguration *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (GstKvsMediaStorageConfiguration, 1);
  copy->stream_arn = g_strdup (config->stream_arn);
  copy->enabled = config->enabled;
  return copy;
}

/**
 * gst_kvs_media_storage_configuration_free:
 * @config: (transfer full) (nullable): a #GstKvsMediaStorageConfiguration
 */
void
gst_kvs_media_storage_configuration_free (GstKvsMediaStorageConfiguration *
    config)
{
  if (config == NULL)
    return;
  g_free (config->stream_arn);
  g_free (config);
}

G_DEFINE_BOXED_TYPE (GstKvsMediaStorageConfiguration,
    gst_kvs_media_storage_configuration,
    gst_kvs_media_storage_configuration_copy,
    gst_kvs_media_storage_configuration_free);

/* ---------------------------------------------------------------------- */
/* The object */

struct _GstKvsControlPlane
{
  GObject parent;

  /* Construct-only, then read-only: no lock needed. */
  SoupSession *session;
  gchar *endpoint;              /* without trailing '/' */
  gchar *region;
  /* made with the object; the credentials, clock offset, timeout and
   * durations live there (thread-safe) */
  GstKvsRestTransport *transport;
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
}

static void
gst_kvs_control_plane_constructed (GObject * object)
{
  GstKvsControlPlane *self = GST_KVS_CONTROL_PLANE (object);

  G_OBJECT_CLASS (gst_kvs_control_plane_parent_class)->constructed (object);
  self->transport = gst_kvs_rest_transport_new (self->session, self->region);
}

static void
gst_kvs_control_plane_finalize (GObject * object)
{
  GstKvsControlPlane *self = GST_KVS_CONTROL_PLANE (object);

  g_clear_object (&self->session);
  g_free (self->endpoint);
  g_free (self->region);
  g_clear_object (&self->transport);

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
      g_value_take_boxed (value,
          gst_kvs_rest_transport_dup_credentials (self->transport));
      break;
    case PROP_CLOCK_OFFSET:
      g_value_set_int64 (value, gst_kvs_control_plane_get_clock_offset (self));
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value,
          gst_kvs_rest_transport_get_timeout (self->transport));
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
  gobject_class->constructed = gst_kvs_control_plane_constructed;
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
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

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
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * GstKvsControlPlane:region:
   *
   * The AWS region in the signature's credential scope.
   */
  g_object_class_install_property (gobject_class, PROP_REGION,
      g_param_spec_string ("region", "Region",
          "The AWS region the requests are signed for", NULL,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

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
      "endpoint", endpoint, "region", region, "credentials", credentials, NULL);
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
  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));

  gst_kvs_rest_transport_set_credentials (self->transport, credentials);
  if (credentials)
    GST_DEBUG_OBJECT (self, "credentials from %s, key id %s",
        GST_STR_NULL (credentials->source),
        GST_STR_NULL (credentials->access_key_id));
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
  g_return_val_if_fail (GST_KVS_IS_CONTROL_PLANE (self), 0);

  return gst_kvs_rest_transport_get_clock_offset (self->transport);
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

  gst_kvs_rest_transport_set_clock_offset (self->transport, offset);
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

  gst_kvs_rest_transport_set_timeout (self->transport, seconds);
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
  g_return_val_if_fail (GST_KVS_IS_CONTROL_PLANE (self), -1);
  g_return_val_if_fail (operation != NULL, -1);

  return gst_kvs_rest_transport_get_last_duration (self->transport, operation);
}

/* ---------------------------------------------------------------------- */
/* The operations */

static const gchar *
role_to_string (GstKvsRole role)
{
  return role == GST_KVS_ROLE_MASTER ? "MASTER" : "VIEWER";
}

/* What each operation is: its name, its path, how its reply is read
 * (NULL: an accepted call gives TRUE) and the _async function that tags its
 * tasks. */
typedef enum
{
  OP_DESCRIBE,
  OP_CREATE,
  OP_DELETE,
  OP_ENDPOINT,
  OP_ICE,
  OP_WEBRTC_ENDPOINT,
  OP_JOIN_STORAGE,
  OP_JOIN_STORAGE_VIEWER,
  OP_DESCRIBE_STORAGE,
  OP_UPDATE_STORAGE,
} Op;

typedef struct
{
  const gchar *name;
  const gchar *path;
  GstKvsReplyParseFunc parse;
  GDestroyNotify result_free;
  gpointer tag;
} OpInfo;

static const OpInfo ops[] = {
  [OP_DESCRIBE] = {GST_KVS_OP_DESCRIBE, "/describeSignalingChannel",
        gst_kvs_reply_parse_describe,
        (GDestroyNotify) gst_kvs_channel_info_free,
      gst_kvs_control_plane_describe_channel_async},
  [OP_CREATE] = {GST_KVS_OP_CREATE, "/createSignalingChannel",
        gst_kvs_reply_parse_create, g_free,
      gst_kvs_control_plane_create_channel_async},
  [OP_DELETE] = {GST_KVS_OP_DELETE, "/deleteSignalingChannel", NULL, NULL,
      gst_kvs_control_plane_delete_channel_async},
  [OP_ENDPOINT] = {GST_KVS_OP_ENDPOINT, "/getSignalingChannelEndpoint",
        gst_kvs_reply_parse_endpoints, (GDestroyNotify) gst_kvs_endpoints_free,
      gst_kvs_control_plane_get_endpoints_async},
  [OP_ICE] = {GST_KVS_OP_ICE, "/v1/get-ice-server-config",
        gst_kvs_reply_parse_ice_config, (GDestroyNotify) g_ptr_array_unref,
      gst_kvs_control_plane_get_ice_server_config_async},
  [OP_WEBRTC_ENDPOINT] = {GST_KVS_OP_ENDPOINT, "/getSignalingChannelEndpoint",
        gst_kvs_reply_parse_webrtc_endpoint, g_free,
      gst_kvs_control_plane_get_webrtc_endpoint_async},
  [OP_JOIN_STORAGE] = {GST_KVS_OP_JOIN_STORAGE, "/joinStorageSession", NULL,
      NULL, gst_kvs_control_plane_join_storage_session_async},
  [OP_JOIN_STORAGE_VIEWER] = {GST_KVS_OP_JOIN_STORAGE_VIEWER,
        "/joinStorageSessionAsViewer", NULL, NULL,
      gst_kvs_control_plane_join_storage_session_as_viewer_async},
  [OP_DESCRIBE_STORAGE] = {GST_KVS_OP_DESCRIBE_STORAGE,
        "/describeMediaStorageConfiguration",
        gst_kvs_reply_parse_media_storage,
        (GDestroyNotify) gst_kvs_media_storage_configuration_free,
      gst_kvs_control_plane_describe_media_storage_async},
  [OP_UPDATE_STORAGE] = {GST_KVS_OP_UPDATE_STORAGE,
        "/updateMediaStorageConfiguration", NULL, NULL,
      gst_kvs_control_plane_update_media_storage_async},
};

/* Builds one call of @op to @base_url (NULL: the control plane's endpoint)
 * with @body (its object still open: ended here) and hands it to the
 * transport; with @error (taken), fails it at once without a request. */
static void
call_start (GstKvsControlPlane * self, Op op, const gchar * base_url,
    JsonBuilder * body, GError * error, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree gchar *base = NULL;
  g_autofree gchar *url = NULL;

  g_task_set_source_tag (task, ops[op].tag);
  if (error) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  base = strip_trailing_slashes (base_url ? base_url : self->endpoint);
  url = g_strconcat (base, ops[op].path, NULL);
  json_builder_end_object (body);
  gst_kvs_rest_transport_call (self->transport, task, ops[op].name, url,
      json_builder_get_root (body), ops[op].parse, ops[op].result_free);
}

/* A string member, unless @value is NULL. */
static void
add_string (JsonBuilder * b, const gchar * name, const gchar * value)
{
  if (!value)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* A request body: an object, its first member @name (call_start() ends
 * it). */
static JsonBuilder *
body_new (const gchar * name, const gchar * value)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, name, value);
  return b;
}

/* The result of a call of @op, whose reply is read into a pointer. */
static gpointer
finish_pointer (GstKvsControlPlane * self, Op op, GAsyncResult * res,
    GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (res, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (res, ops[op].tag), NULL);

  return g_task_propagate_pointer (G_TASK (res), error);
}

/* The result of a call of @op, whose reply only says it was accepted. */
static gboolean
finish_boolean (GstKvsControlPlane * self, Op op, GAsyncResult * res,
    GError ** error)
{
  g_return_val_if_fail (g_task_is_valid (res, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (res, ops[op].tag), FALSE);

  return g_task_propagate_boolean (G_TASK (res), error);
}

/* GetSignalingChannelEndpoint for @protocols, for @role. */
static JsonBuilder *
endpoint_body (const gchar * arn, GstKvsRole role,
    const gchar * const *protocols)
{
  JsonBuilder *b = body_new ("ChannelARN", arn);

  json_builder_set_member_name (b, "SingleMasterChannelEndpointConfiguration");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Protocols");
  json_builder_begin_array (b);
  for (guint i = 0; protocols[i]; i++)
    json_builder_add_string_value (b, protocols[i]);
  json_builder_end_array (b);
  add_string (b, "Role", role_to_string (role));
  json_builder_end_object (b);
  return b;
}

/* Describe* by ARN, else by name (checked first). */
static void
describe_start (GstKvsControlPlane * self, Op op, const gchar * name,
    const gchar * arn, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonBuilder) b = body_new (arn ? "ChannelARN" : "ChannelName",
      arn ? arn : name);
  GError *err = NULL;

  if (arn == NULL)
    gst_kvs_validate_channel_name (name, &err);
  call_start (self, op, NULL, b, err, cancellable, callback, user_data);
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
  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (name != NULL || arn != NULL);

  describe_start (self, OP_DESCRIBE, name, arn, cancellable, callback,
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
  return finish_pointer (self, OP_DESCRIBE, res, error);
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
  g_autoptr (JsonBuilder) b = NULL;
  GError *err = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));

  if (message_ttl == 0)
    message_ttl = 60;
  if (gst_kvs_validate_channel_name (name, &err) &&
      (message_ttl < 5 || message_ttl > 120))
    err = g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "message TTL %u s is outside 5..120 s", message_ttl);

  b = body_new ("ChannelName", name);
  add_string (b, "ChannelType", "SINGLE_MASTER");
  json_builder_set_member_name (b, "SingleMasterConfiguration");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "MessageTtlSeconds");
  json_builder_add_int_value (b, message_ttl);
  json_builder_end_object (b);

  call_start (self, OP_CREATE, NULL, b, err, cancellable, callback, user_data);
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
  return finish_pointer (self, OP_CREATE, res, error);
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
  g_autoptr (JsonBuilder) b = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (arn != NULL);

  b = body_new ("ChannelARN", arn);
  add_string (b, "CurrentVersion", version);
  call_start (self, OP_DELETE, NULL, b, NULL, cancellable, callback, user_data);
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
  return finish_boolean (self, OP_DELETE, res, error);
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
  static const gchar *const protocols[] = { "WSS", "HTTPS", NULL };
  g_autoptr (JsonBuilder) b = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (arn != NULL);

  b = endpoint_body (arn, role, protocols);
  call_start (self, OP_ENDPOINT, NULL, b, NULL, cancellable, callback,
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
  return finish_pointer (self, OP_ENDPOINT, res, error);
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
  g_autoptr (JsonBuilder) b = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (https_endpoint != NULL);
  g_return_if_fail (arn != NULL);

  b = body_new ("ChannelARN", arn);
  add_string (b, "ClientId", client_id);
  add_string (b, "Service", "TURN");
  call_start (self, OP_ICE, https_endpoint, b, NULL, cancellable, callback,
      user_data);
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
  return finish_pointer (self, OP_ICE, res, error);
}

/* ---------------------------------------------------------------------- */
/* WebRTC ingestion */

/**
 * gst_kvs_control_plane_get_webrtc_endpoint_async:
 * @self: a #GstKvsControlPlane
 * @arn: the channel ARN
 * @role: the role the endpoint is for
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * GetSignalingChannelEndpoint with protocol WEBRTC: where
 * JoinStorageSession and JoinStorageSessionAsViewer go.
 */
void
gst_kvs_control_plane_get_webrtc_endpoint_async (GstKvsControlPlane * self,
    const gchar * arn, GstKvsRole role, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  static const gchar *const protocols[] = { "WEBRTC", NULL };
  g_autoptr (JsonBuilder) b = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (arn != NULL);

  b = endpoint_body (arn, role, protocols);
  call_start (self, OP_WEBRTC_ENDPOINT, NULL, b, NULL, cancellable, callback,
      user_data);
}

/**
 * gst_kvs_control_plane_get_webrtc_endpoint_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the WEBRTC endpoint's URL.
 */
gchar *
gst_kvs_control_plane_get_webrtc_endpoint_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error)
{
  return finish_pointer (self, OP_WEBRTC_ENDPOINT, res, error);
}

/**
 * gst_kvs_control_plane_join_storage_session_async:
 * @self: a #GstKvsControlPlane
 * @webrtc_endpoint: the channel's WEBRTC endpoint
 * @arn: the channel ARN
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * JoinStorageSession (kinesis-video-webrtc-storage, POST
 * /joinStorageSession {channelArn}), as the channel's master.
 */
void
gst_kvs_control_plane_join_storage_session_async (GstKvsControlPlane * self,
    const gchar * webrtc_endpoint, const gchar * arn,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  g_autoptr (JsonBuilder) b = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (webrtc_endpoint != NULL);
  g_return_if_fail (arn != NULL);

  b = body_new ("channelArn", arn);
  call_start (self, OP_JOIN_STORAGE, webrtc_endpoint, b, NULL, cancellable,
      callback, user_data);
}

/**
 * gst_kvs_control_plane_join_storage_session_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the service accepted the join.
 */
gboolean
gst_kvs_control_plane_join_storage_session_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error)
{
  return finish_boolean (self, OP_JOIN_STORAGE, res, error);
}

/**
 * gst_kvs_control_plane_join_storage_session_as_viewer_async:
 * @self: a #GstKvsControlPlane
 * @webrtc_endpoint: the channel's WEBRTC endpoint
 * @arn: the channel ARN
 * @client_id: the viewer's client id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * JoinStorageSessionAsViewer (POST /joinStorageSessionAsViewer
 * {channelArn, clientId}). An invalid @client_id fails without a request.
 */
void
gst_kvs_control_plane_join_storage_session_as_viewer_async (GstKvsControlPlane
    * self, const gchar * webrtc_endpoint, const gchar * arn,
    const gchar * client_id, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (JsonBuilder) b = NULL;
  GError *err = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (webrtc_endpoint != NULL);
  g_return_if_fail (arn != NULL);
  g_return_if_fail (client_id != NULL);

  gst_kvs_validate_id ("client id", client_id, &err);
  b = body_new ("channelArn", arn);
  add_string (b, "clientId", client_id);
  call_start (self, OP_JOIN_STORAGE_VIEWER, webrtc_endpoint, b, err,
      cancellable, callback, user_data);
}

/**
 * gst_kvs_control_plane_join_storage_session_as_viewer_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the service accepted the join.
 */
gboolean
gst_kvs_control_plane_join_storage_session_as_viewer_finish (GstKvsControlPlane
    * self, GAsyncResult * res, GError ** error)
{
  return finish_boolean (self, OP_JOIN_STORAGE_VIEWER, res, error);
}

/**
 * gst_kvs_control_plane_describe_media_storage_async:
 * @self: a #GstKvsControlPlane
 * @name: (nullable): the channel name
 * @arn: (nullable): the channel ARN (used when both are given)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * DescribeMediaStorageConfiguration.
 */
void
gst_kvs_control_plane_describe_media_storage_async (GstKvsControlPlane * self,
    const gchar * name, const gchar * arn, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (name != NULL || arn != NULL);

  describe_start (self, OP_DESCRIBE_STORAGE, name, arn, cancellable, callback,
      user_data);
}

/**
 * gst_kvs_control_plane_describe_media_storage_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the channel's media storage.
 */
GstKvsMediaStorageConfiguration *
gst_kvs_control_plane_describe_media_storage_finish (GstKvsControlPlane *
    self, GAsyncResult * res, GError ** error)
{
  return finish_pointer (self, OP_DESCRIBE_STORAGE, res, error);
}

/**
 * gst_kvs_control_plane_update_media_storage_async:
 * @self: a #GstKvsControlPlane
 * @arn: the channel ARN
 * @stream_arn: (nullable): the Kinesis video stream to store into
 * @enabled: Status ENABLED (else DISABLED)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: for @callback
 *
 * UpdateMediaStorageConfiguration.
 */
void
gst_kvs_control_plane_update_media_storage_async (GstKvsControlPlane * self,
    const gchar * arn, const gchar * stream_arn, gboolean enabled,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  g_autoptr (JsonBuilder) b = NULL;

  g_return_if_fail (GST_KVS_IS_CONTROL_PLANE (self));
  g_return_if_fail (arn != NULL);

  b = body_new ("ChannelARN", arn);
  json_builder_set_member_name (b, "MediaStorageConfiguration");
  json_builder_begin_object (b);
  add_string (b, "StreamARN", stream_arn);
  add_string (b, "Status", enabled ? "ENABLED" : "DISABLED");
  json_builder_end_object (b);
  call_start (self, OP_UPDATE_STORAGE, NULL, b, NULL, cancellable, callback,
      user_data);
}

/**
 * gst_kvs_control_plane_update_media_storage_finish:
 * @self: a #GstKvsControlPlane
 * @res: the result
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the service accepted the configuration.
 */
gboolean
gst_kvs_control_plane_update_media_storage_finish (GstKvsControlPlane * self,
    GAsyncResult * res, GError ** error)
{
  return finish_boolean (self, OP_UPDATE_STORAGE, res, error);
}
