/* kvssignaling: what the credentials providers share.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvscredentialsutil.h"
#include "gstkvsproxy.h"
#include "gstkvscredentialsprovider.h"

const gchar *
gst_kvs_env_get (const gchar * name)
{
  const gchar *v = g_getenv (name);

  return (v && *v) ? v : NULL;
}

gboolean
gst_kvs_parse_bool (const gchar * value, gboolean * out)
{
  if (value == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (value, "true") == 0) {
    *out = TRUE;
    return TRUE;
  }
  if (g_ascii_strcasecmp (value, "false") == 0) {
    *out = FALSE;
    return TRUE;
  }
  return FALSE;
}

gboolean
gst_kvs_parse_time (const gchar * text, gint64 * unix_seconds)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return FALSE;
  *unix_seconds = g_date_time_to_unix (dt);
  return TRUE;
}

static const gchar *
member_string (JsonObject * obj, const gchar * key)
{
  JsonNode *n = json_object_get_member (obj, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

GstKvsCredentials *
gst_kvs_credentials_from_json (JsonObject * obj, const gchar * akid_key,
    const gchar * secret_key, const gchar * token_key,
    const gchar * expiration_key, gboolean expiration_ms,
    const gchar * source, const gchar * what, GError ** error)
{
  const gchar *akid = member_string (obj, akid_key);
  const gchar *secret = member_string (obj, secret_key);
  const gchar *token = token_key ? member_string (obj, token_key) : NULL;
  gint64 expiration = 0;

  if (akid == NULL || *akid == '\0' || secret == NULL || *secret == '\0') {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: the reply has no %s string", what,
        (akid == NULL || *akid == '\0') ? akid_key : secret_key);
    return NULL;
  }
  if (expiration_key && json_object_has_member (obj, expiration_key)) {
    JsonNode *n = json_object_get_member (obj, expiration_key);
    gboolean ok = FALSE;

    if (expiration_ms && JSON_NODE_HOLDS_VALUE (n)
        && (json_node_get_value_type (n) == G_TYPE_INT64
            || json_node_get_value_type (n) == G_TYPE_DOUBLE)) {
      expiration = (gint64) (json_node_get_double (n) / 1000.0);
      if (json_node_get_value_type (n) == G_TYPE_INT64)
        expiration = json_node_get_int (n) / 1000;
      ok = expiration > 0;
    } else if (!expiration_ms) {
      ok = gst_kvs_parse_time (member_string (obj, expiration_key),
          &expiration);
    }
    if (!ok) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
          "%s: %s is not %s", what, expiration_key, expiration_ms ?
          "a number of milliseconds since 1970" :
          "an ISO 8601 time such as 2026-12-07T10:00:00Z");
      return NULL;
    }
  }
  return gst_kvs_credentials_new_full (akid, secret, token, expiration, source);
}

JsonObject *
gst_kvs_json_object_from_bytes (GBytes * body, const gchar * what,
    GError ** error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) err = NULL;
  gsize len = 0;
  const gchar *data = body ? g_bytes_get_data (body, &len) : NULL;
  JsonNode *root;

  if (data == NULL || len == 0) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: empty reply where a JSON object was expected", what);
    return NULL;
  }
  if (!json_parser_load_from_data (parser, data, len, &err)) {
    /* The parser's message may quote the text: it is not passed on. */
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: the reply is not JSON (%" G_GSIZE_FORMAT " bytes)", what, len);
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: the reply is not a JSON object", what);
    return NULL;
  }
  return json_object_ref (json_node_get_object (root));
}

/* The text of the first <@tag> element of @xml, unescaped; NULL if none. */
static gchar *
xml_element_text (const gchar * xml, gsize len, const gchar * tag)
{
  g_autofree gchar *open = g_strdup_printf ("<%s>", tag);
  g_autofree gchar *close = g_strdup_printf ("</%s>", tag);
  g_autofree gchar *text = g_strndup (xml, len);
  gchar *s = strstr (text, open), *e;

  if (s == NULL)
    return NULL;
  s += strlen (open);
  e = strstr (s, close);
  if (e == NULL)
    return NULL;
  *e = '\0';
  return g_strdup (s);
}

GError *
gst_kvs_credentials_http_error (SoupMessage * msg, GBytes * body,
    const gchar * what)
{
  guint status = soup_message_get_status (msg);
  const gchar *reason = soup_message_get_reason_phrase (msg);
  g_autofree gchar *code = NULL, *message = NULL;
  gsize len = 0;
  const gchar *data = body ? g_bytes_get_data (body, &len) : NULL;

  if (data && len > 0 && data[0] == '{') {
    g_autoptr (JsonObject) obj = gst_kvs_json_object_from_bytes (body, what,
        NULL);

    if (obj) {
      const gchar *m = member_string (obj, "message");
      const gchar *c = member_string (obj, "code");

      if (m == NULL)
        m = member_string (obj, "Message");
      if (c == NULL)
        c = member_string (obj, "Code");
      if (c == NULL)
        c = member_string (obj, "__type");
      message = g_strdup (m);
      code = g_strdup (c);
    }
  } else if (data && len > 0 && data[0] == '<') {
    code = xml_element_text (data, len, "Code");
    message = xml_element_text (data, len, "Message");
  }
  if (code == NULL)
    code = g_strdup (soup_message_headers_get_one
        (soup_message_get_response_headers (msg), "x-amzn-ErrorType"));

  return g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
      "%s: HTTP %u %s%s%s%s%s", what, status, reason ? reason : "",
      code ? ": " : "", code ? code : "", message ? ": " : "",
      message ? message : "");
}

