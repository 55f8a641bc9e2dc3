/* kvs-signaling-server: one Kinesis video stream.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kvsstream.h"

struct _KvsStream
{
  GObject parent;

  gchar *name;
  gchar *arn;
  gchar *version;
  gint64 creation_time_ms;
  gchar *device_name;
  gchar *media_type;
  gchar *kms_key_id;
  gint64 retention_hours;
};

G_DEFINE_FINAL_TYPE (KvsStream, kvs_stream, G_TYPE_OBJECT);

static void
kvs_stream_finalize (GObject * object)
{
  KvsStream *self = KVS_STREAM (object);

  g_free (self->name);
  g_free (self->arn);
  g_free (self->version);
  g_free (self->device_name);
  g_free (self->media_type);
  g_free (self->kms_key_id);
  G_OBJECT_CLASS (kvs_stream_parent_class)->finalize (object);
}

static void
kvs_stream_class_init (KvsStreamClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = kvs_stream_finalize;
}

static void
kvs_stream_init (KvsStream * self)
{
}

KvsStream *
kvs_stream_new (const gchar * name, const gchar * arn, const gchar * version,
    gint64 creation_time_ms, const gchar * device_name,
    const gchar * media_type, const gchar * kms_key_id, gint64 retention_hours)
{
  KvsStream *self;

  g_return_val_if_fail (name != NULL && arn != NULL && version != NULL, NULL);
  g_return_val_if_fail (kms_key_id != NULL, NULL);

  self = g_object_new (KVS_TYPE_STREAM, NULL);
  self->name = g_strdup (name);
  self->arn = g_strdup (arn);
  self->version = g_strdup (version);
  self->creation_time_ms = creation_time_ms;
  self->device_name = g_strdup (device_name);
  self->media_type = g_strdup (media_type);
  self->kms_key_id = g_strdup (kms_key_id);
  self->retention_hours = retention_hours;
  return self;
}

const gchar *
kvs_stream_get_name (KvsStream * self)
{
  g_return_val_if_fail (KVS_IS_STREAM (self), NULL);
  return self->name;
}

const gchar *
kvs_stream_get_arn (KvsStream * self)
{
  g_return_val_if_fail (KVS_IS_STREAM (self), NULL);
  return self->arn;
}

const gchar *
kvs_stream_get_version (KvsStream * self)
{
  g_return_val_if_fail (KVS_IS_STREAM (self), NULL);
  return self->version;
}

gint64
kvs_stream_get_creation_time_ms (KvsStream * self)
{
  g_return_val_if_fail (KVS_IS_STREAM (self), 0);
  return self->creation_time_ms;
}

gint64
kvs_stream_get_retention_hours (KvsStream * self)
{
  g_return_val_if_fail (KVS_IS_STREAM (self), 0);
  return self->retention_hours;
}

JsonNode *
kvs_stream_info_to_json (KvsStream * self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (KVS_IS_STREAM (self), NULL);

  json_builder_begin_object (b);
  if (self->device_name) {
    json_builder_set_member_name (b, "DeviceName");
    json_builder_add_string_value (b, self->device_name);
  }
  json_builder_set_member_name (b, "StreamName");
  json_builder_add_string_value (b, self->name);
  json_builder_set_member_name (b, "StreamARN");
  json_builder_add_string_value (b, self->arn);
  if (self->media_type) {
    json_builder_set_member_name (b, "MediaType");
    json_builder_add_string_value (b, self->media_type);
  }
  json_builder_set_member_name (b, "KmsKeyId");
  json_builder_add_string_value (b, self->kms_key_id);
  json_builder_set_member_name (b, "Version");
  json_builder_add_string_value (b, self->version);
  json_builder_set_member_name (b, "Status");
  json_builder_add_string_value (b, "ACTIVE");
  json_builder_set_member_name (b, "CreationTime");
  json_builder_add_double_value (b, self->creation_time_ms / 1000.0);
  json_builder_set_member_name (b, "DataRetentionInHours");
  json_builder_add_int_value (b, self->retention_hours);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
