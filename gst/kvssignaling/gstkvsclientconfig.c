/* kvssignaling: the signaling client's configuration, and its properties.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The configuration properties of GstKvsSignalingClient, their
 * #GParamSpec, read and written in a #GstKvsSettings (gstkvssettings.c: the
 * type and its defaults). The client keeps one behind its lock; start()
 * copies it into the run it makes.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsclientconfig.h"
#include "gstkvsenumtypes.h"
#include "gstkvsvalidation.h"

/* The string field of @prop_id, or NULL. */
static gchar **
string_field (GstKvsSettings * config, guint prop_id)
{
  switch (prop_id) {
    case GST_KVS_CLIENT_PROP_CHANNEL_NAME:
      return &config->channel_name;
    case GST_KVS_CLIENT_PROP_CHANNEL_ARN:
      return &config->channel_arn;
    case GST_KVS_CLIENT_PROP_REGION:
      return &config->region;
    case GST_KVS_CLIENT_PROP_ENDPOINT:
      return &config->endpoint;
    case GST_KVS_CLIENT_PROP_CLIENT_ID:
      return &config->client_id;
    case GST_KVS_CLIENT_PROP_ACCESS_KEY:
      return &config->access_key;
    case GST_KVS_CLIENT_PROP_SECRET_KEY:
      return &config->secret_key;
    case GST_KVS_CLIENT_PROP_SESSION_TOKEN:
      return &config->session_token;
    case GST_KVS_CLIENT_PROP_PROFILE:
      return &config->profile;
    case GST_KVS_CLIENT_PROP_CA_FILE:
      return &config->ca_file;
    case GST_KVS_CLIENT_PROP_IOT_ENDPOINT:
      return &config->iot_endpoint;
    case GST_KVS_CLIENT_PROP_IOT_CERTIFICATE:
      return &config->iot_certificate;
    case GST_KVS_CLIENT_PROP_IOT_PRIVATE_KEY:
      return &config->iot_private_key;
    case GST_KVS_CLIENT_PROP_IOT_ROLE_ALIAS:
      return &config->iot_role_alias;
    case GST_KVS_CLIENT_PROP_IOT_THING_NAME:
      return &config->iot_thing_name;
    default:
      return NULL;
  }
}

/* The unsigned field of @prop_id, or NULL. */
static guint *
uint_field (GstKvsSettings * config, guint prop_id)
{
  switch (prop_id) {
    case GST_KVS_CLIENT_PROP_MESSAGE_TTL:
      return &config->message_ttl;
    case GST_KVS_CLIENT_PROP_MAX_PAYLOAD_SIZE:
      return &config->max_payload;
    case GST_KVS_CLIENT_PROP_KEEPALIVE_INTERVAL:
      return &config->keepalive_interval;
    case GST_KVS_CLIENT_PROP_SEND_TIMEOUT:
      return &config->send_timeout;
    case GST_KVS_CLIENT_PROP_REQUEST_TIMEOUT:
      return &config->request_timeout;
    case GST_KVS_CLIENT_PROP_MAX_CONNECTION_AGE:
      return &config->max_connection_age;
    default:
      return NULL;
  }
}

gboolean
gst_kvs_client_config_set (GstKvsSettings * config, guint prop_id,
    const GValue * value)
{
  gchar **string = string_field (config, prop_id);
  guint *number = uint_field (config, prop_id);

  if (string) {
    g_free (*string);
    *string = g_value_dup_string (value);
  } else if (number) {
    *number = g_value_get_uint (value);
  } else if (prop_id == GST_KVS_CLIENT_PROP_ROLE) {
    config->role = g_value_get_enum (value);
  } else if (prop_id == GST_KVS_CLIENT_PROP_CREATE_CHANNEL) {
    config->create_channel = g_value_get_boolean (value);
  } else {
    return FALSE;
  }
  return TRUE;
}

