/* kvssignaling: AWS IoT credentials provider.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsiotprovider.h"
#include "gstkvscredentialsutil.h"
#include "gstkvstls.h"

#define TIMEOUT_MS 10000

struct _GstKvsIotProvider
{
  GstKvsCredentialsProvider parent;
  gchar *endpoint, *cert_file, *key_file, *role_alias, *thing_name, *ca_file;
  SoupSession *session;
  gchar *session_ca;            /* the CA file the session was made with */
};

G_DEFINE_TYPE (GstKvsIotProvider, gst_kvs_iot_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

typedef struct
{
  SoupMessage *msg;
  gchar *what;
  gchar *source;
  gchar *cert_file;
} Req;

static void
req_free (Req * r)
{
  g_clear_object (&r->msg);
  g_free (r->what);
  g_free (r->source);
  g_free (r->cert_file);
  g_free (r);
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
  GstKvsCredentials *creds = NULL;
  JsonNode *c;

  if (body == NULL) {
    GError *tls_error;

    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_task_return_error (task, g_steal_pointer (&err));
    } else if ((tls_error = gst_kvs_tls_error_new (r->msg, err, r->what))) {
      tls_error->domain = GST_KVS_ERROR;
      tls_error->code = GST_KVS_ERROR_CREDENTIALS_SOURCE;
      g_task_return_error (task, tls_error);
    } else {
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: %s (when the service ends "
          "the TLS handshake, it refused the device certificate %s: it must "
          "be issued by AWS IoT or a registered CA, active, and attached to "
          "the thing)", r->what, err->message, r->cert_file);
    }
    return;
  }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (r->msg))) {
    g_task_return_error (task, gst_kvs_credentials_http_error (r->msg, body,
            r->what));
    return;
  }
  obj = gst_kvs_json_object_from_bytes (body, r->what, &error);
  if (obj) {
    c = json_object_get_member (obj, "credentials");
    if (c == NULL || !JSON_NODE_HOLDS_OBJECT (c))
      g_set_error (&error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
          "%s: the reply has no credentials object", r->what);
    else
      creds = gst_kvs_credentials_from_json (json_node_get_object (c),
          "accessKeyId", "secretAccessKey", "sessionToken", "expiration",
          FALSE, r->source, r->what, &error);
  }
  gst_kvs_credentials_task_return (task, creds, error);
}

static const gchar *
setting (const gchar * value, const gchar * env)
{
  return value ? value : gst_kvs_env_get (env);
}

static void
fail (GTask * task, const gchar * format, ...)
G_GNUC_PRINTF (2, 3);

     static void fail (GTask * task, const gchar * format, ...)
{
  va_list args;
  gchar *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_task_return_new_error (task, GST_KVS_ERROR,
      GST_KVS_ERROR_CREDENTIALS_SOURCE, "AWS IoT: %s", text);
  g_free (text);
  g_object_unref (task);
}

static gboolean
readable (GTask * task, const gchar * path, const gchar * what,
    const gchar * env)
{
  g_autofree gchar *contents = NULL;
  g_autoptr (GError) err = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &err)) {
    fail (task, "cannot read the %s %s (%s): %s", what, path, env,
        err->message);
    return FALSE;
  }
  memset (contents, 0, len);
  return TRUE;
}

