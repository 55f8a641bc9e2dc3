/* kvssignaling: a profile of the shared AWS files: role_arn (with
 * source_profile, credential_source or web_identity_token_file), SSO
 * (sso_session or the legacy settings), static keys, credential_process.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_PROFILE_PROVIDER (gst_kvs_profile_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsProfileProvider, gst_kvs_profile_provider,
    GST_KVS, PROFILE_PROVIDER, GstKvsCredentialsProvider)

/* @profile NULL: AWS_PROFILE, else "default". The files are read at each
 * fetch, in botocore's order: role_arn (AssumeRole signed with the
 * source_profile's or credential_source's credentials, or
 * AssumeRoleWithWebIdentity with web_identity_token_file), SSO, static
 * keys of the credentials file, credential_process, static keys of the
 * config file. NO_CREDENTIALS when the profile has none of them. */
GstKvsCredentialsProvider *gst_kvs_profile_provider_new (const gchar *
    profile);

/* The provider the profile's settings make now (what a fetch uses), or
 * NULL with an error. */
GstKvsCredentialsProvider *gst_kvs_profile_provider_resolve (const gchar *
    profile, GError ** error);

G_END_DECLS