gboolean
gst_kvs_client_config_get (const GstKvsSettings * config, guint prop_id,
    GValue * value)
{
  GstKvsSettings *c = (GstKvsSettings *) config;
  gchar **string = string_field (c, prop_id);
  guint *number = uint_field (c, prop_id);

  if (string) {
    g_value_set_string (value, *string);
  } else if (number) {
    g_value_set_uint (value, *number);
  } else if (prop_id == GST_KVS_CLIENT_PROP_ROLE) {
    g_value_set_enum (value, config->role);
  } else if (prop_id == GST_KVS_CLIENT_PROP_CREATE_CHANNEL) {
    g_value_set_boolean (value, config->create_channel);
  } else {
    return FALSE;
  }
  return TRUE;
}

void
gst_kvs_client_config_take_settings (GstKvsSettings * config,
    const GstKvsSettings * settings)
{
  gst_kvs_settings_clear (config);
  gst_kvs_settings_copy_into (config, settings);
  g_clear_pointer (&config->stun_server, g_free);
  g_clear_pointer (&config->correlation_id, g_free);
  g_clear_pointer (&config->local_addresses, g_free);
  config->answer_timeout = 0;
}

void
gst_kvs_client_config_set_keys (GstKvsSettings * config,
    const gchar * access_key, const gchar * secret_key,
    const gchar * session_token)
{
  g_free (config->access_key);
  config->access_key = g_strdup (access_key);
  g_free (config->secret_key);
  config->secret_key = g_strdup (secret_key);
  g_free (config->session_token);
  config->session_token = g_strdup (session_token);
}

gboolean
gst_kvs_client_config_is_credential (guint prop_id)
{
  return prop_id == GST_KVS_CLIENT_PROP_ACCESS_KEY ||
      prop_id == GST_KVS_CLIENT_PROP_SECRET_KEY ||
      prop_id == GST_KVS_CLIENT_PROP_SESSION_TOKEN ||
      prop_id == GST_KVS_CLIENT_PROP_PROFILE ||
      prop_id == GST_KVS_CLIENT_PROP_CA_FILE ||
      (prop_id >= GST_KVS_CLIENT_PROP_IOT_ENDPOINT &&
      prop_id <= GST_KVS_CLIENT_PROP_IOT_THING_NAME);
}

#define STRING_PROP(id, name, blurb) \
  pspecs[id] = g_param_spec_string (name, name, blurb, NULL, \
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS)
#define SECRET_PROP(id, name, blurb) \
  pspecs[id] = g_param_spec_string (name, name, blurb, NULL, \
      G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS)

