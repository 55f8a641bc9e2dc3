/* kvssignaling: web identity credentials (STS AssumeRoleWithWebIdentity).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvswebidentityprovider.h"
#include "gstkvscredentialsutil.h"

struct _GstKvsWebIdentityProvider
{
  GstKvsStsProvider parent;
  gchar *token_file, *role_arn, *session_name;
};

G_DEFINE_TYPE (GstKvsWebIdentityProvider, gst_kvs_web_identity_provider,
    GST_KVS_TYPE_STS_PROVIDER);

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
  g_autofree gchar *token = NULL, *name = NULL, *what = NULL, *source = NULL;
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
  name = gst_kvs_sts_session_name (session_name);
  source = g_strdup_printf ("web identity (%s)", role_arn);
  {
    const gchar *params[] = { "Action", "AssumeRoleWithWebIdentity",
      "RoleArn", role_arn, "RoleSessionName", name,
      "WebIdentityToken", token, NULL
    };

    gst_kvs_sts_provider_call (GST_KVS_STS_PROVIDER (self), task, params,
        NULL, source, what);
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
  gst_kvs_sts_provider_set_profile (GST_KVS_STS_PROVIDER (self), profile);
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
