/* kvssignaling: the shared AWS files (~/.aws/credentials, ~/.aws/config),
 * region and endpoint resolution.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "gstkvsawsconfig.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_aws_config_debug);
#define GST_CAT_DEFAULT gst_kvs_aws_config_debug

static void
ensure_debug (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (gst_kvs_aws_config_debug, "kvsawsconfig", 0,
        "KVS shared AWS configuration files, region and endpoint");
    g_once_init_leave (&once, 1);
  }
}

/* An environment variable, NULL when unset or empty (as the AWS SDKs
 * treat an empty variable). */
static const gchar *
env_get (const gchar * name)
{
  const gchar *v = g_getenv (name);

  return (v && *v) ? v : NULL;
}

/* $HOME when set (g_get_home_dir() caches its first answer), else the
 * password database's answer. */
static const gchar *
home_dir (void)
{
  const gchar *home = env_get ("HOME");

  return home ? home : g_get_home_dir ();
}

static gchar *
expand_home (const gchar * path)
{
  if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
    return g_build_filename (home_dir (), path + 1, NULL);
  return g_strdup (path);
}

static gchar *
aws_file_path (const gchar * env_name, const gchar * file)
{
  const gchar *override = env_get (env_name);

  if (override)
    return expand_home (override);
  return g_build_filename (home_dir (), ".aws", file, NULL);
}

gchar *
gst_kvs_aws_credentials_file_path (void)
{
  return aws_file_path ("AWS_SHARED_CREDENTIALS_FILE", "credentials");
}

gchar *
gst_kvs_aws_config_file_path (void)
{
  return aws_file_path ("AWS_CONFIG_FILE", "config");
}

gchar *
gst_kvs_aws_profile_name (const gchar * profile)
{
  const gchar *env;

  if (profile && *profile)
    return g_strdup (profile);
  env = env_get ("AWS_PROFILE");
  return g_strdup (env ? env : "default");
}

/* Strip a comment that starts with '#' or ';' preceded by a blank. */
static void
strip_inline_comment (gchar * value)
{
  gchar *p;

  for (p = value; *p; p++) {
    if ((*p == '#' || *p == ';') && p > value && g_ascii_isspace (p[-1])) {
      *p = '\0';
      break;
    }
  }
}

/* Does the section header text @section (inside the brackets, trimmed)
 * name @profile? In the credentials file the section is the profile name;
 * in the config file it is "profile <name>", or "default" for default. */
/* @config_file: 0 the credentials file, 1 the config file, 2 the config
 * file's "<kind> <name>" section (@profile is "<kind> <name>", e.g.
 * "sso-session my-sso"). */
static gboolean
section_matches (const gchar * section, const gchar * profile, gint config_file)
{
  if (!config_file)
    return strcmp (section, profile) == 0;
  if (config_file == 2) {
    const gchar *space = strchr (profile, ' ');
    gsize kind_len = space ? (gsize) (space - profile) : strlen (profile);
    const gchar *name;

    if (space == NULL || strncmp (section, profile, kind_len) != 0
        || !g_ascii_isspace (section[kind_len]))
      return FALSE;
    name = section + kind_len;
    while (g_ascii_isspace (*name))
      name++;
    return strcmp (name, space + 1) == 0;
  }

  if (g_str_has_prefix (section, "profile")
      && g_ascii_isspace (section[strlen ("profile")])) {
    const gchar *name = section + strlen ("profile");

    while (g_ascii_isspace (*name))
      name++;
    return strcmp (name, profile) == 0;
  }
  return strcmp (profile, "default") == 0 && strcmp (section, "default") == 0;
}

/* A tolerant reader of the AWS INI dialect: '#' and ';' comments, blanks
 * around '=', indented lines (sub-keys, continuations) ignored, keys
 * matched without regard to case, the last value of a repeated key wins.
 * GKeyFile rejects ';' comments and indented lines, so it is not used.
 * Returns NULL when the file, the profile or the key is absent, or the
 * value is empty. *@file_found / *@profile_found say how far it got. */
