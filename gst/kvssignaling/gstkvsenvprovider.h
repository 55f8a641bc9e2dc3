/* kvssignaling: credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN (and AWS_CREDENTIAL_EXPIRATION), read at each fetch.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_ENV_PROVIDER (gst_kvs_env_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsEnvProvider, gst_kvs_env_provider,
    GST_KVS, ENV_PROVIDER, GstKvsCredentialsProvider)

GstKvsCredentialsProvider *gst_kvs_env_provider_new (void);

G_END_DECLS
