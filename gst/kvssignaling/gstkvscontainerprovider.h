/* kvssignaling: container credentials (ECS task roles, EKS Pod Identity):
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_CONTAINER_PROVIDER (gst_kvs_container_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsContainerProvider, gst_kvs_container_provider,
    GST_KVS, CONTAINER_PROVIDER, GstKvsCredentialsProvider)

/* Reads the variables at each fetch: RELATIVE_URI → http://169.254.170.2
 * <uri>; else FULL_URI, which must be https or name a loopback address
 * (127.0.0.0/8, ::1, localhost) or the ECS/EKS agents (169.254.170.2,
 * 169.254.170.23, fd00:ec2::23). NO_CREDENTIALS when neither is set. */
GstKvsCredentialsProvider *gst_kvs_container_provider_new (void);

G_END_DECLS
