/* kvs-signaling-server: what WebRTC ingestion needs of the REST API: the
 * Kinesis video streams (CreateStream, DescribeStream, ListStreams,
 * DeleteStream), a channel's media storage configuration
 * (UpdateMediaStorageConfiguration, DescribeMediaStorageConfiguration) and
 * the WEBRTC endpoint's JoinStorageSession / JoinStorageSessionAsViewer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "gstkvserror.h"
#include "gstkvsvalidation.h"
#include "kvsserver.h"
#include "kvsserverrequest.h"
#include "kvsrestapi.h"
#include "kvsstream.h"
#include "kvsstoragepeer.h"

GST_DEBUG_CATEGORY_EXTERN (kvs_server_debug);
#define GST_CAT_DEFAULT kvs_server_debug

#define KVS_STREAM_LIST_MAX_RESULTS 10000
/* AWS's default quota of streams per account and region. */
#define KVS_SERVER_MAX_STREAMS 10000
/* AWS's limit of viewers joined to a storage session
 * (JoinStorageSessionAsViewer: "Maximum viewers: 3"). */
#define KVS_STORAGE_MAX_VIEWERS 3

#define kvs_quote(value) gst_kvs_validation_quote_value ((value), -1)

/* AWS's own error of an operation (not a GstKvsError). */
static JsonNode *
kvs_rest_fail (KvsServer * self, KvsRestContext * ctx, guint status,
    const gchar * type, const gchar * message)
{
  kvs_server_get_counters (self)->rest_errors++;
  ctx->status = status;
  ctx->error_type = type;
  ctx->message = message;
  return NULL;
}

static gboolean
kvs_rest_check_stream_name (const gchar * name, const gchar * member,
    GError ** error)
{
  gsize len = strlen (name);
  const gchar *p;

  for (p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("_.-", *p))
      break;
  if (len < 1 || len > 256 || *p) {
    g_autofree gchar *quoted = kvs_quote (name);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at '%s' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "[a-zA-Z0-9_.-]+", quoted, member);
    return FALSE;
  }
  return TRUE;
}

static gboolean
kvs_rest_check_stream_arn (const gchar * arn, const gchar * member,
    GError ** error)
{
  gsize len = strlen (arn);

  if (len < 1 || len > 1024 || !g_str_has_prefix (arn, "arn:")) {
    g_autofree gchar *quoted = kvs_quote (arn);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at '%s' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/"
        "[a-zA-Z0-9_.-]+/[0-9]+", quoted, member);
    return FALSE;
  }
  return TRUE;
}

static KvsStream *
kvs_server_lookup_stream (KvsServer * self, const gchar * name,
    const gchar * arn)
{
  GPtrArray *streams = kvs_server_get_streams (self);
  guint i;

  for (i = 0; i < streams->len; i++) {
    KvsStream *stream = g_ptr_array_index (streams, i);

    if (arn ? g_str_equal (kvs_stream_get_arn (stream), arn) :
        g_str_equal (kvs_stream_get_name (stream), name))
      return stream;
  }
  return NULL;
}

static void
kvs_rest_stream_not_found (GError ** error)
{
  g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND,
      "The requested stream is not found or not active.");
}

/* The stream named by StreamARN or StreamName (one of them required). */
static KvsStream *
kvs_rest_find_stream (KvsServer * self, JsonObject * req, gboolean allow_name,
    GError ** error)
{
  const gchar *name = NULL, *arn = NULL;
  KvsStream *stream;

  if (!kvs_rest_get_string (req, "StreamARN", &arn, error))
    return NULL;
  if (allow_name && !kvs_rest_get_string (req, "StreamName", &name, error))
    return NULL;
  if (arn == NULL && name == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        allow_name ? "Either StreamName or StreamARN must be specified." :
        "1 validation error detected: Value null at 'streamARN' failed to "
        "satisfy constraint: Member must not be null");
    return NULL;
  }
  if (arn && !kvs_rest_check_stream_arn (arn, "streamARN", error))
    return NULL;
  if (name && !kvs_rest_check_stream_name (name, "streamName", error))
    return NULL;
  stream = kvs_server_lookup_stream (self, name, arn);
  if (stream == NULL || (name && arn &&
          g_strcmp0 (kvs_stream_get_name (stream), name) != 0)) {
    kvs_rest_stream_not_found (error);
    return NULL;
  }
  return stream;
}

