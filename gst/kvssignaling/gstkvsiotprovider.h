/* kvssignaling: AWS IoT credentials provider: mutual TLS with the device
 * certificate, GET /role-aliases/<alias>/credentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_IOT_PROVIDER (gst_kvs_iot_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsIotProvider, gst_kvs_iot_provider,
    GST_KVS, IOT_PROVIDER, GstKvsCredentialsProvider)

/* Each NULL setting comes from the environment at each fetch, as AWS's C
 * SDK samples read it: AWS_IOT_CORE_CREDENTIAL_ENDPOINT (a host name, or
 * an https:// URL), AWS_IOT_CORE_CERT, AWS_IOT_CORE_PRIVATE_KEY,
 * AWS_IOT_CORE_ROLE_ALIAS, AWS_IOT_CORE_THING_NAME, and AWS_KVS_CACERT_PATH
 * for the CA (else the system's). NO_CREDENTIALS when no endpoint and no
 * role alias are set; an incomplete setting is an error naming what is
 * missing. */
GstKvsCredentialsProvider *gst_kvs_iot_provider_new (const gchar * endpoint,
    const gchar * cert_file, const gchar * key_file,
    const gchar * role_alias, const gchar * thing_name,
    const gchar * ca_file);

G_END_DECLS
