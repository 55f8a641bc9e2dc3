/* kvssignaling: a profile of the shared AWS files.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsprofileprovider.h"
#include "gstkvsawsconfig.h"
#include "gstkvscredentialsutil.h"
#include "gstkvsstaticprovider.h"
#include "gstkvsenvprovider.h"
#include "gstkvsassumeroleprovider.h"
#include "gstkvswebidentityprovider.h"
#include "gstkvsprocessprovider.h"
#include "gstkvsssoprovider.h"
#include "gstkvscontainerprovider.h"
#include "gstkvsimdsprovider.h"

#define MAX_DEPTH 8

struct _GstKvsProfileProvider
{
  GstKvsCredentialsProvider parent;
  gchar *profile;
};

G_DEFINE_TYPE (GstKvsProfileProvider, gst_kvs_profile_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

static void
secret_free (gchar * s)
{
  if (s) {
    memset (s, 0, strlen (s));
    g_free (s);
  }
}

/* A setting of the profile: the credentials file's, else the config
 * file's (botocore merges the credentials file over the config file). */
static gchar *
get (const gchar * profile, const gchar * key)
{
  gchar *v = gst_kvs_aws_credentials_file_get (profile, key);

  return v ? v : gst_kvs_aws_config_file_get (profile, key);
}

/* Static keys of one file; NULL without error when it has neither part. */
static GstKvsCredentialsProvider *
static_keys (const gchar * profile, gboolean config_file, GError ** error)
{
  g_autofree gchar *path = config_file ? gst_kvs_aws_config_file_path () :
      gst_kvs_aws_credentials_file_path ();
  gchar *(*lookup) (const gchar *, const gchar *) = config_file ?
      gst_kvs_aws_config_file_get : gst_kvs_aws_credentials_file_get;
  g_autofree gchar *akid = lookup (profile, "aws_access_key_id");
  gchar *secret = lookup (profile, "aws_secret_access_key");
  gchar *token;
  g_autofree gchar *source = NULL;
  g_autoptr (GstKvsCredentials) creds = NULL;

  if (akid && secret) {
    token = lookup (profile, "aws_session_token");
    source = g_strdup_printf ("profile %s (%s)", profile, path);
    creds = gst_kvs_credentials_new (akid, secret, token, source);
    secret_free (secret);
    secret_free (token);
    return gst_kvs_static_provider_new (source, creds, NULL);
  }
  if (akid || secret) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "Profile '%s' in %s has %s but no %s", profile, path,
        akid ? "aws_access_key_id" : "aws_secret_access_key",
        akid ? "aws_secret_access_key" : "aws_access_key_id");
  }
  secret_free (secret);
  return NULL;
}

static GstKvsCredentialsProvider *resolve (const gchar * profile,
    guint depth, gboolean ignore_role, GError ** error);

static GstKvsCredentialsProvider *
resolve_role (const gchar * profile, const gchar * role_arn, guint depth,
    GError ** error)
{
  g_autofree gchar *source_profile = get (profile, "source_profile");
  g_autofree gchar *credential_source = get (profile, "credential_source");
  g_autofree gchar *token_file = get (profile, "web_identity_token_file");
  g_autofree gchar *session_name = get (profile, "role_session_name");
  g_autofree gchar *external_id = get (profile, "external_id");
  g_autofree gchar *duration = get (profile, "duration_seconds");
  g_autoptr (GstKvsCredentialsProvider) source = NULL;
  guint64 duration_s = 0;

  if (source_profile && credential_source) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "Profile '%s' has both source_profile and credential_source: give "
        "one", profile);
    return NULL;
  }
  if (!source_profile && !credential_source) {
    if (token_file)
      return gst_kvs_web_identity_provider_new (token_file, role_arn,
          session_name, profile);
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "Profile '%s' has role_arn but no source_profile, credential_source "
        "or web_identity_token_file", profile);
    return NULL;
  }
  if (duration && !g_ascii_string_to_unsigned (duration, 10, 900, 43200,
          &duration_s, NULL)) {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "Profile '%s': duration_seconds %s is not a number of seconds "
        "between 900 and 43200", profile, duration);
    return NULL;
  }
  if (source_profile) {
    if (depth >= MAX_DEPTH) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
          "Profile '%s': the source_profile chain is longer than %d profiles "
          "(a cycle?)", profile, MAX_DEPTH);
      return NULL;
    }
    /* A profile that is its own source uses its own static keys. */
    source = resolve (source_profile, depth + 1,
        strcmp (source_profile, profile) == 0, error);
    if (source == NULL) {
      if (error && *error)
        g_prefix_error (error, "Profile '%s', source_profile '%s': ",
            profile, source_profile);
      return NULL;
    }
  } else if (g_ascii_strcasecmp (credential_source, "Environment") == 0) {
    source = gst_kvs_env_provider_new ();
  } else if (g_ascii_strcasecmp (credential_source, "Ec2InstanceMetadata") == 0) {
    source = gst_kvs_imds_provider_new (profile, TRUE);
  } else if (g_ascii_strcasecmp (credential_source, "EcsContainer") == 0) {
    source = gst_kvs_container_provider_new ();
  } else {
    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "Profile '%s': credential_source %s is not Environment, "
        "Ec2InstanceMetadata or EcsContainer", profile, credential_source);
    return NULL;
  }
  return gst_kvs_assume_role_provider_new (source, role_arn, session_name,
      external_id, (guint) duration_s, profile);
}

