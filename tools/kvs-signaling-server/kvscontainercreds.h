/* kvs-signaling-server: the container credentials endpoint
 * (--emulate-credentials): ECS (GET /v2/credentials/ID, the relative URI)
 * and EKS Pod Identity (GET /v1/credentials).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "kvsserver.h"

G_BEGIN_DECLS

#define KVS_TYPE_CONTAINER_CREDENTIALS (kvs_container_credentials_get_type ())
G_DECLARE_FINAL_TYPE (KvsContainerCredentials, kvs_container_credentials,
    KVS, CONTAINER_CREDENTIALS, GObject)

/* Registers the handlers on @server's SoupServer; @server owns the returned
 * object and outlives it. */
KvsContainerCredentials *kvs_container_credentials_new (KvsServer * server);

G_END_DECLS
