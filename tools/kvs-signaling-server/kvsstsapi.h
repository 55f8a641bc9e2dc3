/* kvs-signaling-server: the AWS STS query API (AssumeRole,
 * AssumeRoleWithWebIdentity, GetCallerIdentity) at POST / of the service
 * (--emulate-credentials).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "kvsserver.h"

G_BEGIN_DECLS

#define KVS_TYPE_STS_API (kvs_sts_api_get_type ())
G_DECLARE_FINAL_TYPE (KvsStsApi, kvs_sts_api, KVS, STS_API, GObject)

/* @server owns the returned object and outlives it. */
KvsStsApi *kvs_sts_api_new (KvsServer * server);

/* Answer @msg, a request to "/" (POST with a form body). */
void kvs_sts_api_handle (KvsStsApi * self, SoupServerMessage * msg);

G_END_DECLS
