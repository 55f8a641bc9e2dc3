/* kvssignaling: AWS credentials and the standard credential chain.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "gstkvscredentials.h"
#include "gstkvsawsconfig.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_credentials_debug);
#define GST_CAT_DEFAULT gst_kvs_credentials_debug

static void
ensure_debug (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (gst_kvs_credentials_debug, "kvscredentials", 0,
        "KVS AWS credentials and the credential chain");
    g_once_init_leave (&once, 1);
  }
}

/* The public struct followed by the reference count. */
typedef struct
{
  GstKvsCredentials creds;
  gint ref_count;
} GstKvsCredentialsPrivate;

G_DEFINE_BOXED_TYPE (GstKvsCredentials, gst_kvs_credentials,
    gst_kvs_credentials_ref, gst_kvs_credentials_unref);

static gchar *
non_empty_dup (const gchar * s)
{
  return (s && *s) ? g_strdup (s) : NULL;
}

static void
free_secret (gchar * s)
{
  if (s) {
    volatile gchar *p = s;

    while (*p)
      *p++ = '\0';
    g_free (s);
  }
}

/**
 * gst_kvs_credentials_new:
 * @access_key_id: the access key id
 * @secret_access_key: the secret access key
 * @session_token: (nullable): the session token (empty = none)
 * @source: (nullable): where they come from, safe to log
 *
 * Returns: (transfer full): a new credential set with a reference count of 1.
 */
GstKvsCredentials *
gst_kvs_credentials_new (const gchar * access_key_id,
    const gchar * secret_access_key, const gchar * session_token,
    const gchar * source)
{
  GstKvsCredentialsPrivate *priv;

  g_return_val_if_fail (access_key_id != NULL, NULL);
  g_return_val_if_fail (secret_access_key != NULL, NULL);

  priv = g_new0 (GstKvsCredentialsPrivate, 1);
  priv->ref_count = 1;
  priv->creds.access_key_id = g_strdup (access_key_id);
  priv->creds.secret_access_key = g_strdup (secret_access_key);
  priv->creds.session_token = non_empty_dup (session_token);
  priv->creds.expiration = 0;
  priv->creds.source = g_strdup (source ? source : "explicit");
  return &priv->creds;
}

/**
 * gst_kvs_credentials_new_full:
 * @access_key_id: the access key id
 * @secret_access_key: the secret access key
 * @session_token: (nullable): the session token (empty = none)
 * @expiration: unix seconds, 0 = does not expire
 * @source: (nullable): where they come from, safe to log
 *
 * Returns: (transfer full): a new credential set with a reference count of 1.
 */
GstKvsCredentials *
gst_kvs_credentials_new_full (const gchar * access_key_id,
    const gchar * secret_access_key, const gchar * session_token,
    gint64 expiration, const gchar * source)
{
  GstKvsCredentials *c = gst_kvs_credentials_new (access_key_id,
      secret_access_key, session_token, source);

  if (c)
    c->expiration = expiration;
  return c;
}

GstKvsCredentials *
gst_kvs_credentials_ref (GstKvsCredentials * creds)
{
  GstKvsCredentialsPrivate *priv = (GstKvsCredentialsPrivate *) creds;

  g_return_val_if_fail (creds != NULL, NULL);
  g_atomic_int_inc (&priv->ref_count);
  return creds;
}

void
gst_kvs_credentials_unref (GstKvsCredentials * creds)
{
  GstKvsCredentialsPrivate *priv = (GstKvsCredentialsPrivate *) creds;

  g_return_if_fail (creds != NULL);
  if (!g_atomic_int_dec_and_test (&priv->ref_count))
    return;
  g_free (creds->access_key_id);
  free_secret (creds->secret_access_key);
  free_secret (creds->session_token);
  g_free (creds->source);
  g_free (priv);
}

static const gchar *
env_get (const gchar * name)
{
  const gchar *v = g_getenv (name);

  return (v && *v) ? v : NULL;
}

/* One file of the chain. Returns TRUE and sets *@out when the profile has
 * both key parts; FALSE with *@error set when it has only one; FALSE
 * without error when it has none (and appends what was seen to @looked). */
