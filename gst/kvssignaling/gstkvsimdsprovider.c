/* kvssignaling: EC2 instance role credentials through IMDSv2.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsimdsprovider.h"
#include "gstkvscredentialsutil.h"
#include "gstkvsawsconfig.h"

#define IMDS_DEFAULT "http://169.254.169.254"
#define TIMEOUT_MS 1000
#define TOKEN_TTL "21600"
#define CREDS_PATH "/latest/meta-data/iam/security-credentials/"

struct _GstKvsImdsProvider
{
  GstKvsCredentialsProvider parent;
  gchar *profile;
  gboolean required;
  SoupSession *session;
};

G_DEFINE_TYPE (GstKvsImdsProvider, gst_kvs_imds_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

typedef enum
{
  STEP_TOKEN,
  STEP_ROLE,
  STEP_CREDENTIALS,
} Step;

typedef struct
{
  Step step;
  gchar *endpoint;
  gchar *token;
  gchar *role;
  SoupMessage *msg;
} Fetch;

static void
fetch_free (Fetch * f)
{
  g_free (f->endpoint);
  if (f->token) {
    memset (f->token, 0, strlen (f->token));
    g_free (f->token);
  }
  g_free (f->role);
  g_clear_object (&f->msg);
  g_free (f);
}

static const gchar *
step_name (Step step)
{
  switch (step) {
    case STEP_TOKEN:
      return "PUT /latest/api/token";
    case STEP_ROLE:
      return "GET " CREDS_PATH;
    default:
      return "GET " CREDS_PATH "<role>";
  }
}

static void send_step (GTask * task);

static void
on_reply (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GstKvsImdsProvider *self = g_task_get_source_object (task);
  Fetch *f = g_task_get_task_data (task);
  g_autoptr (GError) err = NULL;
  g_autoptr (GBytes) body = gst_kvs_credentials_http_send_finish (result, &err);
  g_autofree gchar *what = g_strdup_printf ("IMDS (%s %s)", f->endpoint,
      step_name (f->step));
  guint status;
  gsize len = 0;
  const gchar *data;

  if (body == NULL) {
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_task_return_error (task, g_steal_pointer (&err));
    else
      g_task_return_new_error (task, GST_KVS_ERROR,
          (self->required || f->step != STEP_TOKEN) ?
          GST_KVS_ERROR_CREDENTIALS_SOURCE : GST_KVS_ERROR_NO_CREDENTIALS,
          "%s: IMDS unreachable: %s", what, err->message);
    return;
  }
  status = soup_message_get_status (f->msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    GError *error = gst_kvs_credentials_http_error (f->msg, body, what);

    if (f->step == STEP_ROLE && status == SOUP_STATUS_NOT_FOUND)
      g_prefix_error (&error, "IMDS: the instance has no IAM role: ");
    g_task_return_error (task, error);
    return;
  }
  data = g_bytes_get_data (body, &len);
  switch (f->step) {
    case STEP_TOKEN:
      f->token = g_strstrip (g_strndup (data ? data : "", len));
      if (*f->token == '\0' || strchr (f->token, '\n')) {
        g_task_return_new_error (task, GST_KVS_ERROR,
            GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: the token reply is not "
            "a token", what);
        return;
      }
      f->step = STEP_ROLE;
      send_step (g_steal_pointer (&task));
      return;
    case STEP_ROLE:{
      gchar *nl;

      f->role = g_strstrip (g_strndup (data ? data : "", len));
      if ((nl = strchr (f->role, '\n')))
        *nl = '\0';
      g_strstrip (f->role);
      if (*f->role == '\0' || strchr (f->role, '/')) {
        g_task_return_new_error (task, GST_KVS_ERROR,
            GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: no IAM role name in the "
            "reply", what);
        return;
      }
      f->step = STEP_CREDENTIALS;
      send_step (g_steal_pointer (&task));
      return;
    }
    case STEP_CREDENTIALS:{
      GError *error = NULL;
      g_autoptr (JsonObject) obj = gst_kvs_json_object_from_bytes (body, what,
          &error);
      g_autofree gchar *source = NULL;
      GstKvsCredentials *creds;
      const gchar *code;

      if (obj == NULL) {
        g_task_return_error (task, error);
        return;
      }
      code = json_object_has_member (obj, "Code")
          && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "Code")) ?
          json_object_get_string_member (obj, "Code") : NULL;
      if (code && strcmp (code, "Success") != 0) {
        g_task_return_new_error (task, GST_KVS_ERROR,
            GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: Code is %s, not Success",
            what, code);
        return;
      }
      source = g_strdup_printf ("IMDS (instance role %s)", f->role);
      creds = gst_kvs_credentials_from_json (obj, "AccessKeyId",
          "SecretAccessKey", "Token", "Expiration", FALSE, source, what,
          &error);
      gst_kvs_credentials_task_return (task, creds, error);
      return;
    }
  }
}

static void
send_step (GTask * task)
{
  GstKvsImdsProvider *self = g_task_get_source_object (task);
  Fetch *f = g_task_get_task_data (task);
  g_autofree gchar *url = NULL, *role = NULL;
  SoupMessageHeaders *h;

  switch (f->step) {
    case STEP_TOKEN:
      url = g_strconcat (f->endpoint, "/latest/api/token", NULL);
      break;
    case STEP_ROLE:
      url = g_strconcat (f->endpoint, CREDS_PATH, NULL);
      break;
    default:
      role = g_uri_escape_string (f->role, NULL, FALSE);
      url = g_strconcat (f->endpoint, CREDS_PATH, role, NULL);
      break;
  }
  g_clear_object (&f->msg);
  f->msg = soup_message_new (f->step == STEP_TOKEN ? "PUT" : "GET", url);
  if (f->msg == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "IMDS: the endpoint %s is not a "
        "URL (AWS_EC2_METADATA_SERVICE_ENDPOINT or "
        "ec2_metadata_service_endpoint)", f->endpoint);
    g_object_unref (task);
    return;
  }
  h = soup_message_get_request_headers (f->msg);
  if (f->step == STEP_TOKEN)
    soup_message_headers_replace (h, "X-aws-ec2-metadata-token-ttl-seconds",
        TOKEN_TTL);
  else
    soup_message_headers_replace (h, "X-aws-ec2-metadata-token", f->token);
  gst_kvs_credentials_http_send_async (self->session, f->msg, TIMEOUT_MS,
      g_task_get_cancellable (task), on_reply, task);
}

static void
gst_kvs_imds_provider_fetch (GstKvsCredentialsProvider * provider, GTask * task)
{
  GstKvsImdsProvider *self = GST_KVS_IMDS_PROVIDER (provider);
  const gchar *disabled = gst_kvs_env_get ("AWS_EC2_METADATA_DISABLED");
  const gchar *env = gst_kvs_env_get ("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  g_autofree gchar *profile_endpoint = NULL;
  Fetch *f;
  gsize len;

  if (disabled && g_ascii_strcasecmp (disabled, "true") == 0) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_NO_CREDENTIALS, "IMDS: disabled by "
        "AWS_EC2_METADATA_DISABLED=true");
    g_object_unref (task);
    return;
  }
  if (env == NULL)
    profile_endpoint = gst_kvs_aws_config_file_get (self->profile,
        "ec2_metadata_service_endpoint");
  f = g_new0 (Fetch, 1);
  g_task_set_task_data (task, f, (GDestroyNotify) fetch_free);
  f->endpoint = g_strdup (env ? env : profile_endpoint ? profile_endpoint :
      IMDS_DEFAULT);
  len = strlen (f->endpoint);
  while (len > 0 && f->endpoint[len - 1] == '/')
    f->endpoint[--len] = '\0';
  f->step = STEP_TOKEN;
  if (self->session == NULL)
    self->session = gst_kvs_credentials_session_new (1, NULL, NULL);
  send_step (task);
}

static void
gst_kvs_imds_provider_finalize (GObject * object)
{
  GstKvsImdsProvider *self = GST_KVS_IMDS_PROVIDER (object);

  g_free (self->profile);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (gst_kvs_imds_provider_parent_class)->finalize (object);
}

static void
gst_kvs_imds_provider_class_init (GstKvsImdsProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_imds_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_imds_provider_fetch;
}

static void
gst_kvs_imds_provider_init (GstKvsImdsProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_imds_provider_new (const gchar * profile, gboolean required)
{
  GstKvsImdsProvider *self = g_object_new (GST_KVS_TYPE_IMDS_PROVIDER,
      "name", "IMDS", NULL);

  self->profile = g_strdup (profile);
  self->required = required;
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
