/* kvssignaling: AWS IAM Identity Center (SSO) credentials: the AWS CLI's
 * token cache (~/.aws/sso/cache/<sha1>.json) → the portal's
 * GetRoleCredentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_SSO_PROVIDER (gst_kvs_sso_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsSsoProvider, gst_kvs_sso_provider,
    GST_KVS, SSO_PROVIDER, GstKvsCredentialsProvider)

/* @sso_session: the sso_session name (the cache key is its SHA-1), NULL
 * for the legacy settings (the key is the SHA-1 of @start_url). The portal:
 * AWS_ENDPOINT_URL_SSO, else https://portal.sso.<sso_region>.amazonaws.com.
 * @profile names the profile in errors ("run aws sso login --profile"). */
GstKvsCredentialsProvider *gst_kvs_sso_provider_new (const gchar * sso_session,
    const gchar * start_url, const gchar * sso_region,
    const gchar * account_id, const gchar * role_name,
    const gchar * profile);

/* The CLI's token cache file for @sso_session or, when NULL, @start_url. */
gchar *gst_kvs_sso_cache_file (const gchar * sso_session,
    const gchar * start_url);

G_END_DECLS
