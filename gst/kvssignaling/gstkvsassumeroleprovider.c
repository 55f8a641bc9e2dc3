/* kvssignaling: STS AssumeRole, signed with a source provider's
 * credentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsassumeroleprovider.h"

struct _GstKvsAssumeRoleProvider
{
  GstKvsStsProvider parent;
  GstKvsCredentialsProvider *source;
  gchar *role_arn, *session_name, *external_id;
  guint duration_s;
};

G_DEFINE_TYPE (GstKvsAssumeRoleProvider, gst_kvs_assume_role_provider,
    GST_KVS_TYPE_STS_PROVIDER);

static void
on_source (GObject * object, GAsyncResult * result, gpointer user_data)
{
  GTask *task = user_data;
  GstKvsAssumeRoleProvider *self = g_task_get_source_object (task);
  g_autoptr (GError) err = NULL;
  g_autoptr (GstKvsCredentials) src = NULL;
  g_autofree gchar *what = NULL, *source = NULL, *name = NULL;
  g_autofree gchar *duration = NULL;
  const gchar *params[13];
  guint n = 0;

  src = gst_kvs_credentials_provider_fetch_finish
      (GST_KVS_CREDENTIALS_PROVIDER (object), result, &err);
  if (src == NULL) {
    if (err->domain == GST_KVS_ERROR)
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "assume role %s: no source "
          "credentials: %s", self->role_arn, err->message);
    else
      g_task_return_error (task, g_steal_pointer (&err));
    g_object_unref (task);
    return;
  }
  what = g_strdup_printf ("assume role (STS AssumeRole, role %s, signed with "
      "%s)", self->role_arn, src->source);
  source = g_strdup_printf ("assume role %s (source: %s)", self->role_arn,
      src->source);
  name = gst_kvs_sts_session_name (self->session_name);
  params[n++] = "Action";
  params[n++] = "AssumeRole";
  params[n++] = "RoleArn";
  params[n++] = self->role_arn;
  params[n++] = "RoleSessionName";
  params[n++] = name;
  if (self->external_id) {
    params[n++] = "ExternalId";
    params[n++] = self->external_id;
  }
  if (self->duration_s) {
    duration = g_strdup_printf ("%u", self->duration_s);
    params[n++] = "DurationSeconds";
    params[n++] = duration;
  }
  params[n] = NULL;
  gst_kvs_sts_provider_call (GST_KVS_STS_PROVIDER (self), task, params, src,
      source, what);
}

static void
gst_kvs_assume_role_provider_fetch (GstKvsCredentialsProvider * provider,
    GTask * task)
{
  GstKvsAssumeRoleProvider *self = GST_KVS_ASSUME_ROLE_PROVIDER (provider);

  gst_kvs_credentials_provider_fetch_async (self->source,
      g_task_get_cancellable (task), on_source, task);
}

static void
gst_kvs_assume_role_provider_finalize (GObject * object)
{
  GstKvsAssumeRoleProvider *self = GST_KVS_ASSUME_ROLE_PROVIDER (object);

  g_clear_object (&self->source);
  g_free (self->role_arn);
  g_free (self->session_name);
  g_free (self->external_id);
  G_OBJECT_CLASS (gst_kvs_assume_role_provider_parent_class)->finalize (object);
}

static void
gst_kvs_assume_role_provider_class_init (GstKvsAssumeRoleProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_assume_role_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_assume_role_provider_fetch;
}

static void
gst_kvs_assume_role_provider_init (GstKvsAssumeRoleProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_assume_role_provider_new (GstKvsCredentialsProvider * source,
    const gchar * role_arn, const gchar * session_name,
    const gchar * external_id, guint duration_s, const gchar * profile)
{
  GstKvsAssumeRoleProvider *self;

  g_return_val_if_fail (GST_KVS_IS_CREDENTIALS_PROVIDER (source), NULL);
  g_return_val_if_fail (role_arn != NULL, NULL);
  self = g_object_new (GST_KVS_TYPE_ASSUME_ROLE_PROVIDER, "name",
      "assume role", NULL);
  self->source = g_object_ref (source);
  self->role_arn = g_strdup (role_arn);
  self->session_name = g_strdup (session_name);
  self->external_id = g_strdup (external_id);
  self->duration_s = duration_s;
  gst_kvs_sts_provider_set_profile (GST_KVS_STS_PROVIDER (self), profile);
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