/* ---- streams ---------------------------------------------------------- */

JsonNode *
kvs_rest_create_stream (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  const KvsServerConfig *config = kvs_server_get_config (self);
  GPtrArray *streams = kvs_server_get_streams (self);
  const gchar *name, *device, *media_type, *kms;
  g_autofree gchar *arn = NULL, *version = NULL, *default_kms = NULL;
  g_autoptr (GHashTable) tags = NULL;
  KvsStream *stream;
  JsonObject *obj;
  JsonNode *node;
  gint64 retention, ms;

  if (!kvs_rest_get_required_string (req, "StreamName", &name, error) ||
      !kvs_rest_get_string (req, "DeviceName", &device, error) ||
      !kvs_rest_get_string (req, "MediaType", &media_type, error) ||
      !kvs_rest_get_string (req, "KmsKeyId", &kms, error) ||
      !kvs_rest_get_int (req, "DataRetentionInHours", 0, &retention, error))
    return NULL;
  if (!kvs_rest_check_stream_name (name, "streamName", error))
    return NULL;
  if (device && (strlen (device) < 1 || strlen (device) > 128)) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at 'deviceName' failed to "
        "satisfy constraint: Member must have length between 1 and 128");
    return NULL;
  }
  if (media_type && (strlen (media_type) < 1 || strlen (media_type) > 128)) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at 'mediaType' failed to "
        "satisfy constraint: Member must have length between 1 and 128");
    return NULL;
  }
  if (retention < 0) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value '%" G_GINT64_FORMAT "' at "
        "'dataRetentionInHours' failed to satisfy constraint: Member must "
        "have value greater than or equal to 0", retention);
    return NULL;
  }
  tags = kvs_rest_parse_tags (req, error);
  if (tags == NULL)
    return NULL;
  if (kvs_server_lookup_stream (self, name, NULL)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_IN_USE,
        "The stream %s already exists.", name);
    return NULL;
  }
  if (streams->len >= KVS_SERVER_MAX_STREAMS)
    return kvs_rest_fail (self, ctx, SOUP_STATUS_BAD_REQUEST,
        "AccountStreamLimitExceededException",
        "The number of streams created for the account is too high.");

  /* The ARN's last part is the creation time in ms, unique among the
   * streams so that a stream deleted and made again gets a new ARN. */
  ms = g_get_real_time () / 1000;
  if (streams->len > 0)
    ms = MAX (ms, kvs_stream_get_creation_time_ms (g_ptr_array_index (streams,
                streams->len - 1)) + 1);
  arn = g_strdup_printf ("arn:aws:kinesisvideo:%s:%s:stream/%s/%"
      G_GINT64_FORMAT, config->region, KVS_SERVER_ACCOUNT_ID, name, ms);
  default_kms = g_strdup_printf ("arn:aws:kms:%s:%s:alias/aws/kinesisvideo",
      config->region, KVS_SERVER_ACCOUNT_ID);
  version = kvs_server_new_version ();
  stream = kvs_stream_new (name, arn, version, ms, device, media_type,
      kms ? kms : default_kms, retention);
  g_ptr_array_add (streams, stream);
  GST_INFO ("created stream %s (%s), DataRetentionInHours %" G_GINT64_FORMAT,
      name, arn, retention);

  obj = json_object_new ();
  json_object_set_string_member (obj, "StreamARN", arn);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

