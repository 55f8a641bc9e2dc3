/* kvs-signaling-server: the certificate authority of the IoT credentials
 * provider: created (or loaded) in a folder, issuing device certificates
 * as AWS IoT's CreateKeysAndCertificate does, and the IoT port's server
 * certificate.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KVS_TYPE_IOT_CA (kvs_iot_ca_get_type ())
G_DECLARE_FINAL_TYPE (KvsIotCa, kvs_iot_ca, KVS, IOT_CA, GObject)

/* A device certificate and its key (PEM; the key is a secret: never in
 * logs). */
typedef struct
{
  gchar *certificate_id;        /* SHA-256 of the DER, 64 hex digits */
  gchar *certificate_pem;
  gchar *public_key_pem;
  gchar *private_key_pem;
} KvsIotDeviceCertificate;

void kvs_iot_device_certificate_free (KvsIotDeviceCertificate * c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvsIotDeviceCertificate,
    kvs_iot_device_certificate_free);

/* The CA of @dir: ca.pem and ca.key there, or, when neither exists, a new
 * one written there (the folder made 0700, both files 0600). *@created
 * (optional) says which. */
KvsIotCa *kvs_iot_ca_open (const gchar * dir, gboolean * created,
    GError ** error);

/* The absolute path of the CA certificate (ca.pem). */
const gchar *kvs_iot_ca_get_certificate_file (KvsIotCa * self);

/* A thing name as AWS IoT accepts it: 1..128 of [a-zA-Z0-9:_-]. */
gboolean kvs_iot_ca_thing_name_is_valid (const gchar * thing);

/* A new key pair and a client certificate for thing @thing (its subject
 * CN, which the IoT endpoint checks against x-amzn-iot-thingname). */
KvsIotDeviceCertificate *kvs_iot_ca_issue_device (KvsIotCa * self,
    const gchar * thing, GError ** error);

/* The same, written to FOLDER/THING.cert.pem and FOLDER/THING.private.key
 * (0600) in the CA's folder; *@cert_file (optional) gets the first path. */
gboolean kvs_iot_ca_write_device (KvsIotCa * self, const gchar * thing,
    gchar ** cert_file, GError ** error);

/* A server certificate (with its key) for @host (an IP address, and
 * localhost), for the IoT port. */
GTlsCertificate *kvs_iot_ca_issue_server (KvsIotCa * self,
    const gchar * host, GError ** error);

G_END_DECLS
