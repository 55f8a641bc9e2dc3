/* kvssignaling: the control plane's replies, read and checked.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include "gstkvscontrolplane.h"

G_BEGIN_DECLS

/* Replies larger than this are refused: the largest real reply (a few ICE
 * server sets) is under 4 KiB. */
#define GST_KVS_MAX_REPLY_SIZE (1024 * 1024)

#define GST_KVS_OP_DESCRIBE "DescribeSignalingChannel"
#define GST_KVS_OP_CREATE "CreateSignalingChannel"
#define GST_KVS_OP_DELETE "DeleteSignalingChannel"
#define GST_KVS_OP_ENDPOINT "GetSignalingChannelEndpoint"
#define GST_KVS_OP_ICE "GetIceServerConfig"
#define GST_KVS_OP_JOIN_STORAGE "JoinStorageSession"
#define GST_KVS_OP_JOIN_STORAGE_VIEWER "JoinStorageSessionAsViewer"
#define GST_KVS_OP_DESCRIBE_STORAGE "DescribeMediaStorageConfiguration"
#define GST_KVS_OP_UPDATE_STORAGE "UpdateMediaStorageConfiguration"

/* One operation's reply: root object in, result or error out. */
typedef gpointer (*GstKvsReplyParseFunc) (JsonObject * root, GError ** error);

G_GNUC_INTERNAL
gpointer gst_kvs_reply_parse_describe (JsonObject * root, GError ** error);
G_GNUC_INTERNAL
gpointer gst_kvs_reply_parse_create (JsonObject * root, GError ** error);
G_GNUC_INTERNAL
gpointer gst_kvs_reply_parse_endpoints (JsonObject * root, GError ** error);
G_GNUC_INTERNAL
gpointer gst_kvs_reply_parse_webrtc_endpoint (JsonObject * root,
    GError ** error);
G_GNUC_INTERNAL
gpointer gst_kvs_reply_parse_media_storage (JsonObject * root,
    GError ** error);
G_GNUC_INTERNAL
gpointer gst_kvs_reply_parse_ice_config (JsonObject * root, GError ** error);

/* A 2xx reply body of @operation: empty is fine only when @parse is NULL
 * (no result expected), otherwise a JSON object handed to @parse. On
 * success *@result gets what @parse returned (NULL without @parse). */
G_GNUC_INTERNAL
gboolean gst_kvs_reply_parse_success_body (const gchar * operation,
    GstKvsReplyParseFunc parse, const gchar * body, gsize len,
    gpointer * result, GError ** error);

G_END_DECLS