void
gst_kvs_client_config_make_pspecs (GParamSpec ** pspecs)
{
  GstKvsSettings defaults;

  gst_kvs_settings_init (&defaults);
  pspecs[GST_KVS_CLIENT_PROP_ROLE] = g_param_spec_enum ("role", "Role",
      "Whether this client connects as the channel's master or as a viewer",
      GST_TYPE_KVS_ROLE, defaults.role,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  STRING_PROP (GST_KVS_CLIENT_PROP_CHANNEL_NAME, "channel-name",
      "Name of the signaling channel (used when channel-arn is not set)");
  STRING_PROP (GST_KVS_CLIENT_PROP_CHANNEL_ARN, "channel-arn",
      "ARN of the signaling channel; skips DescribeSignalingChannel and "
      "gives the region when region is not set");
  STRING_PROP (GST_KVS_CLIENT_PROP_REGION, "region",
      "AWS region (default: the channel ARN's, AWS_REGION, "
      "AWS_DEFAULT_REGION, the profile's, then us-east-1)");
  STRING_PROP (GST_KVS_CLIENT_PROP_ENDPOINT, "endpoint",
      "Control-plane endpoint URL (default: AWS_ENDPOINT_URL_KINESIS_VIDEO, "
      "AWS_ENDPOINT_URL, then https://kinesisvideo.<region>.amazonaws.com)");
  STRING_PROP (GST_KVS_CLIENT_PROP_CLIENT_ID, "client-id",
      "A viewer's client id, 1..256 of [a-zA-Z0-9_.-] not starting with "
      "AWS_ (generated when not set; ignored for a master)");
  SECRET_PROP (GST_KVS_CLIENT_PROP_ACCESS_KEY, "access-key",
      "AWS access key id (default: the AWS credential chain)");
  SECRET_PROP (GST_KVS_CLIENT_PROP_SECRET_KEY, "secret-key",
      "AWS secret access key (write-only, never logged)");
  SECRET_PROP (GST_KVS_CLIENT_PROP_SESSION_TOKEN, "session-token",
      "AWS session token of temporary credentials (write-only, never logged)");
  STRING_PROP (GST_KVS_CLIENT_PROP_PROFILE, "profile",
      "Profile of the shared AWS files (default: AWS_PROFILE, then default)");
  STRING_PROP (GST_KVS_CLIENT_PROP_CA_FILE, "ca-file",
      "PEM file of the certificate authorities to trust instead of the "
      "system's (TLS is always verified)");
  pspecs[GST_KVS_CLIENT_PROP_CREATE_CHANNEL] =
      g_param_spec_boolean ("create-channel", "Create channel",
      "Create the channel (SINGLE_MASTER) when it does not exist",
      defaults.create_channel, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  pspecs[GST_KVS_CLIENT_PROP_MESSAGE_TTL] =
      g_param_spec_uint ("message-ttl", "Message TTL",
      "MessageTtlSeconds of a channel this client creates", 5, 120,
      defaults.message_ttl, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  pspecs[GST_KVS_CLIENT_PROP_MAX_PAYLOAD_SIZE] =
      g_param_spec_uint ("max-payload-size", "Maximum payload size",
      "Largest messagePayload sent, in base64 characters (the service "
      "documents 10000)", 1, G_MAXINT, defaults.max_payload,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  pspecs[GST_KVS_CLIENT_PROP_KEEPALIVE_INTERVAL] =
      g_param_spec_uint ("keepalive-interval", "Keepalive interval",
      "Seconds between WebSocket pings; a connection silent for two "
      "intervals is reconnected (0 = no pings)", 0, 3600,
      defaults.keepalive_interval, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  pspecs[GST_KVS_CLIENT_PROP_SEND_TIMEOUT] =
      g_param_spec_uint ("send-timeout", "Send timeout",
      "Seconds a message may wait for a connection before it is reported "
      "through send-failed (0 = wait for ever)", 0, G_MAXINT,
      defaults.send_timeout, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  pspecs[GST_KVS_CLIENT_PROP_REQUEST_TIMEOUT] =
      g_param_spec_uint ("request-timeout", "Request timeout",
      "Seconds each control-plane call and each WebSocket handshake may take "
      "before it is abandoned and retried (read at start)", 1, 600,
      defaults.request_timeout, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  pspecs[GST_KVS_CLIENT_PROP_MAX_CONNECTION_AGE] =
      g_param_spec_uint ("max-connection-age", "Maximum connection age",
      "Seconds after which a connection is replaced by a new one, opened "
      "before the old one is closed (make before break), ahead of the "
      "service's one-hour limit (0 = never; read at start)", 0, 86400,
      defaults.max_connection_age, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  STRING_PROP (GST_KVS_CLIENT_PROP_IOT_ENDPOINT, "iot-endpoint",
      "AWS IoT credentials provider endpoint, a host name or https:// URL "
      "(default: AWS_IOT_CORE_CREDENTIAL_ENDPOINT)");
  STRING_PROP (GST_KVS_CLIENT_PROP_IOT_CERTIFICATE, "iot-certificate",
      "PEM file of the AWS IoT device certificate (default: "
      "AWS_IOT_CORE_CERT)");
  STRING_PROP (GST_KVS_CLIENT_PROP_IOT_PRIVATE_KEY, "iot-private-key",
      "PEM file of the AWS IoT device's private key (default: "
      "AWS_IOT_CORE_PRIVATE_KEY)");
  STRING_PROP (GST_KVS_CLIENT_PROP_IOT_ROLE_ALIAS, "iot-role-alias",
      "AWS IoT role alias whose role the credentials are for (default: "
      "AWS_IOT_CORE_ROLE_ALIAS)");
  STRING_PROP (GST_KVS_CLIENT_PROP_IOT_THING_NAME, "iot-thing-name",
      "AWS IoT thing name; also the channel name when no channel is set "
      "(default: AWS_IOT_CORE_THING_NAME)");
}
