/* kvssignaling: the on-disk cache of channels' ARNs and endpoints.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GstKvsChannelCache: what DescribeSignalingChannel and
 * GetSignalingChannelEndpoint said, kept on disk so that a new process
 * joins without asking again (AWS's C SDK keeps such a file too). One file
 * per entry, named by the SHA-256 of its key (role, channel, region,
 * control-plane endpoint), a small JSON object:
 *   {"version":1,"key":"...","arn":"...","wss":"...","https":"...",
 *    "stored":<unix seconds>}
 *
 * Several processes may share the folder: a writer writes a temporary file
 * and renames it over the entry (g_file_set_contents_full, mode 0600), so
 * a reader sees the old entry or the new one, never half of one. A file
 * that is not one of ours (garbage, another key, an unknown version, an
 * entry past its TTL) is a miss, said at debug level. The resolver drops
 * an entry when the service says the channel is gone or when a connect
 * attempt made with it fails, so a stale entry costs one retry.
 *
 * Nothing secret is stored: ARNs and endpoint URLs only.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "gstkvschannelcache.h"

GST_DEBUG_CATEGORY_STATIC (kvs_channel_cache_debug);
#define GST_CAT_DEFAULT kvs_channel_cache_debug

#define CACHE_VERSION 1
/* An entry is a few hundred bytes; anything much larger is not ours. */
#define MAX_ENTRY_SIZE 16384

struct _GstKvsChannelCache
{
  GObject parent;

  gchar *dir;
  guint ttl_s;
};

G_DEFINE_TYPE_WITH_CODE (GstKvsChannelCache, gst_kvs_channel_cache,
    G_TYPE_OBJECT,
    GST_DEBUG_CATEGORY_INIT (kvs_channel_cache_debug, "kvschannelcache", 0,
        "KVS signaling channel cache (on disk)"));

GstKvsChannelCache *
gst_kvs_channel_cache_new (const gchar * dir, guint ttl_s)
{
  GstKvsChannelCache *self;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (GST_KVS_TYPE_CHANNEL_CACHE, NULL);
  self->dir = g_strdup (dir);
  self->ttl_s = ttl_s;
  return self;
}

GstKvsChannelCache *
gst_kvs_channel_cache_new_from_env (void)
{
  const gchar *dir = g_getenv ("KVS_SIGNALING_CACHE_DIR");
  const gchar *ttl = g_getenv ("KVS_SIGNALING_CACHE_TTL");
  const gchar *xdg = g_getenv ("XDG_CACHE_HOME");
  guint64 ttl_s = GST_KVS_CHANNEL_CACHE_DEFAULT_TTL_S;
  g_autofree gchar *path = NULL;

  g_type_ensure (GST_KVS_TYPE_CHANNEL_CACHE);   /* the debug category */
  if (ttl && *ttl) {
    if (!g_ascii_string_to_unsigned (ttl, 10, 0, G_MAXUINT32, &ttl_s, NULL)) {
      GST_WARNING ("KVS_SIGNALING_CACHE_TTL '%s' is not a number of seconds, "
          "using %u", ttl, GST_KVS_CHANNEL_CACHE_DEFAULT_TTL_S);
      ttl_s = GST_KVS_CHANNEL_CACHE_DEFAULT_TTL_S;
    }
  }
  if (ttl_s == 0 || g_strcmp0 (dir, "none") == 0) {
    GST_DEBUG ("channel cache off");
    return NULL;
  }
  if (dir && *dir)
    path = g_strdup (dir);
  else if (xdg && g_path_is_absolute (xdg))
    path = g_build_filename (xdg, "kvssignaling", NULL);
  else
    path = g_build_filename (g_get_user_cache_dir (), "kvssignaling", NULL);
  return gst_kvs_channel_cache_new (path, (guint) ttl_s);
}

gchar *
gst_kvs_channel_cache_make_key (GstKvsRole role, const gchar * name,
    const gchar * arn, const gchar * region, const gchar * endpoint)
{
  return g_strdup_printf ("%s|%s|%s|%s",
      role == GST_KVS_ROLE_MASTER ? "MASTER" : "VIEWER",
      arn ? arn : GST_STR_NULL (name), GST_STR_NULL (region),
      GST_STR_NULL (endpoint));
}

gchar *
gst_kvs_channel_cache_get_path (GstKvsChannelCache * self, const gchar * key)
{
  g_autofree gchar *hash =
      g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree gchar *file = g_strconcat ("channel-", hash, ".json", NULL);

  return g_build_filename (self->dir, file, NULL);
}

