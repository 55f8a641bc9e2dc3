/* kvs-signaling-server: the REST operations that change a channel:
 * UpdateSignalingChannel, TagResource, UntagResource, ListTagsForResource
 * (and the Tags of CreateSignalingChannel), with AWS's limits and errors.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "gstkvserror.h"
#include "gstkvsvalidation.h"
#include "kvsrestapi.h"
#include "kvsserverrequest.h"

GST_DEBUG_CATEGORY_EXTERN (kvs_server_debug);
#define GST_CAT_DEFAULT kvs_server_debug

/* AWS's limits of a signaling channel's tags (API_Tag, API_TagResource). */
#define KVS_TAGS_MAX 50
#define KVS_TAG_KEY_MAX 128
#define KVS_TAG_VALUE_MAX 256
#define KVS_TAG_PATTERN "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$"
#define KVS_NEXT_TOKEN_MAX 512

#define kvs_quote(value) gst_kvs_validation_quote_value ((value), -1)

JsonNode *
kvs_rest_empty_reply (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

/* ---- UpdateSignalingChannel ------------------------------------------- */

JsonNode *
kvs_rest_update (KvsServer * self, KvsRestContext * ctx, JsonObject * req,
    GError ** error)
{
  const gchar *version;
  JsonObject *config = NULL;
  g_autofree gchar *new_version = NULL;
  KvsChannel *channel;
  gint64 ttl = 0;

  if (!kvs_rest_get_required_string (req, "CurrentVersion", &version, error)
      || !kvs_rest_get_object (req, "SingleMasterConfiguration", &config,
          error))
    return NULL;
  if (config && !kvs_rest_get_int (config, "MessageTtlSeconds", 0, &ttl, error))
    return NULL;
  if (strlen (version) < 1 || strlen (version) > 64) {
    g_autofree gchar *quoted = kvs_quote (version);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at 'currentVersion' failed to "
        "satisfy constraint: Member must have length between 1 and 64", quoted);
    return NULL;
  }
  if (config && json_object_has_member (config, "MessageTtlSeconds") &&
      (ttl < KVS_SERVER_MIN_TTL || ttl > KVS_SERVER_MAX_TTL)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value '%" G_GINT64_FORMAT "' at "
        "'singleMasterConfiguration.messageTtlSeconds' failed to satisfy "
        "constraint: Member must have value between %u and %u", ttl,
        KVS_SERVER_MIN_TTL, KVS_SERVER_MAX_TTL);
    return NULL;
  }
  channel = kvs_rest_find_channel (self, req, FALSE, error);
  if (channel == NULL)
    return NULL;
  if (g_strcmp0 (version, kvs_channel_get_version (channel)) != 0) {
    kvs_server_get_counters (self)->rest_errors++;
    ctx->status = SOUP_STATUS_BAD_REQUEST;
    ctx->error_type = "VersionMismatchException";
    ctx->message = "The version of the signaling channel does not match the "
        "CurrentVersion specified.";
    return NULL;
  }

  new_version = kvs_server_new_version ();
  kvs_channel_update (channel, (guint) ttl, new_version);
  return kvs_rest_empty_reply ();
}

/* ---- tags ------------------------------------------------------------- */

static gboolean
kvs_tag_text_valid (const gchar * text)
{
  return g_utf8_validate (text, -1, NULL) &&
      g_regex_match_simple (KVS_TAG_PATTERN, text, 0, 0);
}

/* A tag key or value at @where ("tags.1.member.key"). */
static gboolean
kvs_check_tag_text (const gchar * text, const gchar * where, glong min,
    glong max, GError ** error)
{
  glong len = g_utf8_validate (text, -1, NULL) ?
      g_utf8_strlen (text, -1) : (glong) strlen (text);

  if (len < min || len > max) {
    g_autofree gchar *quoted = kvs_quote (text);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at '%s' failed to satisfy "
        "constraint: Member must have length between %ld and %ld", quoted,
        where, min, max);
    return FALSE;
  }
  if (!kvs_tag_text_valid (text)) {
    g_autofree gchar *quoted = kvs_quote (text);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at '%s' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: %s",
        quoted, where, KVS_TAG_PATTERN);
    return FALSE;
  }
  return TRUE;
}

