/* kvssignaling: the settings of one signaling connection.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include "gstkvstypes.h"

G_BEGIN_DECLS

/**
 * GstKvsSettings:
 * @role: master or viewer
 * @channel_name: (nullable): the channel's name
 * @channel_arn: (nullable): the channel's ARN (gives the region too)
 * @region: (nullable): NULL: the AWS chain decides
 * @endpoint: (nullable): the control-plane URL; NULL: the region's
 * @client_id: (nullable): a viewer's client id; NULL: generated
 * @access_key: (nullable): with @secret_key, the credentials to use
 * @secret_key: (nullable): never logged
 * @session_token: (nullable): never logged
 * @profile: (nullable): AWS profile of the shared files
 * @ca_file: (nullable): PEM file of the authorities to trust instead of the
 *   system's
 * @create_channel: create the channel when it does not exist
 * @message_ttl: MessageTtlSeconds of a created channel
 * @max_payload: largest message payload in bytes
 * @keepalive_interval: seconds between WebSocket pings
 * @send_timeout: seconds a message may wait for a connection
 * @request_timeout: seconds each step of a connect attempt may take
 * @max_connection_age: seconds before a connection is replaced
 * @iot_endpoint: (nullable): the AWS IoT credentials provider's host name
 *   or URL; NULL: AWS_IOT_CORE_CREDENTIAL_ENDPOINT
 * @iot_certificate: (nullable): the device certificate (PEM file); NULL:
 *   AWS_IOT_CORE_CERT
 * @iot_private_key: (nullable): the device's private key (PEM file); NULL:
 *   AWS_IOT_CORE_PRIVATE_KEY
 * @iot_role_alias: (nullable): the IoT role alias; NULL:
 *   AWS_IOT_CORE_ROLE_ALIAS
 * @iot_thing_name: (nullable): the IoT thing name, also the channel's name
 *   when neither @channel_name nor @channel_arn is set; NULL:
 *   AWS_IOT_CORE_THING_NAME
 * @stun_server: (nullable): "stun://host:port" for the WebRTC sessions;
 *   NULL: the region's KVS STUN server on AWS (see
 *   gst_kvs_settings_dup_stun_uri()), "none": none
 * @correlation_id: (nullable): the correlation id of sent messages; NULL: a
 *   unique id per message
 * @local_addresses: (nullable): the local addresses ICE may use
 * @answer_timeout: a viewer's seconds before "no master answered"; 0: never
 *
 * Everything a signaling connection is configured with: what the elements'
 * properties say, what gst_kvs_signaling_client_new_from_settings() takes
 * (the first block: the client's properties of the same names) and what
 * the elements' WebRTC sessions use (the last four). A boxed type; embed it
 * with gst_kvs_settings_init() and gst_kvs_settings_clear(), or allocate it
 * with gst_kvs_settings_new().
 */
typedef struct
{
  GstKvsRole role;
  gchar *channel_name;
  gchar *channel_arn;
  gchar *region;
  gchar *endpoint;
  gchar *client_id;
  gchar *access_key;
  gchar *secret_key;
  gchar *session_token;
  gchar *profile;
  gchar *ca_file;
  gboolean create_channel;
  guint message_ttl;
  guint max_payload;
  guint keepalive_interval;
  guint send_timeout;
  guint request_timeout;
  guint max_connection_age;
  gchar *iot_endpoint;
  gchar *iot_certificate;
  gchar *iot_private_key;
  gchar *iot_role_alias;
  gchar *iot_thing_name;

  gchar *stun_server;
  gchar *correlation_id;
  gchar *local_addresses;
  guint answer_timeout;

  /*< private >*/
  gpointer _gst_reserved[4];
} GstKvsSettings;

#define GST_KVS_TYPE_SETTINGS (gst_kvs_settings_get_type ())
GType gst_kvs_settings_get_type (void);

GstKvsSettings *gst_kvs_settings_new (void);
GstKvsSettings *gst_kvs_settings_copy (const GstKvsSettings * settings);
void gst_kvs_settings_free (GstKvsSettings * settings);

void gst_kvs_settings_init (GstKvsSettings * settings);
void gst_kvs_settings_copy_into (GstKvsSettings * dest,
    const GstKvsSettings * src);
void gst_kvs_settings_clear (GstKvsSettings * settings);

const gchar *gst_kvs_settings_get_iot_thing_name (const GstKvsSettings *
    settings);
gchar *gst_kvs_settings_dup_stun_uri (const GstKvsSettings * settings,
    const gchar * region);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GstKvsSettings, gst_kvs_settings_free)

G_END_DECLS
