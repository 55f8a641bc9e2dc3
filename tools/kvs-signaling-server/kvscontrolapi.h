/* kvs-signaling-server: the test control API (/_control, --control only).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "kvsserver.h"

G_BEGIN_DECLS

#define KVS_TYPE_CONTROL_API (kvs_control_api_get_type ())
G_DECLARE_FINAL_TYPE (KvsControlApi, kvs_control_api, KVS, CONTROL_API,
    GObject)

/* Registers the /_control handler on @server's SoupServer. @server owns the
 * returned object and outlives it. No authentication: for tests only. */
KvsControlApi *kvs_control_api_new (KvsServer * server);

G_END_DECLS
