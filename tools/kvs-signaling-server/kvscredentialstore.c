/* kvs-signaling-server: the temporary credentials the service vends.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "kvscredentialstore.h"
#include "kvsserverconfig.h"

GST_DEBUG_CATEGORY_STATIC (kvs_credential_store_debug);
#define GST_CAT_DEFAULT kvs_credential_store_debug

/* Sets kept (expired ones answer ExpiredTokenException as long as they are
 * kept); beyond this the oldest are forgotten. */
#define KVS_CREDENTIAL_STORE_MAX 100000

struct _KvsCredentialStore
{
  GObject parent;

  guint ttl;
  GHashTable *by_key;           /* access key id -> KvsCredential (owned) */
  GQueue order;                 /* access key ids (borrowed), oldest first */
};

G_DEFINE_FINAL_TYPE (KvsCredentialStore, kvs_credential_store, G_TYPE_OBJECT);

static void
kvs_credential_free (gpointer data)
{
  KvsCredential *c = data;

  g_free (c->access_key_id);
  if (c->secret_access_key) {
    memset (c->secret_access_key, 0, strlen (c->secret_access_key));
    g_free (c->secret_access_key);
  }
  g_free (c->session_token);
  g_free (c->source);
  g_free (c->role_arn);
  g_free (c->arn);
  g_free (c->user_id);
  g_free (c);
}

static void
kvs_credential_store_finalize (GObject * object)
{
  KvsCredentialStore *self = KVS_CREDENTIAL_STORE (object);

  g_queue_clear (&self->order);
  g_hash_table_unref (self->by_key);
  G_OBJECT_CLASS (kvs_credential_store_parent_class)->finalize (object);
}

static void
kvs_credential_store_class_init (KvsCredentialStoreClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = kvs_credential_store_finalize;
  GST_DEBUG_CATEGORY_INIT (kvs_credential_store_debug, "kvsservercredentials",
      0, "kvs-signaling-server vended credentials");
}

static void
kvs_credential_store_init (KvsCredentialStore * self)
{
  self->ttl = KVS_CREDENTIAL_DEFAULT_TTL;
  self->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      kvs_credential_free);
  g_queue_init (&self->order);
}

KvsCredentialStore *
kvs_credential_store_new (guint ttl)
{
  KvsCredentialStore *self = g_object_new (KVS_TYPE_CREDENTIAL_STORE, NULL);

  self->ttl = ttl;
  return self;
}

guint
kvs_credential_store_get_ttl (KvsCredentialStore * self)
{
  g_return_val_if_fail (KVS_IS_CREDENTIAL_STORE (self), 0);
  return self->ttl;
}

/* @len characters of @alphabet, from GLib's random source. */
static gchar *
kvs_random_text (const gchar * alphabet, guint len)
{
  gsize n = strlen (alphabet);
  gchar *text = g_malloc (len + 1);
  guint i;

  for (i = 0; i < len; i++)
    text[i] = alphabet[g_random_int_range (0, n)];
  text[len] = '\0';
  return text;
}

#define KVS_UPPER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
#define KVS_BASE64 \
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

const KvsCredential *
kvs_credential_store_issue (KvsCredentialStore * self, const gchar * source,
    const gchar * role_name, const gchar * session_name)
{
  g_autofree gchar *suffix = NULL;
  g_autofree gchar *role_id = NULL;
  g_autofree gchar *token_body = NULL;
  KvsCredential *c;

  g_return_val_if_fail (KVS_IS_CREDENTIAL_STORE (self), NULL);
  g_return_val_if_fail (source != NULL && role_name != NULL, NULL);

  if (session_name == NULL)
    session_name = source;

  while (g_queue_get_length (&self->order) >= KVS_CREDENTIAL_STORE_MAX)
    g_hash_table_remove (self->by_key, g_queue_pop_head (&self->order));

  c = g_new0 (KvsCredential, 1);
  do {
    g_free (suffix);
    suffix = kvs_random_text (KVS_UPPER_DIGITS, 16);
    g_free (c->access_key_id);
    c->access_key_id = g_strconcat ("ASIA", suffix, NULL);
  } while (g_hash_table_contains (self->by_key, c->access_key_id));
  c->secret_access_key = kvs_random_text (KVS_BASE64, 40);
  /* STS tokens are opaque base64 of a few hundred bytes. */
  token_body = kvs_random_text (KVS_BASE64, 300);
  c->session_token = g_strconcat ("IQoJb3JpZ2luX2VjE", token_body, NULL);
  c->expiration = g_get_real_time () / G_USEC_PER_SEC + self->ttl;
  c->source = g_strdup (source);
  c->role_arn = g_strdup_printf ("arn:aws:iam::%s:role/%s",
      KVS_SERVER_ACCOUNT_ID, role_name);
  c->arn = g_strdup_printf ("arn:aws:sts::%s:assumed-role/%s/%s",
      KVS_SERVER_ACCOUNT_ID, role_name, session_name);
  role_id = kvs_random_text (KVS_UPPER_DIGITS, 17);
  c->user_id = g_strdup_printf ("AROA%s:%s", role_id, session_name);

  g_hash_table_insert (self->by_key, c->access_key_id, c);
  g_queue_push_tail (&self->order, c->access_key_id);
  GST_INFO ("vended %s credentials %s for %s, expiring in %u s", source,
      c->access_key_id, c->arn, self->ttl);
  return c;
}

const KvsCredential *
kvs_credential_store_lookup (KvsCredentialStore * self,
    const gchar * access_key_id)
{
  g_return_val_if_fail (KVS_IS_CREDENTIAL_STORE (self), NULL);

  if (access_key_id == NULL)
    return NULL;
  return g_hash_table_lookup (self->by_key, access_key_id);
}

KvsCredentialCheck
kvs_credential_store_check (KvsCredentialStore * self,
    const gchar * access_key_id, const gchar * token, gint64 now)
{
  const KvsCredential *c;

  g_return_val_if_fail (KVS_IS_CREDENTIAL_STORE (self),
      KVS_CREDENTIAL_NOT_VENDED);

  c = kvs_credential_store_lookup (self, access_key_id);
  if (c == NULL)
    return KVS_CREDENTIAL_NOT_VENDED;
  if (token == NULL || !g_str_equal (token, c->session_token)) {
    GST_INFO ("%s: %s session token", access_key_id, token ? "wrong" : "no");
    return KVS_CREDENTIAL_INVALID_TOKEN;
  }
  if (now >= c->expiration) {
    GST_INFO ("%s: expired %" G_GINT64_FORMAT " s ago", access_key_id,
        now - c->expiration);
    return KVS_CREDENTIAL_EXPIRED;
  }
  return KVS_CREDENTIAL_OK;
}

guint
kvs_credential_store_expire_all (KvsCredentialStore * self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_return_val_if_fail (KVS_IS_CREDENTIAL_STORE (self), 0);

  g_hash_table_iter_init (&iter, self->by_key);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    KvsCredential *c = value;

    if (c->expiration > now) {
      c->expiration = now;
      n++;
    }
  }
  GST_INFO ("expired %u credential sets", n);
  return n;
}

gchar *
kvs_credential_format_time (gint64 seconds)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (seconds);

  return t ? g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}
