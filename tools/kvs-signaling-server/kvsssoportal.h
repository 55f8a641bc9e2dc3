/* kvs-signaling-server: the IAM Identity Center (SSO) portal's
 * GetRoleCredentials (--emulate-credentials).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "kvsserver.h"

G_BEGIN_DECLS

#define KVS_TYPE_SSO_PORTAL (kvs_sso_portal_get_type ())
G_DECLARE_FINAL_TYPE (KvsSsoPortal, kvs_sso_portal, KVS, SSO_PORTAL, GObject)

/* Registers /federation/credentials on @server's SoupServer; @server owns
 * the returned object and outlives it. */
KvsSsoPortal *kvs_sso_portal_new (KvsServer * server);

G_END_DECLS
