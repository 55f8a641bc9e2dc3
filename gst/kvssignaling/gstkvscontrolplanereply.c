/* kvssignaling: the control plane's replies, read and checked.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What each operation's 2xx reply must hold, read with json-glib behind
 * gst_kvs_json_check_object_text() (what json-glib 1.6 must never see),
 * with errors naming the missing or mistyped field; and the GError of a
 * non-2xx reply (gst_kvs_control_plane_parse_error_reply()), secrets
 * scrubbed. No network here: the calls (gstkvsresttransport.c), the tests
 * and the fuzzers use the same functions.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "gstkvscontrolplanereply.h"
#include "gstkvsvalidation.h"
#include "gstkvsiceserver.h"
#include "gstkvsjson.h"

/* At most this much of a service error text goes into a GError. */
#define MAX_ERROR_TEXT 512

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

gpointer
gst_kvs_reply_parse_describe (JsonObject * root, GError ** error)
{
  g_autoptr (GstKvsChannelInfo) info = g_new0 (GstKvsChannelInfo, 1);
  JsonObject *ci, *smc;
  JsonNode *node;
  GError *err = NULL;
  gint64 ttl = 0;

  node =
      read_node (root, "ChannelInfo", JSON_NODE_OBJECT, TRUE,
      GST_KVS_OP_DESCRIBE, "ChannelInfo", error);
  if (node == NULL)
    return NULL;
  ci = json_node_get_object (node);

  if (!read_string (ci, "ChannelARN", TRUE, GST_KVS_OP_DESCRIBE,
          "ChannelInfo.ChannelARN", &info->arn, error)
      || !read_string (ci, "ChannelName", TRUE, GST_KVS_OP_DESCRIBE,
          "ChannelInfo.ChannelName", &info->name, error)
      || !read_string (ci, "ChannelType", FALSE, GST_KVS_OP_DESCRIBE,
          "ChannelInfo.ChannelType", &info->type, error)
      || !read_string (ci, "ChannelStatus", FALSE, GST_KVS_OP_DESCRIBE,
          "ChannelInfo.ChannelStatus", &info->status, error)
      || !read_string (ci, "Version", FALSE, GST_KVS_OP_DESCRIBE,
          "ChannelInfo.Version", &info->version, error)
      || !read_epoch (ci, "CreationTime", GST_KVS_OP_DESCRIBE,
          "ChannelInfo.CreationTime", &info->creation_time, error))
    return NULL;

  node = read_node (ci, "SingleMasterConfiguration", JSON_NODE_OBJECT, FALSE,
      GST_KVS_OP_DESCRIBE, "ChannelInfo.SingleMasterConfiguration", &err);
  if (err) {
    g_propagate_error (error, err);
    return NULL;
  }
  if (node) {
    smc = json_node_get_object (node);
    if (!read_int (smc, "MessageTtlSeconds", FALSE, GST_KVS_OP_DESCRIBE,
            "ChannelInfo.SingleMasterConfiguration.MessageTtlSeconds",
            0, G_MAXUINT, &ttl, error))
      return NULL;
    info->message_ttl = (guint) ttl;
  }

  return g_steal_pointer (&info);
}

gpointer
gst_kvs_reply_parse_create (JsonObject * root, GError ** error)
{
  gchar *arn = NULL;

  if (!read_string (root, "ChannelARN", TRUE, GST_KVS_OP_CREATE, "ChannelARN",
          &arn, error))
    return NULL;
  return arn;
}

/* GetSignalingChannelEndpoint's ResourceEndpointList: @found[i] (transfer
 * full) is the first endpoint of protocol @protocols[i] (NULL-terminated,
 * any case), NULL when there is none. Every entry is checked, unless
 * @until_found: then the list is read until each protocol has its
 * endpoint. */
