/* kvssignaling: a provider of fixed credentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsstaticprovider.h"

struct _GstKvsStaticProvider
{
  GstKvsCredentialsProvider parent;
  GstKvsCredentials *creds;
  GError *error;
};

G_DEFINE_TYPE (GstKvsStaticProvider, gst_kvs_static_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

static void
gst_kvs_static_provider_fetch (GstKvsCredentialsProvider * provider,
    GTask * task)
{
  GstKvsStaticProvider *self = GST_KVS_STATIC_PROVIDER (provider);

  if (self->creds)
    g_task_return_pointer (task, gst_kvs_credentials_ref (self->creds),
        (GDestroyNotify) gst_kvs_credentials_unref);
  else
    g_task_return_error (task, g_error_copy (self->error));
  g_object_unref (task);
}

static void
gst_kvs_static_provider_finalize (GObject * object)
{
  GstKvsStaticProvider *self = GST_KVS_STATIC_PROVIDER (object);

  g_clear_pointer (&self->creds, gst_kvs_credentials_unref);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (gst_kvs_static_provider_parent_class)->finalize (object);
}

static void
gst_kvs_static_provider_class_init (GstKvsStaticProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_static_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_static_provider_fetch;
}

static void
gst_kvs_static_provider_init (GstKvsStaticProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_static_provider_new (const gchar * name, GstKvsCredentials * creds,
    const gchar * why_none)
{
  GstKvsStaticProvider *self = g_object_new (GST_KVS_TYPE_STATIC_PROVIDER,
      "name", name, NULL);

  if (creds)
    self->creds = gst_kvs_credentials_ref (creds);
  else
    self->error = g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
        "%s", why_none ? why_none : name);
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}

GstKvsCredentialsProvider *
gst_kvs_explicit_provider_new (const gchar * access_key_id,
    const gchar * secret_access_key, const gchar * session_token)
{
  gboolean has_akid = access_key_id && *access_key_id;
  gboolean has_secret = secret_access_key && *secret_access_key;
  GstKvsCredentialsProvider *p;

  if (has_akid && has_secret) {
    g_autoptr (GstKvsCredentials) c = gst_kvs_credentials_new (access_key_id,
        secret_access_key, session_token, "explicit");

    return gst_kvs_static_provider_new ("explicit", c, NULL);
  }
  p = gst_kvs_static_provider_new ("explicit", NULL,
      "explicit: no access key id and secret access key");
  if (has_akid || has_secret || (session_token && *session_token)) {
    GstKvsStaticProvider *self = GST_KVS_STATIC_PROVIDER (p);

    g_clear_error (&self->error);
    self->error = g_error_new (GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "Explicit credentials are incomplete: %s",
        has_akid ? "the access key id was given but not the secret access key"
        : has_secret ?
        "the secret access key was given but not the access key id" :
        "a session token was given without an access key id and secret "
        "access key");
  }
  return p;
}
