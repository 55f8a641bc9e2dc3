/* kvssignaling: AWS service endpoints (FIPS, dual-stack, partitions,
 * endpoint overrides).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  GST_KVS_AWS_SERVICE_KINESIS_VIDEO,
  GST_KVS_AWS_SERVICE_STS,
  GST_KVS_AWS_SERVICE_SSO,      /* the SSO portal (GetRoleCredentials) */
} GstKvsAwsService;

/* The partition of @region: "aws", "aws-cn" or "aws-us-gov". */
const gchar *gst_kvs_endpoint_partition (const gchar * region);

/* The default endpoint of @service in @region as the AWS SDKs build it
 * (endpoint rule sets of kinesisvideo and sts, STS regional):
 * https://<svc>[-fips].<region>.<amazonaws.com | api.aws> for aws and
 * aws-us-gov, .amazonaws.com.cn / .api.amazonwebservices.com.cn for aws-cn;
 * STS with FIPS in aws-us-gov without dual-stack: sts.<region>.amazonaws.com.
 * No trailing slash. */
gchar *gst_kvs_endpoint_for_region (GstKvsAwsService service,
    const gchar * region, gboolean use_fips, gboolean use_dualstack);

/* AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT ("true"/"false"),
 * else the profile's use_fips_endpoint / use_dualstack_endpoint, else FALSE.
 * @profile NULL: AWS_PROFILE, else "default". */
gboolean gst_kvs_endpoint_use_fips (const gchar * profile);
gboolean gst_kvs_endpoint_use_dualstack (const gchar * profile);

/* The endpoint of @service: @explicit_endpoint, else (unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's
 * ignore_configured_endpoint_urls is true) AWS_ENDPOINT_URL_<SERVICE>
 * (KINESIS_VIDEO, STS, SSO), AWS_ENDPOINT_URL, the endpoint_url of the
 * service (kinesis_video, sts, sso) in the [services] section the profile's
 * "services" names, the profile's endpoint_url,
 * else gst_kvs_endpoint_for_region() with the FIPS and dual-stack settings.
 * *@source (may be NULL; free it) says which, in words. */
gchar *gst_kvs_endpoint_resolve (GstKvsAwsService service,
    const gchar * explicit_endpoint, const gchar * region,
    const gchar * profile, gchar ** source);

G_END_DECLS
