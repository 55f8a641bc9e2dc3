/* kvssignaling: shared enumerations of the library.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * GstKvsRole:
 * @GST_KVS_ROLE_MASTER: the single master of a channel (answers offers).
 * @GST_KVS_ROLE_VIEWER: one of up to ten viewers (sends offers).
 */
typedef enum {
  GST_KVS_ROLE_MASTER,
  GST_KVS_ROLE_VIEWER,
} GstKvsRole;

/**
 * GstKvsSignalingState:
 *
 * The life cycle of one signaling connection, in the order a connect walks it.
 */
typedef enum {
  GST_KVS_SIGNALING_STATE_NEW,
  GST_KVS_SIGNALING_STATE_GET_CREDENTIALS,
  GST_KVS_SIGNALING_STATE_DESCRIBE,
  GST_KVS_SIGNALING_STATE_CREATE,
  GST_KVS_SIGNALING_STATE_GET_ENDPOINT,
  GST_KVS_SIGNALING_STATE_GET_ICE_CONFIG,
  GST_KVS_SIGNALING_STATE_CONNECTING,
  GST_KVS_SIGNALING_STATE_CONNECTED,
  GST_KVS_SIGNALING_STATE_DISCONNECTED,
  GST_KVS_SIGNALING_STATE_FAILED,
} GstKvsSignalingState;

/**
 * GstKvsMessageType:
 *
 * The message types of the KVS signaling WebSocket. Outgoing actions use the
 * first three; the service sends all of them. UNKNOWN marks a frame whose
 * type the library does not know (it is ignored).
 */
typedef enum {
  GST_KVS_MESSAGE_TYPE_UNKNOWN,
  GST_KVS_MESSAGE_TYPE_SDP_OFFER,
  GST_KVS_MESSAGE_TYPE_SDP_ANSWER,
  GST_KVS_MESSAGE_TYPE_ICE_CANDIDATE,
  GST_KVS_MESSAGE_TYPE_STATUS_RESPONSE,
  GST_KVS_MESSAGE_TYPE_GO_AWAY,
  GST_KVS_MESSAGE_TYPE_RECONNECT_ICE_SERVER,
} GstKvsMessageType;

G_END_DECLS
