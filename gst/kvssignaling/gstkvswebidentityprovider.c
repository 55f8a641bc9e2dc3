/* kvssignaling: web identity credentials (STS AssumeRoleWithWebIdentity).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvswebidentityprovider.h"
#include "gstkvscredentialsutil.h"
#include "gstkvsawsconfig.h"
#include "gstkvsendpoints.h"
#include "gstkvssts.h"

struct _GstKvsWebIdentityProvider
{
  GstKvsCredentialsProvider parent;
  gchar *token_file, *role_arn, *session_name, *profile;
  SoupSession *session;
};

G_DEFINE_TYPE (GstKvsWebIdentityProvider, gst_kvs_web_identity_provider,
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
gst_kvs_web_identity_provider_fetch (GstKvsCredentialsProvider * provider,
    GTask * task)
{
  GstKvsWebIdentityProvider *self = GST_KVS_WEB_IDENTITY_PROVIDER (provider);
  gboolean from_env = self->token_file == NULL;
  const gchar *token_file = from_env ?
      gst_kvs_env_get ("AWS_WEB_IDENTITY_TOKEN_FILE") : self->token_file;
  const gchar *role_arn = from_env ? gst_kvs_env_get ("AWS_ROLE_ARN") :
      self->role_arn;
  const gchar *session_name = from_env ?
      gst_kvs_env_get ("AWS_ROLE_SESSION_NAME") : self->session_name;
  const gchar *what_file = from_env ? "AWS_WEB_IDENTITY_TOKEN_FILE" :
      "web_identity_token_file";
  g_autofree gchar *token = NULL, *region = NULL, *endpoint = NULL;
  g_autofree gchar *default_name = NULL, *what = NULL, *source = NULL;
  g_autoptr (GError) err = NULL;
  gsize len = 0;

  if (token_file == NULL || role_arn == NULL) {
    if (token_file == NULL && role_arn == NULL)
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_NO_CREDENTIALS, "web identity: "
          "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set");
    else
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "web identity: %s is set but "
          "%s is not", token_file ? what_file : (from_env ? "AWS_ROLE_ARN" :
              "role_arn"), token_file ? (from_env ? "AWS_ROLE_ARN" :
              "role_arn") : what_file);
    g_object_unref (task);
    return;
  }
  what = g_strdup_printf ("web identity (STS AssumeRoleWithWebIdentity, "
      "role %s)", role_arn);
  if (!g_file_get_contents (token_file, &token, &len, &err)) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "web identity: cannot read the "
        "token file %s (%s): %s", token_file, what_file, err->message);
    g_object_unref (task);
    return;
  }
  g_strstrip (token);
  if (*token == '\0') {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "web identity: the token file %s "
        "(%s) is empty", token_file, what_file);
    g_object_unref (task);
    return;
  }
  if (session_name == NULL)
    session_name = default_name = g_strdup_printf ("kvssignaling-%"
        G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
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
  source = g_strdup_printf ("web identity (%s)", role_arn);
  {
    const gchar *params[] = { "Action", "AssumeRoleWithWebIdentity",
      "RoleArn", role_arn, "RoleSessionName", session_name,
      "WebIdentityToken", token, NULL
    };

    gst_kvs_sts_call_async (self->session, endpoint, region, params, NULL,
        source, what, g_task_get_cancellable (task), on_sts, task);
  }
  memset (token, 0, len);
}

static void
gst_kvs_web_identity_provider_finalize (GObject * object)
{
  GstKvsWebIdentityProvider *self = GST_KVS_WEB_IDENTITY_PROVIDER (object);

  g_free (self->token_file);
  g_free (self->role_arn);
  g_free (self->session_name);
  g_free (self->profile);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (gst_kvs_web_identity_provider_parent_class)->finalize
      (object);
}

static void
gst_kvs_web_identity_provider_class_init (GstKvsWebIdentityProviderClass *
    klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_web_identity_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_web_identity_provider_fetch;
}

static void
gst_kvs_web_identity_provider_init (GstKvsWebIdentityProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_web_identity_provider_new (const gchar * token_file,
    const gchar * role_arn, const gchar * session_name, const gchar * profile)
{
  GstKvsWebIdentityProvider *self =
      g_object_new (GST_KVS_TYPE_WEB_IDENTITY_PROVIDER, "name",
      "web identity", NULL);

  self->token_file = g_strdup (token_file);
  self->role_arn = g_strdup (role_arn);
  self->session_name = g_strdup (session_name);
  self->profile = g_strdup (profile);
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