/* The list member @name of @obj with @min..@max elements; absent: NULL
 * and TRUE. */
static gboolean
kvs_get_list (JsonObject * obj, const gchar * name, const gchar * where,
    guint min, guint max, JsonArray ** list, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, name);
  guint len;

  *list = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at '%s' must be a list", where);
    return FALSE;
  }
  *list = json_node_get_array (node);
  len = json_array_get_length (*list);
  if (len < min || len > max) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at '%s' failed to satisfy "
        "constraint: Member must have length between %u and %u (it has %u)",
        where, min, max, len);
    return FALSE;
  }
  return TRUE;
}

static GHashTable *
kvs_parse_tag_list (JsonObject * req, guint min, GError ** error)
{
  g_autoptr (GHashTable) tags = g_hash_table_new_full (g_str_hash,
      g_str_equal, g_free, g_free);
  JsonArray *list;
  guint i;

  if (!kvs_get_list (req, "Tags", "tags", min, KVS_TAGS_MAX, &list, error))
    return NULL;
  if (list == NULL && min > 0) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value null at 'tags' failed to "
        "satisfy constraint: Member must not be null");
    return NULL;
  }
  for (i = 0; list && i < json_array_get_length (list); i++) {
    JsonNode *e = json_array_get_element (list, i);
    g_autofree gchar *where = g_strdup_printf ("tags.%u.member", i + 1);
    g_autofree gchar *key_where = g_strconcat (where, ".key", NULL);
    g_autofree gchar *value_where = g_strconcat (where, ".value", NULL);
    const gchar *key, *value;

    if (!JSON_NODE_HOLDS_OBJECT (e)) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
          "1 validation error detected: Value at '%s' must be an object "
          "{Key, Value}", where);
      return NULL;
    }
    if (!kvs_rest_get_string (json_node_get_object (e), "Key", &key, error) ||
        !kvs_rest_get_string (json_node_get_object (e), "Value", &value, error))
      return NULL;
    if (key == NULL || value == NULL) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
          "1 validation error detected: Value null at '%s' failed to "
          "satisfy constraint: Member must not be null",
          key == NULL ? key_where : value_where);
      return NULL;
    }
    if (!kvs_check_tag_text (key, key_where, 1, KVS_TAG_KEY_MAX, error) ||
        !kvs_check_tag_text (value, value_where, 0, KVS_TAG_VALUE_MAX, error))
      return NULL;
    if (g_str_has_prefix (key, "aws:")) {
      g_autofree gchar *quoted = kvs_quote (key);

      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
          "Tag key %s: the prefix 'aws:' is reserved for AWS's own tags",
          quoted);
      return NULL;
    }
    g_hash_table_replace (tags, g_strdup (key), g_strdup (value));
  }
  return g_steal_pointer (&tags);
}

GHashTable *
kvs_rest_parse_tags (JsonObject * req, GError ** error)
{
  return kvs_parse_tag_list (req, 0, error);
}

gboolean
kvs_rest_apply_tags (KvsServer * self, KvsRestContext * ctx,
    KvsChannel * channel, GHashTable * tags)
{
  GHashTable *have = kvs_channel_get_tags (channel);
  GHashTableIter iter;
  gpointer key, value;
  guint total = g_hash_table_size (have);

  g_hash_table_iter_init (&iter, tags);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (have, key))
      total++;
  if (total > KVS_TAGS_MAX) {
    kvs_server_get_counters (self)->rest_errors++;
    ctx->status = SOUP_STATUS_BAD_REQUEST;
    ctx->error_type = "TagsPerResourceExceededLimitException";
    ctx->message = "The signaling channel would have more than 50 tags.";
    return FALSE;
  }
  g_hash_table_iter_init (&iter, tags);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (have, g_strdup (key), g_strdup (value));
  GST_INFO ("%s: %u tags", kvs_channel_get_name (channel),
      g_hash_table_size (have));
  return TRUE;
}