static gboolean
read_endpoint_list (JsonObject * root, const gchar * const *protocols,
    gboolean until_found, gchar ** found, GError ** error)
{
  guint n_protocols = g_strv_length ((gchar **) protocols), n_found = 0;
  JsonNode *node;
  JsonArray *list;

  node = read_node (root, "ResourceEndpointList", JSON_NODE_ARRAY, TRUE,
      GST_KVS_OP_ENDPOINT, "ResourceEndpointList", error);
  if (node == NULL)
    return FALSE;
  list = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (list); i++) {
    JsonNode *item = json_array_get_element (list, i);
    g_autofree gchar *path = g_strdup_printf ("ResourceEndpointList[%u]", i);
    g_autofree gchar *ppath = g_strconcat (path, ".Protocol", NULL);
    g_autofree gchar *epath = g_strconcat (path, ".ResourceEndpoint", NULL);
    g_autofree gchar *protocol = NULL;
    g_autofree gchar *endpoint = NULL;
    JsonObject *obj;

    if (!JSON_NODE_HOLDS_OBJECT (item)) {
      set_wrong_type (error, GST_KVS_OP_ENDPOINT, path, item, "an object");
      return FALSE;
    }
    obj = json_node_get_object (item);
    if (!read_string (obj, "Protocol", TRUE, GST_KVS_OP_ENDPOINT, ppath,
            &protocol, error)
        || !read_string (obj, "ResourceEndpoint", TRUE, GST_KVS_OP_ENDPOINT,
            epath, &endpoint, error))
      return FALSE;

    /* Unknown protocols (WEBRTC for the signaling calls) are not ours. */
    for (guint p = 0; p < n_protocols; p++) {
      if (g_ascii_strcasecmp (protocol, protocols[p]) == 0 && !found[p]) {
        found[p] = g_steal_pointer (&endpoint);
        n_found++;
        break;
      }
    }
    if (until_found && n_found == n_protocols)
      break;
  }
  return TRUE;
}

gpointer
gst_kvs_reply_parse_endpoints (JsonObject * root, GError ** error)
{
  static const gchar *const protocols[] = { "WSS", "HTTPS", NULL };
  g_autoptr (GstKvsEndpoints) ep = g_new0 (GstKvsEndpoints, 1);
  gchar *found[2] = { NULL, NULL };

  if (!read_endpoint_list (root, protocols, FALSE, found, error)) {
    g_free (found[0]);
    g_free (found[1]);
    return NULL;
  }
  ep->wss = found[0];
  ep->https = found[1];
  if (ep->wss == NULL) {
    set_missing (error, GST_KVS_OP_ENDPOINT,
        "WSS endpoint in ResourceEndpointList");
    return NULL;
  }
  if (ep->https == NULL) {
    set_missing (error, GST_KVS_OP_ENDPOINT,
        "HTTPS endpoint in ResourceEndpointList");
    return NULL;
  }
  return g_steal_pointer (&ep);
}

/* GetSignalingChannelEndpoint with Protocols [WEBRTC]: the WEBRTC
 * endpoint's URL. */
gpointer
gst_kvs_reply_parse_webrtc_endpoint (JsonObject * root, GError ** error)
{
  static const gchar *const protocols[] = { "WEBRTC", NULL };
  gchar *found = NULL;

  if (!read_endpoint_list (root, protocols, TRUE, &found, error))
    return NULL;
  if (found == NULL)
    set_missing (error, GST_KVS_OP_ENDPOINT,
        "WEBRTC endpoint in ResourceEndpointList");
  return found;
}

