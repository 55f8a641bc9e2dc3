/* kvs-signaling-server: the storage peer of one WebRTC ingestion session
 * (JoinStorageSession): a helper process (kvs-storage-peer.py, GStreamer's
 * webrtcbin) that offers to the channel's master and records what it
 * sends.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "kvschannel.h"

G_BEGIN_DECLS

#define KVS_TYPE_STORAGE_PEER (kvs_storage_peer_get_type ())
G_DECLARE_FINAL_TYPE (KvsStoragePeer, kvs_storage_peer, KVS, STORAGE_PEER,
    GObject)

/* Start the helper @helper (a python3 gi script) recording into @output
 * and make it @channel's storage session (ending the previous one): its
 * offer and candidates go to the master as client @client_id's. The
 * session ends when the master leaves, the peer connection fails or the
 * helper exits; the helper then finishes the file. FALSE and @error when
 * the helper cannot be started. */
gboolean kvs_storage_peer_start (KvsChannel * channel, const gchar * helper,
    const gchar * output, const gchar * client_id, GError ** error);

G_END_DECLS
