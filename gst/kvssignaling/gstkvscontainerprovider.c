/* kvssignaling: container credentials (ECS, EKS Pod Identity).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvscontainerprovider.h"
#include "gstkvscredentialsutil.h"

#define ECS_HOST "http://169.254.170.2"
#define TIMEOUT_MS 2000

struct _GstKvsContainerProvider
{
  GstKvsCredentialsProvider parent;
  SoupSession *session;
};

G_DEFINE_TYPE (GstKvsContainerProvider, gst_kvs_container_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

typedef struct
{
  SoupMessage *msg;
  gchar *what;
} Req;

static void
req_free (Req * r)
{
  g_clear_object (&r->msg);
  g_free (r->what);
  g_free (r);
}

static gboolean
host_allowed (GUri * uri)
{
  const gchar *host = g_uri_get_host (uri);
  g_autoptr (GInetAddress) addr = NULL;

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    return TRUE;
  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  addr = g_inet_address_new_from_string (host);
  if (addr == NULL)
    return FALSE;
  if (g_inet_address_get_is_loopback (addr))
    return TRUE;
  return strcmp (host, "169.254.170.2") == 0
      || strcmp (host, "169.254.170.23") == 0
      || g_ascii_strcasecmp (host, "fd00:ec2::23") == 0;
}

static void
on_reply (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Req *r = g_task_get_task_data (task);
  g_autoptr (GError) err = NULL;
  g_autoptr (GBytes) body = gst_kvs_credentials_http_send_finish (result, &err);
  g_autoptr (JsonObject) obj = NULL;
  GError *error = NULL;
  GstKvsCredentials *creds;

  if (body == NULL) {
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_task_return_error (task, g_steal_pointer (&err));
    else
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: unreachable: %s", r->what,
          err->message);
    return;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (r->msg))) {
    g_task_return_error (task, gst_kvs_credentials_http_error (r->msg, body,
            r->what));
    return;
  }
  obj = gst_kvs_json_object_from_bytes (body, r->what, &error);
  creds = obj ? gst_kvs_credentials_from_json (obj, "AccessKeyId",
      "SecretAccessKey", "Token", "Expiration", FALSE, "container", r->what,
      &error) : NULL;
  gst_kvs_credentials_task_return (task, creds, error);
}

static void
fail (GTask * task, gint code, const gchar * format, ...)
G_GNUC_PRINTF (3, 4);

     static void fail (GTask * task, gint code, const gchar * format, ...)
{
  va_list args;
  gchar *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_task_return_new_error (task, GST_KVS_ERROR, code, "%s", text);
  g_free (text);
  g_object_unref (task);
}

static void
gst_kvs_container_provider_fetch (GstKvsCredentialsProvider * provider,
    GTask * task)
{
  GstKvsContainerProvider *self = GST_KVS_CONTAINER_PROVIDER (provider);
  const gchar *relative = gst_kvs_env_get
      ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const gchar *full = gst_kvs_env_get ("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  const gchar *token_file =
      gst_kvs_env_get ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  const gchar *token_env = gst_kvs_env_get
      ("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  const gchar *var = relative ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" :
      "AWS_CONTAINER_CREDENTIALS_FULL_URI";
  g_autofree gchar *url = NULL, *token = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) err = NULL;
  Req *r;

  if (relative == NULL && full == NULL) {
    fail (task, GST_KVS_ERROR_NO_CREDENTIALS, "container: "
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
        "AWS_CONTAINER_CREDENTIALS_FULL_URI not set");
    return;
  }
  url = relative ? g_strconcat (ECS_HOST, relative[0] == '/' ? "" : "/",
      relative, NULL) : g_strdup (full);
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &err);
  if (uri == NULL || g_uri_get_host (uri) == NULL
      || (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") != 0
          && g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0)) {
    fail (task, GST_KVS_ERROR_CREDENTIALS_SOURCE, "container: %s does not "
        "make an http or https URL", var);
    return;
  }
  if (!relative && !host_allowed (uri)) {
    fail (task, GST_KVS_ERROR_CREDENTIALS_SOURCE, "container: "
        "AWS_CONTAINER_CREDENTIALS_FULL_URI %s is neither https nor a "
        "loopback or ECS/EKS agent address", full);
    return;
  }
  if (token_file) {
    gsize len;

    if (!g_file_get_contents (token_file, &token, &len, &err)) {
      fail (task, GST_KVS_ERROR_CREDENTIALS_SOURCE, "container: cannot read "
          "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s", token_file,
          err->message);
      return;
    }
    g_strstrip (token);
  } else if (token_env) {
    token = g_strdup (token_env);
  }
  if (token && (strchr (token, '\r') || strchr (token, '\n'))) {
    fail (task, GST_KVS_ERROR_CREDENTIALS_SOURCE, "container: the "
        "authorization token (%s) has a line break",
        token_file ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" :
        "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    return;
  }

  r = g_new0 (Req, 1);
  g_task_set_task_data (task, r, (GDestroyNotify) req_free);
  r->what = g_strdup_printf ("container credentials (%s %s)", var, url);
  r->msg = soup_message_new_from_uri ("GET", uri);
  soup_message_headers_replace (soup_message_get_request_headers (r->msg),
      "Accept", "application/json");
  if (token && *token)
    soup_message_headers_replace (soup_message_get_request_headers (r->msg),
        "Authorization", token);
  if (!gst_kvs_credentials_task_session (task, &self->session, 2))
    return;
  gst_kvs_credentials_http_send_async (self->session, r->msg, TIMEOUT_MS,
      g_task_get_cancellable (task), on_reply, task);
  if (token)
    memset (token, 0, strlen (token));
}

static void
gst_kvs_container_provider_finalize (GObject * object)
{
  g_clear_object (&GST_KVS_CONTAINER_PROVIDER (object)->session);
  G_OBJECT_CLASS (gst_kvs_container_provider_parent_class)->finalize (object);
}

static void
gst_kvs_container_provider_class_init (GstKvsContainerProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_container_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_container_provider_fetch;
}

static void
gst_kvs_container_provider_init (GstKvsContainerProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_container_provider_new (void)
{
  return g_object_new (GST_KVS_TYPE_CONTAINER_PROVIDER, "name", "container",
      NULL);
}