/* DescribeMediaStorageConfiguration. */
gpointer
gst_kvs_reply_parse_media_storage (JsonObject * root, GError ** error)
{
  g_autoptr (GstKvsMediaStorageConfiguration) config =
      g_new0 (GstKvsMediaStorageConfiguration, 1);
  g_autofree gchar *status = NULL;
  JsonNode *node;
  JsonObject *obj;

  node = read_node (root, "MediaStorageConfiguration", JSON_NODE_OBJECT, TRUE,
      GST_KVS_OP_DESCRIBE_STORAGE, "MediaStorageConfiguration", error);
  if (node == NULL)
    return NULL;
  obj = json_node_get_object (node);
  if (!read_string (obj, "StreamARN", FALSE, GST_KVS_OP_DESCRIBE_STORAGE,
          "MediaStorageConfiguration.StreamARN", &config->stream_arn, error)
      || !read_string (obj, "Status", TRUE, GST_KVS_OP_DESCRIBE_STORAGE,
          "MediaStorageConfiguration.Status", &status, error))
    return NULL;
  if (g_str_equal (status, "ENABLED"))
    config->enabled = TRUE;
  else if (!g_str_equal (status, "DISABLED")) {
    g_autofree gchar *quoted = gst_kvs_validation_quote_value (status, -1);

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply has MediaStorageConfiguration.Status %s, not ENABLED or "
        "DISABLED", GST_KVS_OP_DESCRIBE_STORAGE, quoted);
    return NULL;
  }
  return g_steal_pointer (&config);
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
    set_wrong_type (error, GST_KVS_OP_ICE, path, item, "an object");
    return NULL;
  }
  obj = json_node_get_object (item);

  node =
      read_node (obj, "Uris", JSON_NODE_ARRAY, TRUE, GST_KVS_OP_ICE, upath,
      error);
  if (node == NULL)
    return NULL;
  arr = json_node_get_array (node);
  n = json_array_get_length (arr);
  if (n == 0) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply has an empty %s", GST_KVS_OP_ICE, upath);
    return NULL;
  }
  for (i = 0; i < n; i++) {
    JsonNode *u = json_array_get_element (arr, i);

    if (!JSON_NODE_HOLDS_VALUE (u)
        || json_node_get_value_type (u) != G_TYPE_STRING) {
      g_autofree gchar *p = g_strdup_printf ("%s[%u]", upath, i);
      set_wrong_type (error, GST_KVS_OP_ICE, p, u, "a string");
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
    if (!read_string (obj, "Username", TRUE, GST_KVS_OP_ICE, un, &username,
            error)
        || !read_string (obj, "Password", TRUE, GST_KVS_OP_ICE, pw, &password,
            error)
        || !read_int (obj, "Ttl", FALSE, GST_KVS_OP_ICE, tt, 1, 86400 * 7, &ttl,
            error))
      return NULL;
  }

  return gst_kvs_ice_server_new ((const gchar * const *) uris->pdata,
      username, password, (guint) ttl);
}

gpointer
gst_kvs_reply_parse_ice_config (JsonObject * root, GError ** error)
{
  g_autoptr (GPtrArray) servers =
      g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_kvs_ice_server_unref);
  JsonNode *node;
  JsonArray *list;
  GError *err = NULL;
  guint i, n;

  /* An absent list is an empty one (AWS omits empty lists). */
  node =
      read_node (root, "IceServerList", JSON_NODE_ARRAY, FALSE, GST_KVS_OP_ICE,
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

gboolean
gst_kvs_reply_parse_success_body (const gchar * operation,
    GstKvsReplyParseFunc parse,
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
  if (len > GST_KVS_MAX_REPLY_SIZE) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_PROTOCOL,
        "%s reply is larger than %u bytes", operation, GST_KVS_MAX_REPLY_SIZE);
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

/* The result of @parse over a 2xx reply of @op, or NULL. */
static gpointer
parse_reply (const gchar * op, GstKvsReplyParseFunc parse, const gchar * body,
    gsize len, GError ** error)
{
  gpointer result;

  gst_kvs_reply_parse_success_body (op, parse, body, len, &result, error);
  return result;
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
  return parse_reply (GST_KVS_OP_DESCRIBE, gst_kvs_reply_parse_describe, body,
      len, error);
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
  return parse_reply (GST_KVS_OP_CREATE, gst_kvs_reply_parse_create, body, len,
      error);
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

  return gst_kvs_reply_parse_success_body (GST_KVS_OP_DELETE, NULL, body, len,
      &result, error);
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
  return parse_reply (GST_KVS_OP_ENDPOINT, gst_kvs_reply_parse_endpoints, body,
      len, error);
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
  return parse_reply (GST_KVS_OP_ICE, gst_kvs_reply_parse_ice_config, body, len,
      error);
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

  if (len > 0 && len <= GST_KVS_MAX_REPLY_SIZE
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
