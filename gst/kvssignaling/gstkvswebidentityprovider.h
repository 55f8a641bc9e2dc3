/* kvssignaling: web identity credentials (AWS_WEB_IDENTITY_TOKEN_FILE,
 * AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME → STS AssumeRoleWithWebIdentity).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvssts.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_WEB_IDENTITY_PROVIDER (gst_kvs_web_identity_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsWebIdentityProvider,
    gst_kvs_web_identity_provider, GST_KVS, WEB_IDENTITY_PROVIDER,
    GstKvsStsProvider)

/* @token_file and @role_arn NULL: AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN
 * and AWS_ROLE_SESSION_NAME, read at each fetch (NO_CREDENTIALS when
 * unset). The token file is read at each fetch (it is rotated). STS: the
 * region of @profile's settings (AWS_REGION, ...), its endpoint
 * (AWS_ENDPOINT_URL_STS, FIPS, ...). */
GstKvsCredentialsProvider *gst_kvs_web_identity_provider_new (const gchar *
    token_file, const gchar * role_arn, const gchar * session_name,
    const gchar * profile);

G_END_DECLS