static gchar *
read_value (const gchar * path, const gchar * profile, const gchar * key,
    gint config_file, gboolean * file_found, gboolean * profile_found)
{
  g_autofree gchar *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) err = NULL;
  gboolean in_profile = FALSE;
  gchar *result = NULL;
  guint i;

  if (file_found)
    *file_found = FALSE;
  if (profile_found)
    *profile_found = FALSE;

  if (!g_file_get_contents (path, &contents, NULL, &err)) {
    GST_LOG ("cannot read %s: %s", path, err->message);
    return NULL;
  }
  if (file_found)
    *file_found = TRUE;

  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gchar *line = lines[i];
    gchar *eq, *k, *v;

    g_strchomp (line);
    if (*line == '\0')
      continue;
    if (g_ascii_isspace (*line))
      continue;                 /* sub-key or continuation */
    if (*line == '#' || *line == ';')
      continue;

    if (*line == '[') {
      gchar *close = strchr (line, ']');

      if (close == NULL) {
        GST_DEBUG ("%s:%u: section header without ']'", path, i + 1);
        in_profile = FALSE;
        continue;
      }
      *close = '\0';
      in_profile = section_matches (g_strstrip (line + 1), profile,
          config_file);
      if (in_profile && profile_found)
        *profile_found = TRUE;
      continue;
    }

    if (!in_profile)
      continue;
    eq = strchr (line, '=');
    if (eq == NULL)
      continue;
    *eq = '\0';
    k = g_strstrip (line);
    if (g_ascii_strcasecmp (k, key) != 0)
      continue;
    v = eq + 1;
    strip_inline_comment (v);
    g_strstrip (v);
    g_free (result);
    result = *v ? g_strdup (v) : NULL;
  }

  /* Secrets live in the buffer: clear it before freeing. */
  if (contents)
    memset (contents, 0, strlen (contents));
  for (i = 0; lines[i]; i++)
    memset (lines[i], 0, strlen (lines[i]));
  return result;
}

gchar *
gst_kvs_aws_credentials_file_lookup (const gchar * profile,
    const gchar * key, gboolean * file_found, gboolean * profile_found)
{
  g_autofree gchar *path = gst_kvs_aws_credentials_file_path ();
  g_autofree gchar *name = gst_kvs_aws_profile_name (profile);

  g_return_val_if_fail (key != NULL, NULL);
  ensure_debug ();
  return read_value (path, name, key, FALSE, file_found, profile_found);
}

gchar *
gst_kvs_aws_config_file_lookup (const gchar * profile, const gchar * key,
    gboolean * file_found, gboolean * profile_found)
{
  g_autofree gchar *path = gst_kvs_aws_config_file_path ();
  g_autofree gchar *name = gst_kvs_aws_profile_name (profile);

  g_return_val_if_fail (key != NULL, NULL);
  ensure_debug ();
  return read_value (path, name, key, TRUE, file_found, profile_found);
}

gchar *
gst_kvs_aws_config_file_section_get (const gchar * kind, const gchar * name,
    const gchar * key)
{
  g_autofree gchar *path = gst_kvs_aws_config_file_path ();
  g_autofree gchar *section = NULL;

  g_return_val_if_fail (kind != NULL && name != NULL && key != NULL, NULL);
  ensure_debug ();
  section = g_strdup_printf ("%s %s", kind, name);
  return read_value (path, section, key, 2, NULL, NULL);
}

gchar *
gst_kvs_aws_config_file_services_get (const gchar * services,
    const gchar * service, const gchar * key)
{
  g_autofree gchar *path = gst_kvs_aws_config_file_path ();
  g_autofree gchar *contents = NULL;
  g_autofree gchar *section = NULL;
  g_auto (GStrv) lines = NULL;
  gboolean in_section = FALSE, in_service = FALSE;
  gchar *result = NULL;
  guint i;

  g_return_val_if_fail (services != NULL && service != NULL && key != NULL,
      NULL);
  ensure_debug ();
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  section = g_strdup_printf ("services %s", services);
  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gchar *line = g_strchomp (lines[i]);
    gboolean indented = g_ascii_isspace (*line);
    gchar *eq, *k, *v;

    g_strchug (line);
    if (*line == '\0' || *line == '#' || *line == ';')
      continue;
    if (!indented && *line == '[') {
      gchar *close = strchr (line, ']');

      in_section = close && (*close = '\0',
          section_matches (g_strstrip (line + 1), section, 2));
      in_service = FALSE;
      continue;
    }
    if (!in_section || (eq = strchr (line, '=')) == NULL)
      continue;
    *eq = '\0';
    k = g_strstrip (line);
    v = g_strstrip (eq + 1);
    if (!indented) {
      /* "kinesis_video =" opens the sub-keys of a service. */
      in_service = g_ascii_strcasecmp (k, service) == 0 && *v == '\0';
    } else if (in_service && g_ascii_strcasecmp (k, key) == 0) {
      strip_inline_comment (v);
      g_strstrip (v);
      g_free (result);
      result = *v ? g_strdup (v) : NULL;
    }
  }
  return result;
}