static gboolean
try_file (gboolean config_file, const gchar * profile, GString * looked,
    GstKvsCredentials ** out, GError ** error)
{
  g_autofree gchar *path = config_file ? gst_kvs_aws_config_file_path () :
      gst_kvs_aws_credentials_file_path ();
  g_autofree gchar *akid = NULL;
  gchar *secret = NULL, *token = NULL;
  gboolean file_found = FALSE, profile_found = FALSE;
  gchar *(*lookup) (const gchar *, const gchar *, gboolean *, gboolean *) =
      config_file ? gst_kvs_aws_config_file_lookup :
      gst_kvs_aws_credentials_file_lookup;

  akid = lookup (profile, "aws_access_key_id", &file_found, &profile_found);
  secret = lookup (profile, "aws_secret_access_key", NULL, NULL);

  if (akid && secret) {
    g_autofree gchar *source = NULL;

    token = lookup (profile, "aws_session_token", NULL, NULL);
    source = g_strdup_printf ("profile %s (%s)", profile, path);
    *out = gst_kvs_credentials_new (akid, secret, token, source);
    free_secret (secret);
    free_secret (token);
    return TRUE;
  }
  if (akid || secret) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
        "Profile '%s' in %s has %s but no %s", profile, path,
        akid ? "aws_access_key_id" : "aws_secret_access_key",
        akid ? "aws_secret_access_key" : "aws_access_key_id");
    free_secret (secret);
    return FALSE;
  }

  g_string_append_printf (looked, ", profile '%s' in %s (%s)", profile, path,
      !file_found ? "no such file" : !profile_found ? "no such profile" :
      "no aws_access_key_id/aws_secret_access_key");
  return FALSE;
}

GstKvsCredentials *
gst_kvs_credentials_resolve (const gchar * access_key_id,
    const gchar * secret_access_key, const gchar * session_token,
    const gchar * profile, GError ** error)
{
  g_autofree gchar *name = NULL;
  g_autoptr (GString) looked = NULL;
  GstKvsCredentials *creds = NULL;
  GError *file_error = NULL;
  const gchar *env_akid, *env_secret;
  gboolean has_akid = access_key_id && *access_key_id;
  gboolean has_secret = secret_access_key && *secret_access_key;

  ensure_debug ();

  /* 1. Explicit values: both parts or neither. */
  if (has_akid && has_secret) {
    GST_DEBUG ("using explicit credentials, key %s%s", access_key_id,
        session_token && *session_token ? " with a session token" : "");
    return gst_kvs_credentials_new (access_key_id, secret_access_key,
        session_token, "explicit");
  }
  if (has_akid || has_secret) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
        "Explicit credentials are incomplete: the %s was given but not the "
        "%s", has_akid ? "access key id" : "secret access key",
        has_akid ? "secret access key" : "access key id");
    return NULL;
  }
  if (session_token && *session_token) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
        "Explicit credentials are incomplete: a session token was given "
        "without an access key id and secret access key");
    return NULL;
  }

  /* 2. The environment. */
  env_akid = env_get ("AWS_ACCESS_KEY_ID");
  env_secret = env_get ("AWS_SECRET_ACCESS_KEY");
  if (env_akid && env_secret) {
    GST_DEBUG ("using credentials from the environment, key %s%s", env_akid,
        env_get ("AWS_SESSION_TOKEN") ? " with a session token" : "");
    return gst_kvs_credentials_new (env_akid, env_secret,
        env_get ("AWS_SESSION_TOKEN"), "environment");
  }
  if (env_akid || env_secret) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
        "Incomplete credentials in the environment: %s is set but %s is not "
        "set",
        env_akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
        env_akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    return NULL;
  }

  /* 3. and 4. The shared credentials file, then the config file. */
  name = gst_kvs_aws_profile_name (profile);
  looked = g_string_new ("no explicit access key id and secret access key, "
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set");
  if (try_file (FALSE, name, looked, &creds, &file_error)
      || (file_error == NULL
          && try_file (TRUE, name, looked, &creds, &file_error))) {
    GST_DEBUG ("using credentials from %s, key %s%s", creds->source,
        creds->access_key_id,
        creds->session_token ? " with a session token" : "");
    return creds;
  }
  if (file_error) {
    g_propagate_error (error, file_error);
    return NULL;
  }

  GST_DEBUG ("no credentials: %s", looked->str);
  g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
      "No AWS credentials found. Looked at: %s", looked->str);
  return NULL;
}
