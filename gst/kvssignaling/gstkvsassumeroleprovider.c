/* kvssignaling: STS AssumeRole, signed with a source provider's
 * credentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsassumeroleprovider.h"
#include "gstkvscredentialsutil.h"
#include "gstkvsawsconfig.h"
#include "gstkvsendpoints.h"
#include "gstkvssts.h"

struct _GstKvsAssumeRoleProvider
{
  GstKvsCredentialsProvider parent;
  GstKvsCredentialsProvider *source;
  gchar *role_arn, *session_name, *external_id, *profile;
  guint duration_s;
  SoupSession *session;
};

G_DEFINE_TYPE (GstKvsAssumeRoleProvider, gst_kvs_assume_role_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

static void
on_sts (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  GstKvsCredentials *creds = gst_kvs_sts_call_finish (result, &error);

  if (creds)
    g_task_return_pointer (task, creds,
        (GDestroyNotify) gst_kvs_credentials_unref);
  else
    g_task_return_error (task, error);
}

static void
on_source (GObject * object, GAsyncResult * result, gpointer user_data)
{
  GTask *task = user_data;
  GstKvsAssumeRoleProvider *self = g_task_get_source_object (task);
  g_autoptr (GError) err = NULL;
  g_autoptr (GstKvsCredentials) src = NULL;
  g_autofree gchar *region = NULL, *endpoint = NULL, *what = NULL;
  g_autofree gchar *source = NULL, *name = NULL, *duration = NULL;
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
  if (self->session_name == NULL)
    name = g_strdup_printf ("kvssignaling-%" G_GINT64_FORMAT,
        g_get_real_time () / G_USEC_PER_SEC);
  params[n++] = "Action";
  params[n++] = "AssumeRole";
  params[n++] = "RoleArn";
  params[n++] = self->role_arn;
  params[n++] = "RoleSessionName";
  params[n++] = self->session_name ? self->session_name : name;
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
  region = gst_kvs_aws_resolve_region (NULL, self->profile);
  endpoint = gst_kvs_endpoint_resolve (GST_KVS_AWS_SERVICE_STS, NULL, region,
      self->profile, NULL);
  if (self->session == NULL) {
    GError *serr = NULL;

    self->session = gst_kvs_credentials_session_new (10, NULL, &serr);
    if (self->session == NULL) {
      g_prefix_error (&serr, "%s: ",
          gst_kvs_credentials_provider_get_name
          (GST_KVS_CREDENTIALS_PROVIDER (self)));
      serr->domain = GST_KVS_ERROR;
      serr->code = GST_KVS_ERROR_CREDENTIALS_SOURCE;
      g_task_return_error (task, serr);
      g_object_unref (task);
      return;
    }
  }
  gst_kvs_sts_call_async (self->session, endpoint, region, params, src,
      source, what, g_task_get_cancellable (task), on_sts, task);
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
  g_free (self->profile);
  g_clear_object (&self->session);
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
  self->profile = g_strdup (profile);
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