JsonNode *
kvs_rest_describe_stream (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  KvsStream *stream = kvs_rest_find_stream (self, req, TRUE, error);
  JsonObject *obj;
  JsonNode *node;

  if (stream == NULL)
    return NULL;
  obj = json_object_new ();
  json_object_set_member (obj, "StreamInfo", kvs_stream_info_to_json (stream));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

JsonNode *
kvs_rest_list_streams (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  GPtrArray *streams = kvs_server_get_streams (self);
  const gchar *token, *op = NULL, *prefix = NULL;
  JsonObject *cond = NULL, *obj;
  JsonArray *list;
  JsonNode *node;
  gint64 max, after = -1;
  guint i, n = 0;

  if (!kvs_rest_get_int (req, "MaxResults", KVS_STREAM_LIST_MAX_RESULTS, &max,
          error) || !kvs_rest_get_string (req, "NextToken", &token, error)
      || !kvs_rest_get_object (req, "StreamNameCondition", &cond, error))
    return NULL;
  if (cond && (!kvs_rest_get_string (cond, "ComparisonOperator", &op, error) ||
          !kvs_rest_get_string (cond, "ComparisonValue", &prefix, error)))
    return NULL;
  if (max < 1 || max > KVS_STREAM_LIST_MAX_RESULTS) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value '%" G_GINT64_FORMAT "' at "
        "'maxResults' failed to satisfy constraint: Member must have value "
        "between 1 and %u", max, KVS_STREAM_LIST_MAX_RESULTS);
    return NULL;
  }
  if (op && g_strcmp0 (op, "BEGINS_WITH") != 0) {
    g_autofree gchar *quoted = kvs_quote (op);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at "
        "'streamNameCondition.comparisonOperator' failed to satisfy "
        "constraint: Member must satisfy enum value set: [BEGINS_WITH]",
        quoted);
    return NULL;
  }
  if (token) {
    gsize len = 0;
    g_autofree guchar *raw = g_base64_decode (token, &len);
    g_autofree gchar *text = g_strndup ((const gchar *) raw, len);
    gchar *end = NULL;

    if (g_str_has_prefix (text, "stream-after:"))
      after = g_ascii_strtoll (text + 13, &end, 10);
    if (end == NULL || *end != '\0' || after < 0) {
      g_set_error_literal (error, GST_KVS_ERROR,
          GST_KVS_ERROR_INVALID_ARGUMENT, "The NextToken is not valid.");
      return NULL;
    }
  }

  obj = json_object_new ();
  list = json_array_new ();
  for (i = 0; i < streams->len; i++) {
    KvsStream *stream = g_ptr_array_index (streams, i);
    gint64 ms = kvs_stream_get_creation_time_ms (stream);

    if (ms <= after)
      continue;
    if (prefix && !g_str_has_prefix (kvs_stream_get_name (stream), prefix))
      continue;
    if (n == max) {
      g_autofree gchar *text = g_strdup_printf ("stream-after:%"
          G_GINT64_FORMAT, after);
      g_autofree gchar *next = g_base64_encode ((const guchar *) text,
          strlen (text));

      json_object_set_string_member (obj, "NextToken", next);
      break;
    }
    json_array_add_element (list, kvs_stream_info_to_json (stream));
    after = ms;
    n++;
  }
  json_object_set_array_member (obj, "StreamInfoList", list);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

JsonNode *
kvs_rest_delete_stream (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  GPtrArray *channels = kvs_server_get_channels (self);
  const gchar *version;
  KvsStream *stream;
  guint i;

  if (!kvs_rest_get_string (req, "CurrentVersion", &version, error))
    return NULL;
  stream = kvs_rest_find_stream (self, req, FALSE, error);
  if (stream == NULL)
    return NULL;
  if (version && g_strcmp0 (version, kvs_stream_get_version (stream)) != 0)
    return kvs_rest_fail (self, ctx, SOUP_STATUS_BAD_REQUEST,
        "VersionMismatchException", "The version of the stream does not "
        "match the CurrentVersion specified.");

  /* A channel storing into it no longer has a stream to store into. */
  for (i = 0; i < channels->len; i++) {
    KvsChannel *channel = g_ptr_array_index (channels, i);

    if (g_strcmp0 (kvs_channel_get_media_storage (channel, NULL),
            kvs_stream_get_arn (stream)) == 0) {
      kvs_channel_set_media_storage (channel, NULL, FALSE);
      kvs_channel_set_storage_peer (channel, NULL, NULL, NULL, NULL);
    }
  }
  GST_INFO ("deleting stream %s", kvs_stream_get_arn (stream));
  g_ptr_array_remove (kvs_server_get_streams (self), stream);
  return kvs_rest_empty_reply ();
}

/* ---- media storage configuration -------------------------------------- */

