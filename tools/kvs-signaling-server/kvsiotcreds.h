/* kvs-signaling-server: the AWS IoT credentials provider endpoint on its
 * own mutual-TLS port (--iot-listen).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "kvsserver.h"
#include "kvsiotca.h"

G_BEGIN_DECLS

#define KVS_TYPE_IOT_CREDENTIALS (kvs_iot_credentials_get_type ())
G_DECLARE_FINAL_TYPE (KvsIotCredentials, kvs_iot_credentials, KVS,
    IOT_CREDENTIALS, GObject)

/* @server owns the returned object and outlives it. */
KvsIotCredentials *kvs_iot_credentials_new (KvsServer * server);
/* Load the certificates and listen on config->iot_listen_host/port. */
gboolean kvs_iot_credentials_start (KvsIotCredentials * self,
    GError ** error);
/* The CA that issues device certificates (--iot-ca-dir), NULL with a
 * given CA certificate (--iot-ca-cert); valid after start. */
KvsIotCa *kvs_iot_credentials_get_ca (KvsIotCredentials * self);
/* "https://127.0.0.1:PORT"; valid after start. */
const gchar *kvs_iot_credentials_get_base_url (KvsIotCredentials * self);

G_END_DECLS
