/* kvs-signaling-server: one Kinesis video stream (CreateStream), as far as
 * WebRTC ingestion needs one: a name for where a channel's recordings go.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KVS_TYPE_STREAM (kvs_stream_get_type ())
G_DECLARE_FINAL_TYPE (KvsStream, kvs_stream, KVS, STREAM, GObject)

/* @device_name, @media_type: NULL when not given. */
KvsStream *kvs_stream_new (const gchar * name, const gchar * arn,
    const gchar * version, gint64 creation_time_ms, const gchar * device_name,
    const gchar * media_type, const gchar * kms_key_id,
    gint64 retention_hours);

const gchar *kvs_stream_get_name (KvsStream * self);
const gchar *kvs_stream_get_arn (KvsStream * self);
const gchar *kvs_stream_get_version (KvsStream * self);
gint64 kvs_stream_get_creation_time_ms (KvsStream * self);
gint64 kvs_stream_get_retention_hours (KvsStream * self);

/* StreamInfo as DescribeStream returns it. */
JsonNode *kvs_stream_info_to_json (KvsStream * self);

G_END_DECLS