JsonNode *
kvs_rest_update_media_storage (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  GPtrArray *channels = kvs_server_get_channels (self);
  JsonObject *config = NULL;
  const gchar *status = NULL, *stream_arn = NULL;
  KvsStream *stream = NULL;
  KvsChannel *channel;
  gboolean enabled;
  guint i;

  if (!kvs_rest_get_object (req, "MediaStorageConfiguration", &config, error))
    return NULL;
  if (config == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value null at "
        "'mediaStorageConfiguration' failed to satisfy constraint: Member "
        "must not be null");
    return NULL;
  }
  if (!kvs_rest_get_string (config, "StreamARN", &stream_arn, error) ||
      !kvs_rest_get_string (config, "Status", &status, error))
    return NULL;
  if (status == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value null at "
        "'mediaStorageConfiguration.status' failed to satisfy constraint: "
        "Member must not be null");
    return NULL;
  }
  if (g_strcmp0 (status, "ENABLED") != 0 && g_strcmp0 (status, "DISABLED") != 0) {
    g_autofree gchar *quoted = kvs_quote (status);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at "
        "'mediaStorageConfiguration.status' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ENABLED, DISABLED]", quoted);
    return NULL;
  }
  enabled = g_str_equal (status, "ENABLED");
  if (stream_arn && !kvs_rest_check_stream_arn (stream_arn,
          "mediaStorageConfiguration.streamARN", error))
    return NULL;
  channel = kvs_rest_find_channel (self, req, FALSE, error);
  if (channel == NULL)
    return NULL;
  if (enabled && stream_arn == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "A StreamARN is required to enable media storage.");
    return NULL;
  }
  if (stream_arn) {
    stream = kvs_server_lookup_stream (self, NULL, stream_arn);
    if (stream == NULL) {
      kvs_rest_stream_not_found (error);
      return NULL;
    }
    if (enabled && kvs_stream_get_retention_hours (stream) == 0)
      return kvs_rest_fail (self, ctx, SOUP_STATUS_BAD_REQUEST,
          "NoDataRetentionException",
          "The Stream data retention in hours is equal to zero.");
    for (i = 0; i < channels->len; i++) {
      KvsChannel *other = g_ptr_array_index (channels, i);

      if (other != channel && g_strcmp0 (kvs_channel_get_media_storage (other,
                  NULL), stream_arn) == 0) {
        g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_IN_USE,
            "The stream is already mapped to the channel %s.",
            kvs_channel_get_name (other));
        return NULL;
      }
    }
  }
  kvs_channel_set_media_storage (channel, stream ? kvs_stream_get_arn (stream)
      : kvs_channel_get_media_storage (channel, NULL), enabled);
  /* Storage turned off: the running session ends (and its file is
   * finished). */
  if (!enabled)
    kvs_channel_set_storage_peer (channel, NULL, NULL, NULL, NULL);
  GST_INFO ("media storage of %s: %s, stream %s",
      kvs_channel_get_name (channel), status,
      GST_STR_NULL (kvs_channel_get_media_storage (channel, NULL)));
  return kvs_rest_empty_reply ();
}

JsonNode *
kvs_rest_describe_media_storage (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  KvsChannel *channel = kvs_rest_find_channel (self, req, TRUE, error);
  JsonObject *obj, *config;
  const gchar *stream_arn;
  gboolean enabled = FALSE;
  JsonNode *node;

  if (channel == NULL)
    return NULL;
  stream_arn = kvs_channel_get_media_storage (channel, &enabled);
  config = json_object_new ();
  if (stream_arn)
    json_object_set_string_member (config, "StreamARN", stream_arn);
  json_object_set_string_member (config, "Status",
      enabled ? "ENABLED" : "DISABLED");
  obj = json_object_new ();
  json_object_set_object_member (obj, "MediaStorageConfiguration", config);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}

/* ---- JoinStorageSession ----------------------------------------------- */

/* The channel of a JoinStorageSession request (channelArn, AWS's casing),
 * with media storage enabled. */
