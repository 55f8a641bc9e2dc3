/* kvssignaling: STS AssumeRole, signed with a source provider's
 * credentials (a profile's role_arn with source_profile or
 * credential_source).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvssts.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_ASSUME_ROLE_PROVIDER (gst_kvs_assume_role_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsAssumeRoleProvider, gst_kvs_assume_role_provider,
    GST_KVS, ASSUME_ROLE_PROVIDER, GstKvsStsProvider)

/* @source: where the signing credentials come from (fetched, uncached, at
 * each refresh). @session_name NULL: kvssignaling-<time>; @external_id
 * optional; @duration_s 0: STS's default. STS region and endpoint from
 * @profile's settings. */
GstKvsCredentialsProvider *gst_kvs_assume_role_provider_new
    (GstKvsCredentialsProvider * source, const gchar * role_arn,
    const gchar * session_name, const gchar * external_id, guint duration_s,
    const gchar * profile);

G_END_DECLS
