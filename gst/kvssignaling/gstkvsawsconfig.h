/* kvssignaling: the shared AWS files (~/.aws/credentials, ~/.aws/config),
 * region and endpoint resolution.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GST_KVS_DEFAULT_REGION "us-east-1"

/**
 * GST_KVS_AWS_MAX_VIEWERS:
 *
 * The service's limit of viewers connected to one signaling channel at
 * once.
 */
#define GST_KVS_AWS_MAX_VIEWERS 10

/* The profile in use: @profile, else AWS_PROFILE, else "default". */
gchar *gst_kvs_aws_profile_name (const gchar * profile);

/* A value of @profile from the shared credentials file
 * (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials; section [name]) or
 * the config file (AWS_CONFIG_FILE, else ~/.aws/config; section
 * [profile name], or [default]). NULL when absent. */
gchar *gst_kvs_aws_credentials_file_get (const gchar * profile,
    const gchar * key);
gchar *gst_kvs_aws_config_file_get (const gchar * profile, const gchar * key);

/* A value of the config file's [@kind @name] section (kind "sso-session",
 * "services"); NULL when absent. */
gchar *gst_kvs_aws_config_file_section_get (const gchar * kind,
    const gchar * name, const gchar * key);

/* A sub-key of @service (its config name: "kinesis_video", "sts", "sso")
 * in the config file's [services @services] section:
 *   [services my-services]
 *   kinesis_video =
 *     endpoint_url = http://localhost:4566
 * NULL when absent. */
gchar *gst_kvs_aws_config_file_services_get (const gchar * services,
    const gchar * service, const gchar * key);

/* The paths in use: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE (a
 * leading "~/" expanded), else ~/.aws/credentials and ~/.aws/config ($HOME
 * when set, else g_get_home_dir()). */
gchar *gst_kvs_aws_credentials_file_path (void);
gchar *gst_kvs_aws_config_file_path (void);

/* As the _get functions, and say whether the file could be read
 * (*@file_found) and whether it has a section for the profile
 * (*@profile_found). Either pointer may be NULL. */
gchar *gst_kvs_aws_credentials_file_lookup (const gchar * profile,
    const gchar * key, gboolean * file_found, gboolean * profile_found);
gchar *gst_kvs_aws_config_file_lookup (const gchar * profile,
    const gchar * key, gboolean * file_found, gboolean * profile_found);

/* Region: @explicit_region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * "region", then "us-east-1". */
gchar *gst_kvs_aws_resolve_region (const gchar * explicit_region,
    const gchar * profile);
/* The same, and in *@source (may be NULL; free it) where the region came
 * from, in words: "set explicitly", "AWS_REGION", "AWS_DEFAULT_REGION",
 * "profile 'x' of the AWS config file", or the default's explanation. */
gchar *gst_kvs_aws_resolve_region_full (const gchar * explicit_region,
    const gchar * profile, gchar ** source);

/* Control-plane endpoint: @explicit_endpoint, AWS_ENDPOINT_URL_KINESIS_VIDEO,
 * AWS_ENDPOINT_URL, else https://kinesisvideo.<region>.amazonaws.com
 * (.amazonaws.com.cn for cn- regions). No trailing slash. */
gchar *gst_kvs_aws_resolve_endpoint (const gchar * explicit_endpoint,
    const gchar * region);

/* Whether @endpoint (a control-plane URL) is one of AWS's: its host is
 * amazonaws.com, amazonaws.com.cn, or a dual-stack domain (api.aws,
 * api.amazonwebservices.com.cn), or ends with one of them. */
gboolean gst_kvs_aws_endpoint_is_aws (const gchar * endpoint);

G_END_DECLS
