/* kvs-signaling-server: the EC2 instance metadata service, IMDSv2 only
 * (--emulate-credentials): /latest/api/token and the instance role's
 * credentials.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "kvsserver.h"

G_BEGIN_DECLS

#define KVS_TYPE_IMDS (kvs_imds_get_type ())
G_DECLARE_FINAL_TYPE (KvsImds, kvs_imds, KVS, IMDS, GObject)

/* Registers the /latest handler on @server's SoupServer; @server owns the
 * returned object and outlives it. */
KvsImds *kvs_imds_new (KvsServer * server);

G_END_DECLS