static void
gst_kvs_iot_provider_fetch (GstKvsCredentialsProvider * provider, GTask * task)
{
  GstKvsIotProvider *self = GST_KVS_IOT_PROVIDER (provider);
  const gchar *endpoint = setting (self->endpoint,
      "AWS_IOT_CORE_CREDENTIAL_ENDPOINT");
  const gchar *cert_file = setting (self->cert_file, "AWS_IOT_CORE_CERT");
  const gchar *key_file = setting (self->key_file,
      "AWS_IOT_CORE_PRIVATE_KEY");
  const gchar *alias = setting (self->role_alias, "AWS_IOT_CORE_ROLE_ALIAS");
  const gchar *thing = setting (self->thing_name, "AWS_IOT_CORE_THING_NAME");
  const gchar *ca_file = setting (self->ca_file, "AWS_KVS_CACERT_PATH");
  g_autoptr (GString) missing = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *url = NULL, *alias_escaped = NULL;
  Req *r;

  if (endpoint == NULL && alias == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_NO_CREDENTIALS, "AWS IoT: no credential endpoint and "
        "role alias (AWS_IOT_CORE_CREDENTIAL_ENDPOINT, "
        "AWS_IOT_CORE_ROLE_ALIAS)");
    g_object_unref (task);
    return;
  }
  missing = g_string_new (NULL);
  if (endpoint == NULL)
    g_string_append (missing, ", the credential endpoint "
        "(AWS_IOT_CORE_CREDENTIAL_ENDPOINT)");
  if (alias == NULL)
    g_string_append (missing, ", the role alias (AWS_IOT_CORE_ROLE_ALIAS)");
  if (cert_file == NULL)
    g_string_append (missing, ", the certificate (AWS_IOT_CORE_CERT)");
  if (key_file == NULL)
    g_string_append (missing, ", the private key "
        "(AWS_IOT_CORE_PRIVATE_KEY)");
  if (thing == NULL)
    g_string_append (missing, ", the thing name (AWS_IOT_CORE_THING_NAME)");
  if (missing->len) {
    fail (task, "incomplete settings: missing %s", missing->str + 2);
    return;
  }
  if (!readable (task, cert_file, "certificate file", "AWS_IOT_CORE_CERT")
      || !readable (task, key_file, "private key file",
          "AWS_IOT_CORE_PRIVATE_KEY"))
    return;
  cert = g_tls_certificate_new_from_files (cert_file, key_file, &err);
  if (cert == NULL) {
    fail (task, "the certificate %s and private key %s do not make a TLS "
        "client certificate (PEM certificate and matching key expected): %s",
        cert_file, key_file, err->message);
    return;
  }
  if (self->session == NULL || g_strcmp0 (self->session_ca, ca_file) != 0) {
    g_clear_object (&self->session);
    self->session = gst_kvs_credentials_session_new (TIMEOUT_MS / 1000,
        ca_file, &err);
    if (self->session == NULL) {
      fail (task, "%s (AWS_KVS_CACERT_PATH or ca-file)", err->message);
      return;
    }
    g_free (self->session_ca);
    self->session_ca = g_strdup (ca_file);
  }

  alias_escaped = g_uri_escape_string (alias, NULL, FALSE);
  url = g_strdup_printf ("%s%s/role-aliases/%s/credentials",
      strstr (endpoint, "://") ? "" : "https://", endpoint, alias_escaped);
  r = g_new0 (Req, 1);
  g_task_set_task_data (task, r, (GDestroyNotify) req_free);
  r->msg = soup_message_new ("GET", url);
  if (r->msg == NULL) {
    fail (task, "the credential endpoint %s does not make a URL", endpoint);
    return;
  }
  r->what = g_strdup_printf ("AWS IoT (%s, role alias %s, thing %s)",
      endpoint, alias, thing);
  r->source = g_strdup_printf ("AWS IoT (role alias %s, thing %s)", alias,
      thing);
  r->cert_file = g_strdup (cert_file);
  gst_kvs_tls_watch (r->msg);
  soup_message_headers_replace (soup_message_get_request_headers (r->msg),
      "x-amzn-iot-thingname", thing);
  soup_message_set_tls_client_certificate (r->msg, cert);
  gst_kvs_credentials_http_send_async (self->session, r->msg, TIMEOUT_MS,
      g_task_get_cancellable (task), on_reply, task);
}

static void
gst_kvs_iot_provider_finalize (GObject * object)
{
  GstKvsIotProvider *self = GST_KVS_IOT_PROVIDER (object);

  g_free (self->endpoint);
  g_free (self->cert_file);
  g_free (self->key_file);
  g_free (self->role_alias);
  g_free (self->thing_name);
  g_free (self->ca_file);
  g_free (self->session_ca);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (gst_kvs_iot_provider_parent_class)->finalize (object);
}

static void
gst_kvs_iot_provider_class_init (GstKvsIotProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_iot_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_iot_provider_fetch;
}

static void
gst_kvs_iot_provider_init (GstKvsIotProvider * self)
{
}

static gchar *
non_empty (const gchar * s)
{
  return s && *s ? g_strdup (s) : NULL;
}

GstKvsCredentialsProvider *
gst_kvs_iot_provider_new (const gchar * endpoint, const gchar * cert_file,
    const gchar * key_file, const gchar * role_alias,
    const gchar * thing_name, const gchar * ca_file)
{
  GstKvsIotProvider *self = g_object_new (GST_KVS_TYPE_IOT_PROVIDER, "name",
      "AWS IoT", NULL);

  self->endpoint = non_empty (endpoint);
  self->cert_file = non_empty (cert_file);
  self->key_file = non_empty (key_file);
  self->role_alias = non_empty (role_alias);
  self->thing_name = non_empty (thing_name);
  self->ca_file = non_empty (ca_file);
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