gchar *
gst_kvs_aws_credentials_file_get (const gchar * profile, const gchar * key)
{
  return gst_kvs_aws_credentials_file_lookup (profile, key, NULL, NULL);
}

gchar *
gst_kvs_aws_config_file_get (const gchar * profile, const gchar * key)
{
  return gst_kvs_aws_config_file_lookup (profile, key, NULL, NULL);
}

gchar *
gst_kvs_aws_resolve_region_full (const gchar * explicit_region,
    const gchar * profile, gchar ** source)
{
  const gchar *env;
  gchar *region;
  gchar *from;

  ensure_debug ();
  if (explicit_region && *explicit_region) {
    region = g_strdup (explicit_region);
    from = g_strdup ("set explicitly");
  } else if ((env = env_get ("AWS_REGION"))) {
    region = g_strdup (env);
    from = g_strdup ("AWS_REGION");
  } else if ((env = env_get ("AWS_DEFAULT_REGION"))) {
    region = g_strdup (env);
    from = g_strdup ("AWS_DEFAULT_REGION");
  } else if ((region = gst_kvs_aws_config_file_get (profile, "region"))) {
    const gchar *name = profile && *profile ? profile : env_get ("AWS_PROFILE");

    from = g_strdup_printf ("profile '%s' of the AWS config file",
        name ? name : "default");
  } else {
    region = g_strdup (GST_KVS_DEFAULT_REGION);
    from = g_strdup ("the default: no region set, nor AWS_REGION, "
        "AWS_DEFAULT_REGION or a profile's region");
  }
  GST_DEBUG ("region %s (%s)", region, from);
  if (source)
    *source = from;
  else
    g_free (from);
  return region;
}

gchar *
gst_kvs_aws_resolve_region (const gchar * explicit_region,
    const gchar * profile)
{
  return gst_kvs_aws_resolve_region_full (explicit_region, profile, NULL);
}

static gchar *
strip_trailing_slashes (const gchar * url)
{
  gchar *r = g_strdup (url);
  gsize len = strlen (r);

  while (len > 0 && r[len - 1] == '/')
    r[--len] = '\0';
  return r;
}

gchar *
gst_kvs_aws_resolve_endpoint (const gchar * explicit_endpoint,
    const gchar * region)
{
  const gchar *env;

  ensure_debug ();
  if (explicit_endpoint && *explicit_endpoint) {
    GST_DEBUG ("endpoint %s (explicit)", explicit_endpoint);
    return strip_trailing_slashes (explicit_endpoint);
  }
  if ((env = env_get ("AWS_ENDPOINT_URL_KINESIS_VIDEO"))) {
    GST_DEBUG ("endpoint %s (AWS_ENDPOINT_URL_KINESIS_VIDEO)", env);
    return strip_trailing_slashes (env);
  }
  if ((env = env_get ("AWS_ENDPOINT_URL"))) {
    GST_DEBUG ("endpoint %s (AWS_ENDPOINT_URL)", env);
    return strip_trailing_slashes (env);
  }
  if (region == NULL || *region == '\0')
    region = GST_KVS_DEFAULT_REGION;
  return g_strdup_printf ("https://kinesisvideo.%s.amazonaws.com%s", region,
      g_str_has_prefix (region, "cn-") ? ".cn" : "");
}

static gboolean
host_is_under (const gchar * host, const gchar * domain)
{
  gsize hl = strlen (host), dl = strlen (domain);

  if (g_ascii_strcasecmp (host, domain) == 0)
    return TRUE;
  return hl > dl + 1 && host[hl - dl - 1] == '.'
      && g_ascii_strcasecmp (host + hl - dl, domain) == 0;
}

/**
 * gst_kvs_aws_endpoint_is_aws:
 * @endpoint: (nullable): a control-plane URL
 *
 * Returns: whether @endpoint is one of AWS's: its host is amazonaws.com,
 * amazonaws.com.cn or one of the dual-stack domains api.aws and
 * api.amazonwebservices.com.cn, or ends with one of them.
 */
gboolean
gst_kvs_aws_endpoint_is_aws (const gchar * endpoint)
{
  g_autoptr (GUri) uri = NULL;
  const gchar *host;

  if (endpoint == NULL)
    return FALSE;
  uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);
  host = uri ? g_uri_get_host (uri) : NULL;
  if (host == NULL)
    return FALSE;
  return host_is_under (host, "amazonaws.com")
      || host_is_under (host, "amazonaws.com.cn")
      || host_is_under (host, "api.aws")
      || host_is_under (host, "api.amazonwebservices.com.cn");
}