static const gchar *
member_string (JsonObject * obj, const gchar * name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (!node || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_int (JsonObject * obj, const gchar * name, gint64 * value)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (!node || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

gboolean
gst_kvs_channel_cache_lookup (GstKvsChannelCache * self, const gchar * key,
    gchar ** arn, GstKvsEndpoints ** endpoints)
{
  g_autofree gchar *path = gst_kvs_channel_cache_get_path (self, key);
  g_autofree gchar *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  const gchar *a, *wss, *https, *k;
  JsonObject *obj;
  JsonNode *root;
  gint64 version = 0, stored = 0, now = g_get_real_time () / G_USEC_PER_SEC;
  GStatBuf st;
  gsize len;

  if (g_lstat (path, &st) == 0 && (!S_ISREG (st.st_mode) ||
          st.st_uid != getuid ())) {
    /* an entry could send the presigned WebSocket URL elsewhere: only
     * the user's own regular files are believed */
    GST_DEBUG_OBJECT (self, "%s is not a regular file of this user, ignored",
        path);
    return FALSE;
  }
  if (!g_file_get_contents (path, &text, &len, &error)) {
    GST_DEBUG_OBJECT (self, "no entry for %s (%s)", key, error->message);
    return FALSE;
  }
  if (len > MAX_ENTRY_SIZE || memchr (text, '\0', len) ||
      !json_parser_load_from_data (parser, text, len, NULL) ||
      !(root = json_parser_get_root (parser)) ||
      !JSON_NODE_HOLDS_OBJECT (root)) {
    GST_DEBUG_OBJECT (self, "%s is not a cache entry, ignored", path);
    return FALSE;
  }
  obj = json_node_get_object (root);
  k = member_string (obj, "key");
  a = member_string (obj, "arn");
  wss = member_string (obj, "wss");
  https = member_string (obj, "https");
  if (!member_int (obj, "version", &version) || version != CACHE_VERSION ||
      g_strcmp0 (k, key) != 0 || !a || !*a || !wss ||
      !(g_str_has_prefix (wss, "wss://") || g_str_has_prefix (wss, "ws://"))
      || !member_int (obj, "stored", &stored)) {
    GST_DEBUG_OBJECT (self, "%s is not an entry for %s, ignored", path, key);
    return FALSE;
  }
  if (stored > now + 60 || now - stored >= (gint64) self->ttl_s) {
    GST_DEBUG_OBJECT (self, "entry for %s is %" G_GINT64_FORMAT " s old "
        "(TTL %u s), ignored", key, now - stored, self->ttl_s);
    return FALSE;
  }

  GST_INFO_OBJECT (self, "cached %s: %s, wss %s (%" G_GINT64_FORMAT " s old)",
      key, a, wss, now - stored);
  *arn = g_strdup (a);
  *endpoints = g_new0 (GstKvsEndpoints, 1);
  (*endpoints)->wss = g_strdup (wss);
  (*endpoints)->https = https && *https ? g_strdup (https) : NULL;
  return TRUE;
}

void
gst_kvs_channel_cache_store (GstKvsChannelCache * self, const gchar * key,
    const gchar * arn, const GstKvsEndpoints * endpoints)
{
  g_autofree gchar *path = gst_kvs_channel_cache_get_path (self, key);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;

  g_return_if_fail (arn != NULL && endpoints != NULL && endpoints->wss);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, CACHE_VERSION);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, key);
  json_builder_set_member_name (b, "arn");
  json_builder_add_string_value (b, arn);
  json_builder_set_member_name (b, "wss");
  json_builder_add_string_value (b, endpoints->wss);
  if (endpoints->https) {
    json_builder_set_member_name (b, "https");
    json_builder_add_string_value (b, endpoints->https);
  }
  json_builder_set_member_name (b, "stored");
  json_builder_add_int_value (b, g_get_real_time () / G_USEC_PER_SEC);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);

  if (g_mkdir_with_parents (self->dir, 0700) != 0) {
    GST_WARNING_OBJECT (self, "cannot create the cache folder %s: %s",
        self->dir, g_strerror (errno));
    return;
  }
  if (!g_file_set_contents_full (path, text, -1,
          G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error)) {
    GST_WARNING_OBJECT (self, "cannot write %s: %s", path, error->message);
    return;
  }
  GST_DEBUG_OBJECT (self, "stored %s in %s", key, path);
}

void
gst_kvs_channel_cache_remove (GstKvsChannelCache * self, const gchar * key)
{
  g_autofree gchar *path = gst_kvs_channel_cache_get_path (self, key);

  if (g_unlink (path) == 0)
    GST_INFO_OBJECT (self, "dropped the entry for %s", key);
  else if (errno != ENOENT)
    GST_WARNING_OBJECT (self, "cannot remove %s: %s", path, g_strerror (errno));
}

static void
gst_kvs_channel_cache_finalize (GObject * object)
{
  GstKvsChannelCache *self = GST_KVS_CHANNEL_CACHE (object);

  g_free (self->dir);
  G_OBJECT_CLASS (gst_kvs_channel_cache_parent_class)->finalize (object);
}

static void
gst_kvs_channel_cache_init (GstKvsChannelCache * self)
{
}

static void
gst_kvs_channel_cache_class_init (GstKvsChannelCacheClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_channel_cache_finalize;
}
