/* kvssignaling: the process-wide registry of shared signaling connections.
 *
 * KVS allows one master per channel, and a sink and a src naming the same
 * channel must share one WebSocket. Like intervideosink/src, the elements
 * find each other through a registry keyed by a string: role, channel name
 * or ARN, region, endpoint and client id. It is the plugin's only global
 * mutable state, guarded by one mutex.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsconnectionregistry.h"

GST_DEBUG_CATEGORY_STATIC (kvs_registry_debug);
#define GST_CAT_DEFAULT kvs_registry_debug

typedef struct
{
  gchar *key;
  GstKvsConnection *connection;
  guint users;
} RegistryEntry;

static GMutex registry_lock;
static GHashTable *registry;    /* key -> RegistryEntry */

gchar *
gst_kvs_connection_settings_key (const GstKvsSettings * s, gconstpointer scope)
{
  /* '|' is not allowed in any of the parts but the endpoint URL, which
   * comes last but one. A master has no client id. */
  return g_strdup_printf ("%s|%s|%s|%s|%s|%s|%s|%p",
      s->role == GST_KVS_ROLE_MASTER ? "master" : "viewer",
      s->channel_arn ? s->channel_arn : "",
      s->channel_arn ? "" : (s->channel_name ? s->channel_name : ""),
      s->region ? s->region : "",
      (s->role == GST_KVS_ROLE_VIEWER && s->client_id) ? s->client_id : "",
      s->profile ? s->profile : "", s->endpoint ? s->endpoint : "",
      (s->role == GST_KVS_ROLE_VIEWER && s->client_id == NULL) ? scope : NULL);
}

static void
registry_entry_free (RegistryEntry * entry)
{
  g_free (entry->key);
  gst_kvs_connection_close (entry->connection);
  g_object_unref (entry->connection);
  g_free (entry);
}

static void
registry_init_once (void)
{
  static gsize init = 0;

  if (g_once_init_enter (&init)) {
    GST_DEBUG_CATEGORY_INIT (kvs_registry_debug, "kvsconnectionregistry", 0,
        "KVS signaling: shared connections");
    g_once_init_leave (&init, 1);
  }
}

GstKvsConnection *
gst_kvs_connection_registry_acquire (const GstKvsSettings *
    settings, gconstpointer scope)
{
  g_autofree gchar *key = gst_kvs_connection_settings_key (settings, scope);
  RegistryEntry *entry;
  GstKvsConnection *connection;

  registry_init_once ();

  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
        (GDestroyNotify) registry_entry_free);

  entry = g_hash_table_lookup (registry, key);
  if (entry == NULL) {
    entry = g_new0 (RegistryEntry, 1);
    entry->key = g_steal_pointer (&key);
    entry->connection = gst_kvs_connection_new (settings);
    g_object_set_data (G_OBJECT (entry->connection), "kvs-registry-key",
        entry->key);
    g_hash_table_insert (registry, entry->key, entry);
    GST_DEBUG ("new connection %" GST_PTR_FORMAT " for %s", entry->connection,
        entry->key);
  } else {
    GST_DEBUG ("sharing connection %p for %s", entry->connection, entry->key);
  }
  entry->users++;
  connection = g_object_ref (entry->connection);
  g_mutex_unlock (&registry_lock);

  return connection;
}

void
gst_kvs_connection_registry_release (GstKvsConnection * connection)
{
  const gchar *key;
  RegistryEntry *entry = NULL, *dead = NULL;

  g_return_if_fail (GST_IS_KVS_CONNECTION (connection));

  g_mutex_lock (&registry_lock);
  key = g_object_get_data (G_OBJECT (connection), "kvs-registry-key");
  if (registry && key)
    entry = g_hash_table_lookup (registry, key);
  if (entry && entry->connection == connection && --entry->users == 0) {
    GST_DEBUG ("last user of %s gone", key);
    g_object_set_data (G_OBJECT (connection), "kvs-registry-key", NULL);
    g_hash_table_steal (registry, key);
    dead = entry;
  }
  g_mutex_unlock (&registry_lock);

  /* Stopping the client joins its thread: not under the registry lock. */
  if (dead)
    registry_entry_free (dead);

  g_object_unref (connection);
}

guint
gst_kvs_connection_registry_count (void)
{
  guint n;

  g_mutex_lock (&registry_lock);
  n = registry ? g_hash_table_size (registry) : 0;
  g_mutex_unlock (&registry_lock);
  return n;
}
