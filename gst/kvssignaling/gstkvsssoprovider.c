/* kvssignaling: AWS IAM Identity Center (SSO) credentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsssoprovider.h"
#include "gstkvscredentialsutil.h"
#include "gstkvsendpoints.h"

struct _GstKvsSsoProvider
{
  GstKvsCredentialsProvider parent;
  gchar *sso_session, *start_url, *sso_region, *account_id, *role_name;
  gchar *profile;
  SoupSession *session;
};

G_DEFINE_TYPE (GstKvsSsoProvider, gst_kvs_sso_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

gchar *
gst_kvs_sso_cache_file (const gchar * sso_session, const gchar * start_url)
{
  const gchar *key = sso_session ? sso_session : start_url;
  const gchar *home = gst_kvs_env_get ("HOME");
  g_autofree gchar *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1,
      key, -1);
  g_autofree gchar *name = g_strconcat (sha1, ".json", NULL);

  return g_build_filename (home ? home : g_get_home_dir (), ".aws", "sso",
      "cache", name, NULL);
}

static gchar *
login_hint (GstKvsSsoProvider * self)
{
  return self->profile && strcmp (self->profile, "default") != 0 ?
      g_strdup_printf ("run aws sso login --profile %s", self->profile) :
      g_strdup ("run aws sso login");
}

static void
on_reply (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GstKvsSsoProvider *self = g_task_get_source_object (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION
      (object), result);
  g_autoptr (GError) err = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION
      (object), result, &err);
  g_autoptr (JsonObject) obj = NULL;
  g_autofree gchar *what = g_strdup_printf ("SSO (GetRoleCredentials, "
      "account %s, role %s)", self->account_id, self->role_name);
  g_autofree gchar *source = g_strdup_printf ("SSO (account %s, role %s)",
      self->account_id, self->role_name);
  GError *error = NULL;
  GstKvsCredentials *creds;
  JsonNode *rc;

  if (body == NULL) {
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_task_return_error (task, g_steal_pointer (&err));
    else
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: %s", what, err->message);
    return;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg))) {
    error = gst_kvs_credentials_http_error (msg, body, what);
    if (soup_message_get_status (msg) == SOUP_STATUS_UNAUTHORIZED) {
      g_autofree gchar *hint = login_hint (self);

      g_prefix_error (&error, "The SSO token was refused (%s): ", hint);
    }
    g_task_return_error (task, error);
    return;
  }
  obj = gst_kvs_json_object_from_bytes (body, what, &error);
  if (obj == NULL) {
    g_task_return_error (task, error);
    return;
  }
  rc = json_object_get_member (obj, "roleCredentials");
  if (rc == NULL || !JSON_NODE_HOLDS_OBJECT (rc)) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: the reply has no "
        "roleCredentials object", what);
    return;
  }
  creds = gst_kvs_credentials_from_json (json_node_get_object (rc),
      "accessKeyId", "secretAccessKey", "sessionToken", "expiration", TRUE,
      source, what, &error);
  gst_kvs_credentials_task_return (task, creds, error);
}

static void
gst_kvs_sso_provider_fetch (GstKvsCredentialsProvider * provider, GTask * task)
{
  GstKvsSsoProvider *self = GST_KVS_SSO_PROVIDER (provider);
  g_autofree gchar *cache = gst_kvs_sso_cache_file (self->sso_session,
      self->start_url);
  g_autofree gchar *contents = NULL, *hint = login_hint (self);
  g_autofree gchar *endpoint = NULL, *url = NULL, *expires = NULL;
  g_autofree gchar *acct = NULL, *role = NULL;
  g_autoptr (GError) err = NULL;
  g_autoptr (JsonObject) obj = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  const gchar *token;
  gint64 expiration = 0;
  gsize len = 0;

  if (!g_file_get_contents (cache, &contents, &len, &err)) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "SSO (profile %s): no SSO token: "
        "cannot read the token cache %s (%s): %s", self->profile, cache,
        err->message, hint);
    g_object_unref (task);
    return;
  }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  obj = gst_kvs_json_object_from_bytes (bytes, cache, &err);
  if (obj && json_object_has_member (obj, "accessToken")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "accessToken"))
      && json_object_has_member (obj, "expiresAt")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "expiresAt"))) {
    token = json_object_get_string_member (obj, "accessToken");
    expires = g_strdup (json_object_get_string_member (obj, "expiresAt"));
  } else {
    token = NULL;
  }
  if (token == NULL || *token == '\0' || expires == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "SSO (profile %s): the token "
        "cache %s has no accessToken and expiresAt: %s", self->profile,
        cache, hint);
    g_object_unref (task);
    return;
  }
  if (g_str_has_suffix (expires, "UTC"))
    strcpy (expires + strlen (expires) - 3, "Z");
  if (!gst_kvs_parse_time (expires, &expiration)) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "SSO (profile %s): the expiresAt "
        "of %s is not a time: %s", self->profile, cache, hint);
    g_object_unref (task);
    return;
  }
  if (expiration <= g_get_real_time () / G_USEC_PER_SEC) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "SSO (profile %s): the SSO token "
        "in %s expired at %s: %s", self->profile, cache, expires, hint);
    g_object_unref (task);
    return;
  }

  endpoint = gst_kvs_endpoint_resolve (GST_KVS_AWS_SERVICE_SSO, NULL,
      self->sso_region, self->profile, NULL);
  acct = g_uri_escape_string (self->account_id, NULL, FALSE);
  role = g_uri_escape_string (self->role_name, NULL, FALSE);
  url = g_strdup_printf ("%s/federation/credentials?role_name=%s&"
      "account_id=%s", endpoint, role, acct);
  msg = soup_message_new ("GET", url);
  if (msg == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "SSO (profile %s): the portal "
        "endpoint %s is not a URL", self->profile, endpoint);
    g_object_unref (task);
    return;
  }
  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "x-amz-sso_bearer_token", token);
  if (!gst_kvs_credentials_task_session (task, &self->session, 10))
    return;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
      g_task_get_cancellable (task), on_reply, task);
  memset ((gpointer) g_bytes_get_data (bytes, NULL), 0, len);
}

static void
gst_kvs_sso_provider_finalize (GObject * object)
{
  GstKvsSsoProvider *self = GST_KVS_SSO_PROVIDER (object);

  g_free (self->sso_session);
  g_free (self->start_url);
  g_free (self->sso_region);
  g_free (self->account_id);
  g_free (self->role_name);
  g_free (self->profile);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (gst_kvs_sso_provider_parent_class)->finalize (object);
}

static void
gst_kvs_sso_provider_class_init (GstKvsSsoProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_sso_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_sso_provider_fetch;
}

static void
gst_kvs_sso_provider_init (GstKvsSsoProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_sso_provider_new (const gchar * sso_session, const gchar * start_url,
    const gchar * sso_region, const gchar * account_id,
    const gchar * role_name, const gchar * profile)
{
  GstKvsSsoProvider *self = g_object_new (GST_KVS_TYPE_SSO_PROVIDER, "name",
      "SSO", NULL);

  self->sso_session = g_strdup (sso_session);
  self->start_url = g_strdup (start_url);
  self->sso_region = g_strdup (sso_region);
  self->account_id = g_strdup (account_id);
  self->role_name = g_strdup (role_name);
  self->profile = g_strdup (profile ? profile : "default");
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
