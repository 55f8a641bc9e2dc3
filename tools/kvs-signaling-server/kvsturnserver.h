/* kvs-signaling-server: the TURN server (coturn's turnserver) the service
 * starts as a child process, so that GetIceServerConfig answers with TURN
 * servers as AWS does.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KVS_TYPE_TURN_SERVER (kvs_turn_server_get_type ())
G_DECLARE_FINAL_TYPE (KvsTurnServer, kvs_turn_server, KVS, TURN_SERVER,
    GObject)

/**
 * KvsTurnServer:
 *
 * `turnserver` on a free port of @host (UDP and TCP), with a generated
 * shared secret (--use-auth-secret: the TURN REST credentials of
 * GetIceServerConfig), no configuration from /etc, its files in a private
 * temporary folder, its log in the debug category `kvsserverturn`. It dies
 * with the service (SIGTERM from kvs_turn_server_stop(), or the parent
 * death signal).
 */
KvsTurnServer *kvs_turn_server_new (const gchar * host);

/* Start it and wait (at most a few seconds) until it listens. FALSE with
 * G_IO_ERROR_NOT_FOUND when turnserver is not installed. */
gboolean kvs_turn_server_start (KvsTurnServer * self, GError ** error);
/* "turn:127.0.0.1:PORT?transport=udp", "...?transport=tcp". */
gchar **kvs_turn_server_get_uris (KvsTurnServer * self);
const gchar *kvs_turn_server_get_secret (KvsTurnServer * self);
/* SIGTERM, wait for it (then SIGKILL), remove its files. */
void kvs_turn_server_stop (KvsTurnServer * self);

G_END_DECLS
