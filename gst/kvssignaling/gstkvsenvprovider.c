/* kvssignaling: credentials from the environment.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsenvprovider.h"
#include "gstkvscredentialsutil.h"

struct _GstKvsEnvProvider
{
  GstKvsCredentialsProvider parent;
};

G_DEFINE_TYPE (GstKvsEnvProvider, gst_kvs_env_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

static void
gst_kvs_env_provider_fetch (GstKvsCredentialsProvider * provider, GTask * task)
{
  const gchar *akid = gst_kvs_env_get ("AWS_ACCESS_KEY_ID");
  const gchar *secret = gst_kvs_env_get ("AWS_SECRET_ACCESS_KEY");
  const gchar *expiry = gst_kvs_env_get ("AWS_CREDENTIAL_EXPIRATION");
  gint64 expiration = 0;

  if (akid && secret) {
    if (expiry && !gst_kvs_parse_time (expiry, &expiration)) {
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "environment: "
          "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time such as "
          "2026-12-07T10:00:00Z");
    } else {
      g_task_return_pointer (task, gst_kvs_credentials_new_full (akid, secret,
              gst_kvs_env_get ("AWS_SESSION_TOKEN"), expiration,
              "environment"), (GDestroyNotify) gst_kvs_credentials_unref);
    }
  } else if (akid || secret) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "Incomplete credentials in the "
        "environment: %s is set but %s is not set",
        akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
        akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
  } else {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_NO_CREDENTIALS, "environment: AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY not set");
  }
  g_object_unref (task);
}

static void
gst_kvs_env_provider_class_init (GstKvsEnvProviderClass * klass)
{
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_env_provider_fetch;
}

static void
gst_kvs_env_provider_init (GstKvsEnvProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_env_provider_new (void)
{
  return g_object_new (GST_KVS_TYPE_ENV_PROVIDER, "name", "environment", NULL);
}
