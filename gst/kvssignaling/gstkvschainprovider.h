/* kvssignaling: the credential chain: sources tried in order, the first
 * that has credentials kept.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_CHAIN_PROVIDER (gst_kvs_chain_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsChainProvider, gst_kvs_chain_provider,
    GST_KVS, CHAIN_PROVIDER, GstKvsCredentialsProvider)

/* The AWS IoT settings of gst_kvs_credentials_provider_new_default(); NULL
 * members come from the environment (AWS_IOT_CORE_*, AWS_KVS_CACERT_PATH). */
typedef struct {
  const gchar *endpoint;
  const gchar *cert_file;
  const gchar *key_file;
  const gchar *role_alias;
  const gchar *thing_name;
  const gchar *ca_file;
} GstKvsIotSettings;

/* A chain of @providers (NULL-terminated; references taken). A source
 * that answers NO_CREDENTIALS passes to the next; any other error ends the
 * fetch with it. The source that answered is tried first next time. */
GstKvsCredentialsProvider *gst_kvs_chain_provider_new
    (GstKvsCredentialsProvider ** providers);

/* The name of the source the last credentials came from, or NULL. */
const gchar *gst_kvs_chain_provider_get_current (GstKvsChainProvider * self);

/* The library's default chain: explicit values (both key parts or none),
 * AWS IoT (@iot, then the environment; skipped when no endpoint and role
 * alias), the environment, web identity (AWS_WEB_IDENTITY_TOKEN_FILE...),
 * @profile (NULL: AWS_PROFILE, else "default") of the shared files,
 * container credentials, EC2 IMDSv2. */
GstKvsCredentialsProvider *gst_kvs_credentials_provider_new_default
    (const gchar * access_key_id, const gchar * secret_access_key,
    const gchar * session_token, const gchar * profile,
    const GstKvsIotSettings * iot);

G_END_DECLS