static KvsChannel *
kvs_rest_storage_channel (KvsServer * self, JsonObject * req, GError ** error)
{
  const gchar *arn;
  KvsChannel *channel;
  gboolean enabled = FALSE;

  if (!kvs_rest_get_string (req, "channelArn", &arn, error))
    return NULL;
  if (arn == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value null at 'channelArn' failed to "
        "satisfy constraint: Member must not be null");
    return NULL;
  }
  if (!kvs_rest_validate_arn (arn, error))
    return NULL;
  channel = kvs_server_lookup_channel (self, NULL, arn);
  if (channel == NULL) {
    kvs_rest_not_found (error);
    return NULL;
  }
  if (kvs_channel_get_media_storage (channel, &enabled) == NULL || !enabled) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "The channel %s does not have media storage enabled: call "
        "UpdateMediaStorageConfiguration with a stream and Status ENABLED "
        "first.", kvs_channel_get_name (channel));
    return NULL;
  }
  return channel;
}

/* A new storage session of @channel (the newest join wins, as AWS says):
 * the storage peer offers to the master and records into
 * <storage dir>/<stream name>/<channel name>-<unix ms>.mkv. */
static gboolean
kvs_rest_start_storage_peer (KvsServer * self, KvsChannel * channel,
    GError ** error)
{
  const KvsServerConfig *config = kvs_server_get_config (self);
  const gchar *stream_arn = kvs_channel_get_media_storage (channel, NULL);
  KvsStream *stream = kvs_server_lookup_stream (self, NULL, stream_arn);
  g_autofree gchar *file = NULL, *output = NULL, *client_id = NULL;
  g_autoptr (GError) start_error = NULL;

  if (stream == NULL) {
    kvs_rest_stream_not_found (error);
    return FALSE;
  }
  if (config->storage_peer == NULL || config->storage_dir == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_SERVICE,
        "This service runs without a storage peer (--storage-peer none).");
    return FALSE;
  }
  file = g_strdup_printf ("%s-%" G_GINT64_FORMAT ".mkv",
      kvs_channel_get_name (channel), g_get_real_time () / 1000);
  output = g_build_filename (config->storage_dir,
      kvs_stream_get_name (stream), file, NULL);
  client_id = g_strdup_printf ("storage-session-%08x", g_random_int ());
  if (!kvs_storage_peer_start (channel, config->storage_peer, output,
          client_id, &start_error)) {
    GST_WARNING ("%s: no storage peer: %s", kvs_channel_get_name (channel),
        start_error->message);
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_SERVICE,
        "The storage session could not be started.");
    return FALSE;
  }
  return TRUE;
}

JsonNode *
kvs_rest_join_storage_session (KvsServer * self, KvsRestContext * ctx,
    JsonObject * req, GError ** error)
{
  KvsChannel *channel = kvs_rest_storage_channel (self, req, error);

  if (channel == NULL)
    return NULL;
  if (kvs_channel_lookup (channel, GST_KVS_ROLE_MASTER, NULL) == NULL) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND,
        "No master is connected to the channel %s: connect to its WSS "
        "endpoint as master before joining the storage session.",
        kvs_channel_get_name (channel));
    return NULL;
  }
  if (!kvs_rest_start_storage_peer (self, channel, error))
    return NULL;
  return kvs_rest_empty_reply ();
}

JsonNode *
kvs_rest_join_storage_session_as_viewer (KvsServer * self,
    KvsRestContext * ctx, JsonObject * req, GError ** error)
{
  g_autoptr (GError) verror = NULL;
  const gchar *client_id;
  KvsChannel *channel;

  if (!kvs_rest_get_string (req, "clientId", &client_id, error))
    return NULL;
  if (client_id == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value null at 'clientId' failed to "
        "satisfy constraint: Member must not be null");
    return NULL;
  }
  if (!gst_kvs_validate_id ("clientId", client_id, &verror)) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        verror->message);
    return NULL;
  }
  channel = kvs_rest_storage_channel (self, req, error);
  if (channel == NULL)
    return NULL;
  if (kvs_channel_lookup (channel, GST_KVS_ROLE_VIEWER, client_id) == NULL) {
    g_autofree gchar *quoted = kvs_quote (client_id);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND,
        "No viewer %s is connected to the channel %s: connect to its WSS "
        "endpoint as that viewer before joining the storage session.",
        quoted, kvs_channel_get_name (channel));
    return NULL;
  }
  /* The storage session offers to the viewer (again on a repeated join:
   * each call sends one offer, as AWS documents). */
  if (!kvs_channel_join_storage_viewer (channel, client_id,
          KVS_STORAGE_MAX_VIEWERS, error))
    return NULL;
  return kvs_rest_empty_reply ();
}
