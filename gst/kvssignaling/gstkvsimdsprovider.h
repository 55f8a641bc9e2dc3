/* kvssignaling: EC2 instance role credentials through IMDSv2 only (token,
 * role, credentials).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_IMDS_PROVIDER (gst_kvs_imds_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsImdsProvider, gst_kvs_imds_provider,
    GST_KVS, IMDS_PROVIDER, GstKvsCredentialsProvider)

/* At each fetch: NO_CREDENTIALS when AWS_EC2_METADATA_DISABLED is true;
 * the endpoint is AWS_EC2_METADATA_SERVICE_ENDPOINT, else @profile's
 * ec2_metadata_service_endpoint, else http://169.254.169.254. Every request
 * gives up after 1 s, as botocore's. An unreachable IMDS is NO_CREDENTIALS
 * (the chain goes on, naming it) unless @required (credential_source
 * Ec2InstanceMetadata), then CREDENTIALS_SOURCE. */
GstKvsCredentialsProvider *gst_kvs_imds_provider_new (const gchar * profile,
    gboolean required);

G_END_DECLS
