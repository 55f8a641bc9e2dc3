/* kvssignaling: AWS service endpoints (FIPS, dual-stack, partitions,
 * endpoint overrides).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "gstkvsendpoints.h"
#include "gstkvsawsconfig.h"
#include "gstkvscredentialsutil.h"

GST_DEBUG_CATEGORY_STATIC (gst_kvs_endpoints_debug);
#define GST_CAT_DEFAULT gst_kvs_endpoints_debug

static void
ensure_debug (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (gst_kvs_endpoints_debug, "kvsendpoints", 0,
        "KVS AWS service endpoints");
    g_once_init_leave (&once, 1);
  }
}

/* The partitions' region patterns (partitions.json): aws-cn
 * ^cn\-\w+\-\d+$, aws-us-gov ^us\-gov\-\w+\-\d+$; anything else is aws. */
static gboolean
region_matches (const gchar * region, const gchar * prefix)
{
  const gchar *p;
  gsize n = 0;

  if (!g_str_has_prefix (region, prefix))
    return FALSE;
  p = region + strlen (prefix);
  while (*p && (g_ascii_isalnum (*p) || *p == '_')) {
    p++;
    n++;
  }
  if (n == 0 || *p != '-')
    return FALSE;
  p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  return *p == '\0';
}

const gchar *
gst_kvs_endpoint_partition (const gchar * region)
{
  if (region == NULL)
    return "aws";
  if (region_matches (region, "cn-"))
    return "aws-cn";
  if (region_matches (region, "us-gov-"))
    return "aws-us-gov";
  return "aws";
}

static const gchar *
service_prefix (GstKvsAwsService service)
{
  switch (service) {
    case GST_KVS_AWS_SERVICE_STS:
      return "sts";
    case GST_KVS_AWS_SERVICE_SSO:
      return "portal.sso";
    case GST_KVS_AWS_SERVICE_KINESIS_VIDEO:
    default:
      return "kinesisvideo";
  }
}

static const gchar *
service_env_suffix (GstKvsAwsService service)
{
  switch (service) {
    case GST_KVS_AWS_SERVICE_STS:
      return "STS";
    case GST_KVS_AWS_SERVICE_SSO:
      return "SSO";
    case GST_KVS_AWS_SERVICE_KINESIS_VIDEO:
    default:
      return "KINESIS_VIDEO";
  }
}

gchar *
gst_kvs_endpoint_for_region (GstKvsAwsService service, const gchar * region,
    gboolean use_fips, gboolean use_dualstack)
{
  const gchar *partition;
  const gchar *suffix;

  if (region == NULL || *region == '\0')
    region = GST_KVS_DEFAULT_REGION;
  partition = gst_kvs_endpoint_partition (region);
  if (strcmp (partition, "aws-cn") == 0)
    suffix = use_dualstack ? "api.amazonwebservices.com.cn" :
        "amazonaws.com.cn";
  else
    suffix = use_dualstack ? "api.aws" : "amazonaws.com";

  /* The sts rule set: in aws-us-gov the regional endpoints are FIPS. */
  if (service == GST_KVS_AWS_SERVICE_STS && use_fips && !use_dualstack
      && strcmp (partition, "aws-us-gov") == 0)
    use_fips = FALSE;

  return g_strdup_printf ("https://%s%s.%s.%s", service_prefix (service),
      use_fips ? "-fips" : "", region, suffix);
}

static gboolean
flag_setting (const gchar * env_name, const gchar * profile_key,
    const gchar * profile)
{
  const gchar *env = gst_kvs_env_get (env_name);
  g_autofree gchar *value = NULL;
  gboolean b = FALSE;

  ensure_debug ();
  if (env) {
    if (!gst_kvs_parse_bool (env, &b))
      GST_WARNING ("%s=%s is neither true nor false: taken as false",
          env_name, env);
    return b;
  }
  value = gst_kvs_aws_config_file_get (profile, profile_key);
  if (value && !gst_kvs_parse_bool (value, &b))
    GST_WARNING ("%s = %s in the AWS config file is neither true nor false: "
        "taken as false", profile_key, value);
  return b;
}

gboolean
gst_kvs_endpoint_use_fips (const gchar * profile)
{
  return flag_setting ("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", profile);
}

gboolean
gst_kvs_endpoint_use_dualstack (const gchar * profile)
{
  return flag_setting ("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint",
      profile);
}

/* The service's name in a [services] section of the config file. */
static const gchar *
service_config_name (GstKvsAwsService service)
{
  switch (service) {
    case GST_KVS_AWS_SERVICE_STS:
      return "sts";
    case GST_KVS_AWS_SERVICE_SSO:
      return "sso";
    case GST_KVS_AWS_SERVICE_KINESIS_VIDEO:
    default:
      return "kinesis_video";
  }
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

static gchar *
found (const gchar * url, const gchar * from, gchar ** source)
{
  GST_DEBUG ("endpoint %s (%s)", url, from);
  if (source)
    *source = g_strdup (from);
  return strip_trailing_slashes (url);
}

gchar *
gst_kvs_endpoint_resolve (GstKvsAwsService service,
    const gchar * explicit_endpoint, const gchar * region,
    const gchar * profile, gchar ** source)
{
  g_autofree gchar *env_name = NULL;
  g_autofree gchar *ignore = NULL, *profile_url = NULL;
  g_autofree gchar *services = NULL, *service_url = NULL;
  const gchar *env;
  gboolean ignore_configured = FALSE;
  gboolean fips, dualstack;
  gchar *url;

  ensure_debug ();
  if (explicit_endpoint && *explicit_endpoint)
    return found (explicit_endpoint, "set explicitly", source);

  if ((env = gst_kvs_env_get ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
    gst_kvs_parse_bool (env, &ignore_configured);
  else if ((ignore = gst_kvs_aws_config_file_get (profile,
              "ignore_configured_endpoint_urls")))
    gst_kvs_parse_bool (ignore, &ignore_configured);

  if (!ignore_configured) {
    env_name = g_strconcat ("AWS_ENDPOINT_URL_", service_env_suffix (service),
        NULL);
    if ((env = gst_kvs_env_get (env_name)))
      return found (env, env_name, source);
    if ((env = gst_kvs_env_get ("AWS_ENDPOINT_URL")))
      return found (env, "AWS_ENDPOINT_URL", source);
    services = gst_kvs_aws_config_file_get (profile, "services");
    if (services)
      service_url = gst_kvs_aws_config_file_services_get (services,
          service_config_name (service), "endpoint_url");
    if (service_url)
      return found (service_url, "the endpoint_url of the profile's "
          "services section", source);
    profile_url = gst_kvs_aws_config_file_get (profile, "endpoint_url");
    if (profile_url)
      return found (profile_url, "the profile's endpoint_url", source);
  }

  fips = gst_kvs_endpoint_use_fips (profile);
  dualstack = gst_kvs_endpoint_use_dualstack (profile);
  url = gst_kvs_endpoint_for_region (service, region, fips, dualstack);
  GST_DEBUG ("endpoint %s (region %s%s%s)", url, region ? region : "default",
      fips ? ", FIPS" : "", dualstack ? ", dual-stack" : "");
  if (source)
    *source = g_strdup_printf ("the %s%s%s endpoint of the region",
        fips ? "FIPS " : "", dualstack ? "dual-stack " : "",
        service_prefix (service));
  return url;
}
