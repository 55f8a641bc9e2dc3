/* kvssignaling: what a host in a URL the library writes may be.
 * Internal to the library (not installed): shared by gstkvssigv4.c and
 * gstkvsiceserver.c.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when the @len bytes at @host ((gsize) -1: NUL-terminated) are a host
 * that reads back the same once written into a URL: a DNS name (labels of
 * 1..63 [A-Za-z0-9_-], not starting or ending with '-', separated by single
 * dots, 253 bytes at most; an IPv4 address is one), or an IPv6 address,
 * within brackets when @ipv6_bracketed ("[::1]") and without otherwise
 * ("::1"). Never a %-escape, a userinfo, a port or a zone id. */
G_GNUC_INTERNAL
gboolean gst_kvs_host_is_valid (const gchar * host, gsize len,
    gboolean ipv6_bracketed);

G_END_DECLS