/* The channel of ResourceARN (required). */
static KvsChannel *
kvs_find_resource (KvsServer * self, JsonObject * req, GError ** error)
{
  const gchar *arn;
  KvsChannel *channel;

  if (!kvs_rest_get_required_string (req, "ResourceARN", &arn, error))
    return NULL;
  if (strlen (arn) < 1 || strlen (arn) > 1024 ||
      !g_regex_match_simple ("^arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:"
          "[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$", arn, 0, 0)) {
    g_autofree gchar *quoted = kvs_quote (arn);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value %s at 'resourceARN' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+"
        "/[0-9]+", quoted);
    return NULL;
  }
  channel = kvs_server_lookup_channel (self, NULL, arn);
  if (channel == NULL)
    kvs_rest_not_found (error);
  return channel;
}

JsonNode *
kvs_rest_tag (KvsServer * self, KvsRestContext * ctx, JsonObject * req,
    GError ** error)
{
  g_autoptr (GHashTable) tags = NULL;
  KvsChannel *channel;

  channel = kvs_find_resource (self, req, error);
  if (channel == NULL)
    return NULL;
  tags = kvs_parse_tag_list (req, 1, error);
  if (tags == NULL)
    return NULL;
  if (!kvs_rest_apply_tags (self, ctx, channel, tags))
    return NULL;
  return kvs_rest_empty_reply ();
}

JsonNode *
kvs_rest_untag (KvsServer * self, KvsRestContext * ctx, JsonObject * req,
    GError ** error)
{
  KvsChannel *channel;
  JsonArray *keys;
  guint i;

  channel = kvs_find_resource (self, req, error);
  if (channel == NULL)
    return NULL;
  if (!kvs_get_list (req, "TagKeyList", "tagKeyList", 1, KVS_TAGS_MAX, &keys,
          error))
    return NULL;
  if (keys == NULL) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value null at 'tagKeyList' failed to "
        "satisfy constraint: Member must not be null");
    return NULL;
  }
  for (i = 0; i < json_array_get_length (keys); i++) {
    JsonNode *e = json_array_get_element (keys, i);
    g_autofree gchar *where = g_strdup_printf ("tagKeyList.%u.member", i + 1);

    if (!JSON_NODE_HOLDS_VALUE (e) ||
        json_node_get_value_type (e) != G_TYPE_STRING) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
          "1 validation error detected: Value at '%s' must be a string", where);
      return NULL;
    }
    if (!kvs_check_tag_text (json_node_get_string (e), where, 1,
            KVS_TAG_KEY_MAX, error))
      return NULL;
  }
  /* Only once every key is valid: all or nothing. */
  for (i = 0; i < json_array_get_length (keys); i++)
    g_hash_table_remove (kvs_channel_get_tags (channel),
        json_array_get_string_element (keys, i));
  return kvs_rest_empty_reply ();
}

JsonNode *
kvs_rest_list_tags (KvsServer * self, KvsRestContext * ctx, JsonObject * req,
    GError ** error)
{
  const gchar *token;
  KvsChannel *channel;
  JsonObject *obj, *tags;
  JsonNode *node;
  GHashTableIter iter;
  gpointer key, value;

  if (!kvs_rest_get_string (req, "NextToken", &token, error))
    return NULL;
  if (token && strlen (token) > KVS_NEXT_TOKEN_MAX) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "1 validation error detected: Value at 'nextToken' failed to satisfy "
        "constraint: Member must have length less than or equal to %u",
        KVS_NEXT_TOKEN_MAX);
    return NULL;
  }
  channel = kvs_find_resource (self, req, error);
  if (channel == NULL)
    return NULL;
  /* At most 50 tags: one page, never a NextToken to follow. */
  if (token && *token) {
    g_set_error_literal (error, GST_KVS_ERROR, GST_KVS_ERROR_INVALID_ARGUMENT,
        "The NextToken is not valid.");
    return NULL;
  }

  tags = json_object_new ();
  g_hash_table_iter_init (&iter, kvs_channel_get_tags (channel));
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_string_member (tags, key, value);
  obj = json_object_new ();
  json_object_set_object_member (obj, "Tags", tags);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}
