/* kvssignaling: the credential chain.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkvschainprovider.h"
#include "gstkvsstaticprovider.h"
#include "gstkvsenvprovider.h"
#include "gstkvswebidentityprovider.h"
#include "gstkvsprofileprovider.h"
#include "gstkvscontainerprovider.h"
#include "gstkvsimdsprovider.h"
#include "gstkvsiotprovider.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_chain_provider_debug);
#define GST_CAT_DEFAULT gst_kvs_chain_provider_debug

struct _GstKvsChainProvider
{
  GstKvsCredentialsProvider parent;
  GPtrArray *providers;
  gint current;                 /* index of the last that answered, or -1 */
};

G_DEFINE_TYPE_WITH_CODE (GstKvsChainProvider, gst_kvs_chain_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER,
    GST_DEBUG_CATEGORY_INIT (gst_kvs_chain_provider_debug, "kvscredentialchain",
        0, "KVS credential chain"));

typedef struct
{
  guint index;
  gboolean from_current;        /* trying the remembered source first */
  GString *looked;
} Walk;

static void
walk_free (Walk * w)
{
  g_string_free (w->looked, TRUE);
  g_free (w);
}

static void try_next (GTask * task);

static void
on_source (GObject * object, GAsyncResult * result, gpointer user_data)
{
  GTask *task = user_data;
  GstKvsChainProvider *self = g_task_get_source_object (task);
  Walk *w = g_task_get_task_data (task);
  GError *error = NULL;
  GstKvsCredentials *creds = gst_kvs_credentials_provider_fetch_finish
      (GST_KVS_CREDENTIALS_PROVIDER (object), result, &error);

  if (creds) {
    self->current = (gint) w->index;
    GST_DEBUG_OBJECT (self, "credentials from %s", creds->source);
    g_task_return_pointer (task, creds,
        (GDestroyNotify) gst_kvs_credentials_unref);
    g_object_unref (task);
    return;
  }
  if (!g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  GST_DEBUG_OBJECT (self, "%s", error->message);
  if (w->from_current) {
    /* The remembered source has nothing any more: the whole chain. */
    w->from_current = FALSE;
    w->index = 0;
    self->current = -1;
  } else {
    g_string_append_printf (w->looked, "%s%s", w->looked->len ? "; " : "",
        error->message);
    w->index++;
  }
  g_error_free (error);
  try_next (task);
}

static void
try_next (GTask * task)
{
  GstKvsChainProvider *self = g_task_get_source_object (task);
  Walk *w = g_task_get_task_data (task);

  if (w->index >= self->providers->len) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_NO_CREDENTIALS, "No AWS credentials found. Looked at: "
        "%s", w->looked->str);
    g_object_unref (task);
    return;
  }
  gst_kvs_credentials_provider_fetch_async (g_ptr_array_index
      (self->providers, w->index), g_task_get_cancellable (task), on_source,
      task);
}

static void
gst_kvs_chain_provider_fetch (GstKvsCredentialsProvider * provider,
    GTask * task)
{
  GstKvsChainProvider *self = GST_KVS_CHAIN_PROVIDER (provider);
  Walk *w = g_new0 (Walk, 1);

  w->looked = g_string_new (NULL);
  if (self->current >= 0) {
    w->index = (guint) self->current;
    w->from_current = TRUE;
  }
  g_task_set_task_data (task, w, (GDestroyNotify) walk_free);
  try_next (task);
}

static void
gst_kvs_chain_provider_finalize (GObject * object)
{
  g_ptr_array_unref (GST_KVS_CHAIN_PROVIDER (object)->providers);
  G_OBJECT_CLASS (gst_kvs_chain_provider_parent_class)->finalize (object);
}

static void
gst_kvs_chain_provider_class_init (GstKvsChainProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_chain_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_chain_provider_fetch;
}

static void
gst_kvs_chain_provider_init (GstKvsChainProvider * self)
{
  self->providers = g_ptr_array_new_with_free_func (g_object_unref);
  self->current = -1;
}

GstKvsCredentialsProvider *
gst_kvs_chain_provider_new (GstKvsCredentialsProvider ** providers)
{
  GstKvsChainProvider *self = g_object_new (GST_KVS_TYPE_CHAIN_PROVIDER,
      "name", "credential chain", NULL);
  guint i;

  for (i = 0; providers && providers[i]; i++)
    g_ptr_array_add (self->providers, g_object_ref (providers[i]));
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}

const gchar *
gst_kvs_chain_provider_get_current (GstKvsChainProvider * self)
{
  g_return_val_if_fail (GST_KVS_IS_CHAIN_PROVIDER (self), NULL);
  if (self->current < 0)
    return NULL;
  return gst_kvs_credentials_provider_get_name (g_ptr_array_index
      (self->providers, self->current));
}

GstKvsCredentialsProvider *
gst_kvs_credentials_provider_new_default (const gchar * access_key_id,
    const gchar * secret_access_key, const gchar * session_token,
    const gchar * profile, const GstKvsIotSettings * iot)
{
  static const GstKvsIotSettings no_iot = { NULL };
  GstKvsCredentialsProvider *list[8];
  GstKvsCredentialsProvider *chain;
  guint n = 0, i;

  if (iot == NULL)
    iot = &no_iot;
  list[n++] = gst_kvs_explicit_provider_new (access_key_id,
      secret_access_key, session_token);
  list[n++] = gst_kvs_iot_provider_new (iot->endpoint, iot->cert_file,
      iot->key_file, iot->role_alias, iot->thing_name, iot->ca_file);
  list[n++] = gst_kvs_env_provider_new ();
  list[n++] = gst_kvs_web_identity_provider_new (NULL, NULL, NULL, profile);
  list[n++] = gst_kvs_profile_provider_new (profile);
  list[n++] = gst_kvs_container_provider_new ();
  list[n++] = gst_kvs_imds_provider_new (profile, FALSE);
  list[n] = NULL;
  chain = gst_kvs_chain_provider_new (list);
  for (i = 0; i < n; i++)
    g_object_unref (list[i]);
  return chain;
}