static GstKvsCredentialsProvider *
resolve_sso (const gchar * profile, const gchar * sso_session, GError ** error)
{
  g_autofree gchar *start_url = NULL, *sso_region = NULL;
  g_autofree gchar *account = get (profile, "sso_account_id");
  g_autofree gchar *role = get (profile, "sso_role_name");
  g_autoptr (GString) missing = g_string_new (NULL);

  if (sso_session) {
    start_url = gst_kvs_aws_config_file_section_get ("sso-session",
        sso_session, "sso_start_url");
    sso_region = gst_kvs_aws_config_file_section_get ("sso-session",
        sso_session, "sso_region");
    if (!start_url)
      g_string_append_printf (missing, ", sso_start_url in [sso-session %s]",
          sso_session);
    if (!sso_region)
      g_string_append_printf (missing, ", sso_region in [sso-session %s]",
          sso_session);
  } else {
    start_url = get (profile, "sso_start_url");
    sso_region = get (profile, "sso_region");
    if (!sso_region)
      g_string_append (missing, ", sso_region");
  }
  if (!account)
    g_string_append (missing, ", sso_account_id");
  if (!role)
    g_string_append (missing, ", sso_role_name");
  if (missing->len) {
    g_autofree gchar *path = gst_kvs_aws_config_file_path ();

    g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
        "Profile '%s' in %s: incomplete SSO settings: missing %s", profile,
        path, missing->str + 2);
    return NULL;
  }
  return gst_kvs_sso_provider_new (sso_session, start_url, sso_region,
      account, role, profile);
}

static GstKvsCredentialsProvider *
resolve (const gchar * profile, guint depth, gboolean ignore_role,
    GError ** error)
{
  g_autofree gchar *role_arn = NULL, *sso_session = NULL, *start_url = NULL;
  g_autofree gchar *process = NULL;
  g_autofree gchar *cred_path = NULL, *config_path = NULL;
  GstKvsCredentialsProvider *p;
  gboolean cred_found = FALSE, cred_profile = FALSE;
  gboolean config_found = FALSE, config_profile = FALSE;

  if (!ignore_role && (role_arn = get (profile, "role_arn")))
    return resolve_role (profile, role_arn, depth, error);

  sso_session = get (profile, "sso_session");
  start_url = get (profile, "sso_start_url");
  if (sso_session || start_url)
    return resolve_sso (profile, sso_session, error);

  if ((p = static_keys (profile, FALSE, error)) || (error && *error))
    return p;

  if ((process = get (profile, "credential_process"))) {
    g_autofree gchar *path = gst_kvs_aws_config_file_path ();
    g_autofree gchar *where = g_strdup_printf ("credential_process of "
        "profile '%s' in %s", profile, path);

    return gst_kvs_process_provider_new (process, where, 0);
  }

  if ((p = static_keys (profile, TRUE, error)) || (error && *error))
    return p;

  cred_path = gst_kvs_aws_credentials_file_path ();
  config_path = gst_kvs_aws_config_file_path ();
  g_free (gst_kvs_aws_credentials_file_lookup (profile, "x", &cred_found,
          &cred_profile));
  g_free (gst_kvs_aws_config_file_lookup (profile, "x", &config_found,
          &config_profile));
  g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
      "profile '%s': %s %s, %s %s", profile, cred_path,
      !cred_found ? "(no such file)" : !cred_profile ? "(no such profile)" :
      "(no credentials)", config_path,
      !config_found ? "(no such file)" : !config_profile ?
      "(no such profile)" : "(no credentials)");
  return NULL;
}

GstKvsCredentialsProvider *
gst_kvs_profile_provider_resolve (const gchar * profile, GError ** error)
{
  g_autofree gchar *name = gst_kvs_aws_profile_name (profile);
  GError *err = NULL;
  GstKvsCredentialsProvider *p = resolve (name, 0, FALSE, &err);

  if (p == NULL && err == NULL)
    err = g_error_new (GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS,
        "profile '%s': no credentials", name);
  if (err)
    g_propagate_error (error, err);
  return p;
}

static void
on_inner (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  GstKvsCredentials *creds = gst_kvs_credentials_provider_fetch_finish
      (GST_KVS_CREDENTIALS_PROVIDER (object), result, &error);

  gst_kvs_credentials_task_return (task, creds, error);
}

static void
gst_kvs_profile_provider_fetch (GstKvsCredentialsProvider * provider,
    GTask * task)
{
  GstKvsProfileProvider *self = GST_KVS_PROFILE_PROVIDER (provider);
  GError *error = NULL;
  GstKvsCredentialsProvider *inner =
      gst_kvs_profile_provider_resolve (self->profile, &error);

  if (inner == NULL) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  /* The inner provider lives as long as the fetch. */
  g_task_set_task_data (task, inner, g_object_unref);
  gst_kvs_credentials_provider_fetch_async (inner,
      g_task_get_cancellable (task), on_inner, task);
}

static void
gst_kvs_profile_provider_finalize (GObject * object)
{
  g_free (GST_KVS_PROFILE_PROVIDER (object)->profile);
  G_OBJECT_CLASS (gst_kvs_profile_provider_parent_class)->finalize (object);
}

static void
gst_kvs_profile_provider_class_init (GstKvsProfileProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_profile_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_profile_provider_fetch;
}

static void
gst_kvs_profile_provider_init (GstKvsProfileProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_profile_provider_new (const gchar * profile)
{
  GstKvsProfileProvider *self = g_object_new (GST_KVS_TYPE_PROFILE_PROVIDER,
      "name", "profile", NULL);

  self->profile = g_strdup (profile);
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
