/* kvssignaling: a provider of fixed credentials (explicit values, a
 * profile's static keys).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_STATIC_PROVIDER (gst_kvs_static_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsStaticProvider, gst_kvs_static_provider,
    GST_KVS, STATIC_PROVIDER, GstKvsCredentialsProvider)

/* @creds NULL: the provider says NO_CREDENTIALS with @why_none (e.g.
 * "no explicit access key id"). Named @name. */
GstKvsCredentialsProvider *gst_kvs_static_provider_new (const gchar * name,
    GstKvsCredentials * creds, const gchar * why_none);

/* The explicit values: both key parts, or none (NO_CREDENTIALS), else an
 * error saying which part is missing. */
GstKvsCredentialsProvider *gst_kvs_explicit_provider_new (const gchar *
    access_key_id, const gchar * secret_access_key,
    const gchar * session_token);

G_END_DECLS
