/* kvssignaling: AWS STS query API calls and their XML replies.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "gstkvssts.h"
#include "gstkvssigv4.h"
#include "gstkvscredentialsutil.h"
#include "gstkvsawsconfig.h"
#include "gstkvsendpoints.h"

typedef struct
{
  GString *text;
  gboolean in_credentials;
  gboolean in_error;
  gchar *akid, *secret, *token, *expiration, *code, *message;
} StsParse;

static void
sts_start (GMarkupParseContext * ctx, const gchar * name,
    const gchar ** attr_names, const gchar ** attr_values, gpointer data,
    GError ** error)
{
  StsParse *p = data;

  if (strcmp (name, "Credentials") == 0)
    p->in_credentials = TRUE;
  else if (strcmp (name, "Error") == 0)
    p->in_error = TRUE;
  g_string_truncate (p->text, 0);
}

static void
take_text (StsParse * p, gchar ** field)
{
  if (*field) {
    memset (*field, 0, strlen (*field));
    g_free (*field);
  }
  *field = g_strdup (g_strstrip (p->text->str));
}

static void
sts_end (GMarkupParseContext * ctx, const gchar * name, gpointer data,
    GError ** error)
{
  StsParse *p = data;

  if (p->in_credentials) {
    if (strcmp (name, "AccessKeyId") == 0)
      take_text (p, &p->akid);
    else if (strcmp (name, "SecretAccessKey") == 0)
      take_text (p, &p->secret);
    else if (strcmp (name, "SessionToken") == 0)
      take_text (p, &p->token);
    else if (strcmp (name, "Expiration") == 0)
      take_text (p, &p->expiration);
    else if (strcmp (name, "Credentials") == 0)
      p->in_credentials = FALSE;
  } else if (p->in_error) {
    if (strcmp (name, "Code") == 0)
      take_text (p, &p->code);
    else if (strcmp (name, "Message") == 0)
      take_text (p, &p->message);
    else if (strcmp (name, "Error") == 0)
      p->in_error = FALSE;
  }
  memset (p->text->str, 0, p->text->len);
  g_string_truncate (p->text, 0);
}

static void
sts_text (GMarkupParseContext * ctx, const gchar * text, gsize len,
    gpointer data, GError ** error)
{
  StsParse *p = data;

  g_string_append_len (p->text, text, len);
}

static void
secret_free (gchar * s)
{
  if (s) {
    memset (s, 0, strlen (s));
    g_free (s);
  }
}

static void
sts_parse_clear (StsParse * p)
{
  memset (p->text->str, 0, p->text->len);
  g_string_free (p->text, TRUE);
  g_free (p->akid);
  secret_free (p->secret);
  secret_free (p->token);
  g_free (p->expiration);
  g_free (p->code);
  g_free (p->message);
}

static gboolean
sts_parse (const gchar * xml, gsize len, StsParse * p)
{
  static const GMarkupParser parser = { sts_start, sts_end, sts_text, NULL,
    NULL
  };
  GMarkupParseContext *ctx;
  gboolean ok;

  memset (p, 0, sizeof (*p));
  p->text = g_string_new (NULL);
  ctx = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION,
      p, NULL);
  ok = g_markup_parse_context_parse (ctx, xml, len, NULL)
      && g_markup_parse_context_end_parse (ctx, NULL);
  g_markup_parse_context_free (ctx);
  return ok;
}

GstKvsCredentials *
gst_kvs_sts_parse_credentials (const gchar * xml, gsize len,
    const gchar * source, const gchar * what, GError ** error)
{
  StsParse p;
  GstKvsCredentials *creds = NULL;
  gint64 expiration = 0;

  if (!sts_parse (xml, len, &p)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: the reply is not XML (%" G_GSIZE_FORMAT " bytes)", what, len);
  } else if (p.code) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: %s: %s", what, p.code, p.message ? p.message : "");
  } else if (!p.akid || !*p.akid || !p.secret || !*p.secret) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: the reply has no Credentials with AccessKeyId and "
        "SecretAccessKey", what);
  } else if (p.expiration && !gst_kvs_parse_time (p.expiration, &expiration)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "%s: the reply's Expiration is not an ISO 8601 time", what);
  } else {
    creds = gst_kvs_credentials_new_full (p.akid, p.secret, p.token,
        expiration, source);
  }
  sts_parse_clear (&p);
  return creds;
}

typedef struct
{
  gchar *source;
  gchar *what;
} StsCall;

static void
sts_call_free (StsCall * c)
{
  g_free (c->source);
  g_free (c->what);
  g_free (c);
}

static void
on_sts_reply (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  StsCall *call = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION
      (object), result);
  g_autoptr (GError) err = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION
      (object), result, &err);
  GstKvsCredentials *creds;
  GError *error = NULL;
  gsize len = 0;
  const gchar *data;

  if (body == NULL) {
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_task_return_error (task, g_steal_pointer (&err));
    else
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: %s", call->what, err->message);
    return;
  }
  data = g_bytes_get_data (body, &len);
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg))) {
    StsParse p;

    if (data && len && sts_parse (data, len, &p) && p.code) {
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: %s: %s", call->what, p.code,
          p.message ? p.message : "");
      sts_parse_clear (&p);
      return;
    }
    if (data && len)
      sts_parse_clear (&p);
    g_task_return_error (task, gst_kvs_credentials_http_error (msg, body,
            call->what));
    return;
  }
  creds = gst_kvs_sts_parse_credentials (data, len, call->source, call->what,
      &error);
  gst_kvs_credentials_task_return (task, creds, error);
}

void
gst_kvs_sts_call_async (SoupSession * session, const gchar * endpoint,
    const gchar * region, const gchar * const *params,
    GstKvsCredentials * sign_with, const gchar * source, const gchar * what,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  StsCall *call = g_new0 (StsCall, 1);
  g_autoptr (GString) form = g_string_new ("Version=2011-06-15");
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree gchar *url = g_strconcat (endpoint, "/", NULL);
  GError *error = NULL;
  guint i;

  call->source = g_strdup (source);
  call->what = g_strdup (what);
  g_task_set_task_data (task, call, (GDestroyNotify) sts_call_free);
  g_task_set_source_tag (task, gst_kvs_sts_call_async);

  for (i = 0; params[i] && params[i + 1]; i += 2) {
    g_autofree gchar *v = g_uri_escape_string (params[i + 1], NULL, FALSE);

    g_string_append_printf (form, "&%s=%s", params[i], v);
  }
  msg = soup_message_new ("POST", url);
  if (msg == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: the STS endpoint %s is not "
        "a URL", what, endpoint);
    g_object_unref (task);
    return;
  }
  body = g_bytes_new (form->str, form->len);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
      "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  if (sign_with && !gst_kvs_sigv4_sign_message (msg, body, sign_with, region,
          "sts", NULL, &error)) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: cannot sign: %s", what,
        error->message);
    g_error_free (error);
    g_object_unref (task);
    return;
  }
  soup_message_set_request_body_from_bytes (msg,
      "application/x-www-form-urlencoded; charset=utf-8", body);
  memset (form->str, 0, form->len);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT,
      cancellable, on_sts_reply, task);
}

GstKvsCredentials *
gst_kvs_sts_call_finish (GAsyncResult * result, GError ** error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the base of the STS providers ---- */

