/* kvssignaling: the HTTP(S) proxy of the usual environment variables.
 * Internal to the library (not installed); compiled into the plugin too.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A resolver for all_proxy, https_proxy, http_proxy and no_proxy (either
 * case; https_proxy also serves wss://, http_proxy ws://), or NULL for
 * direct connections when none is set: the "proxy-resolver" of every
 * SoupSession that signaling or the control plane uses. GIO's default
 * resolver (libproxy on Debian 12) is never used: it is not safe when
 * several threads resolve at once. */
G_GNUC_INTERNAL
GProxyResolver *gst_kvs_proxy_resolver_from_env (void);

G_END_DECLS
