/* kvssignaling: what a refused TLS certificate was refused for.
 * Internal to the library (not installed): shared by gstkvscontrolplane.c
 * (REST calls) and gstkvssignalingclient.c (the WebSocket handshake).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Watches the TLS handshake of @msg: the problems of a certificate the
 * verification refuses are kept on @msg for gst_kvs_tls_error_new(). The
 * certificate stays refused (TLS is always verified). */
G_GNUC_INTERNAL
void gst_kvs_tls_watch (SoupMessage * msg);

/* When @error (from sending @msg) is a refused certificate: a new
 * GST_KVS_ERROR_TLS_CERTIFICATE error "<what> failed: the TLS certificate of
 * <host:port> was refused: <problems>; <the fix>", else NULL. */
G_GNUC_INTERNAL
GError *gst_kvs_tls_error_new (SoupMessage * msg, const GError * error,
    const gchar * what);

G_END_DECLS