typedef struct
{
  gchar *profile;
  SoupSession *session;         /* made on first use */
} GstKvsStsProviderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstKvsStsProvider, gst_kvs_sts_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

void
gst_kvs_sts_provider_set_profile (GstKvsStsProvider * self,
    const gchar * profile)
{
  GstKvsStsProviderPrivate *priv =
      gst_kvs_sts_provider_get_instance_private (self);

  g_free (priv->profile);
  priv->profile = g_strdup (profile);
}

static void
on_sts (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  GstKvsCredentials *creds = gst_kvs_sts_call_finish (result, &error);

  gst_kvs_credentials_task_return (task, creds, error);
}

void
gst_kvs_sts_provider_call (GstKvsStsProvider * self, GTask * task,
    const gchar * const *params, GstKvsCredentials * sign_with,
    const gchar * source, const gchar * what)
{
  GstKvsStsProviderPrivate *priv =
      gst_kvs_sts_provider_get_instance_private (self);
  g_autofree gchar *region = NULL, *endpoint = NULL;

  region = gst_kvs_aws_resolve_region (NULL, priv->profile);
  endpoint = gst_kvs_endpoint_resolve (GST_KVS_AWS_SERVICE_STS, NULL, region,
      priv->profile, NULL);
  if (!gst_kvs_credentials_task_session (task, &priv->session, 10))
    return;
  gst_kvs_sts_call_async (priv->session, endpoint, region, params, sign_with,
      source, what, g_task_get_cancellable (task), on_sts, task);
}

gchar *
gst_kvs_sts_session_name (const gchar * configured)
{
  if (configured)
    return g_strdup (configured);
  return g_strdup_printf ("kvssignaling-%" G_GINT64_FORMAT,
      g_get_real_time () / G_USEC_PER_SEC);
}

static void
gst_kvs_sts_provider_finalize (GObject * object)
{
  GstKvsStsProviderPrivate *priv =
      gst_kvs_sts_provider_get_instance_private (GST_KVS_STS_PROVIDER (object));

  g_free (priv->profile);
  g_clear_object (&priv->session);
  G_OBJECT_CLASS (gst_kvs_sts_provider_parent_class)->finalize (object);
}

static void
gst_kvs_sts_provider_class_init (GstKvsStsProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_sts_provider_finalize;
}

static void
gst_kvs_sts_provider_init (GstKvsStsProvider * self)
{
}