SoupSession *
gst_kvs_credentials_session_new (guint timeout_s, const gchar * ca_file,
    GError ** error)
{
  g_autoptr (GProxyResolver) proxy_resolver =
      gst_kvs_proxy_resolver_from_env ();
  SoupSession *session = soup_session_new_with_options ("timeout", timeout_s,
      "idle-timeout", 60, "user-agent", "kvssignaling",
      "proxy-resolver", proxy_resolver, NULL);
  const gchar *what = ca_file ? "the CA file" : "the CA file of AWS_CA_BUNDLE";

  if (ca_file == NULL)
    ca_file = gst_kvs_env_get ("AWS_CA_BUNDLE");
  if (ca_file) {
    g_autoptr (GError) err = NULL;
    g_autoptr (GTlsDatabase) db = g_tls_file_database_new (ca_file, &err);

    if (db == NULL) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
          "cannot read %s %s: %s", what, ca_file, err->message);
      g_object_unref (session);
      return NULL;
    }
    soup_session_set_tls_database (session, db);
  }
  return session;
}

typedef struct
{
  GCancellable *cancel;         /* the request's own */
  GCancellable *outer;
  gulong outer_id;
  GSource *timer;
  guint timeout_ms;
  gboolean timed_out;
} HttpSend;

static void
http_send_free (HttpSend * s)
{
  if (s->timer) {
    g_source_destroy (s->timer);
    g_source_unref (s->timer);
  }
  if (s->outer) {
    g_cancellable_disconnect (s->outer, s->outer_id);
    g_object_unref (s->outer);
  }
  g_clear_object (&s->cancel);
  g_free (s);
}

static gboolean
http_send_timeout (gpointer data)
{
  HttpSend *s = data;

  s->timed_out = TRUE;
  g_cancellable_cancel (s->cancel);
  return G_SOURCE_REMOVE;
}

static void
http_send_outer_cancelled (GCancellable * outer, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
http_send_done (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  HttpSend *s = g_task_get_task_data (task);
  GError *error = NULL;
  GBytes *body = soup_session_send_and_read_finish (SOUP_SESSION (object),
      result, &error);

  if (body) {
    g_task_return_pointer (task, body, (GDestroyNotify) g_bytes_unref);
  } else if (s->timed_out && (s->outer == NULL
          || !g_cancellable_is_cancelled (s->outer))) {
    g_clear_error (&error);
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
        "timed out after %u ms", s->timeout_ms);
  } else {
    g_task_return_error (task, error);
  }
}

void
gst_kvs_credentials_http_send_async (SoupSession * session, SoupMessage * msg,
    guint timeout_ms, GCancellable * cancellable,
    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  HttpSend *s = g_new0 (HttpSend, 1);

  g_task_set_task_data (task, s, (GDestroyNotify) http_send_free);
  g_task_set_source_tag (task, gst_kvs_credentials_http_send_async);
  s->cancel = g_cancellable_new ();
  s->timeout_ms = timeout_ms;
  if (cancellable) {
    s->outer = g_object_ref (cancellable);
    s->outer_id = g_cancellable_connect (cancellable,
        G_CALLBACK (http_send_outer_cancelled), g_object_ref (s->cancel),
        g_object_unref);
  }
  s->timer = g_timeout_source_new (timeout_ms);
  g_source_set_callback (s->timer, http_send_timeout, s, NULL);
  g_source_attach (s->timer, g_task_get_context (task));
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT,
      s->cancel, http_send_done, task);
}

GBytes *
gst_kvs_credentials_http_send_finish (GAsyncResult * result, GError ** error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
gst_kvs_credentials_task_session (GTask * task, SoupSession ** session,
    guint timeout_s)
{
  GError *error = NULL;

  if (*session == NULL)
    *session = gst_kvs_credentials_session_new (timeout_s, NULL, &error);
  if (*session)
    return TRUE;
  g_prefix_error (&error, "%s: ", gst_kvs_credentials_provider_get_name
      (g_task_get_source_object (task)));
  error->domain = GST_KVS_ERROR;
  error->code = GST_KVS_ERROR_CREDENTIALS_SOURCE;
  g_task_return_error (task, error);
  g_object_unref (task);
  return FALSE;
}

void
gst_kvs_credentials_task_return (GTask * task, GstKvsCredentials * creds,
    GError * error)
{
  if (creds)
    g_task_return_pointer (task, creds,
        (GDestroyNotify) gst_kvs_credentials_unref);
  else
    g_task_return_error (task, error);
}
