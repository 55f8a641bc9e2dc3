/* kvssignaling: the signaling client's configuration properties.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>
#include "gstkvstypes.h"
#include "gstkvssettings.h"

G_BEGIN_DECLS

/* The client's property ids: its configuration, then its status. */
enum
{
  GST_KVS_CLIENT_PROP_0,
  GST_KVS_CLIENT_PROP_ROLE,
  GST_KVS_CLIENT_PROP_CHANNEL_NAME,
  GST_KVS_CLIENT_PROP_CHANNEL_ARN,
  GST_KVS_CLIENT_PROP_REGION,
  GST_KVS_CLIENT_PROP_ENDPOINT,
  GST_KVS_CLIENT_PROP_CLIENT_ID,
  GST_KVS_CLIENT_PROP_ACCESS_KEY,
  GST_KVS_CLIENT_PROP_SECRET_KEY,
  GST_KVS_CLIENT_PROP_SESSION_TOKEN,
  GST_KVS_CLIENT_PROP_PROFILE,
  GST_KVS_CLIENT_PROP_CA_FILE,
  GST_KVS_CLIENT_PROP_CREATE_CHANNEL,
  GST_KVS_CLIENT_PROP_MESSAGE_TTL,
  GST_KVS_CLIENT_PROP_MAX_PAYLOAD_SIZE,
  GST_KVS_CLIENT_PROP_KEEPALIVE_INTERVAL,
  GST_KVS_CLIENT_PROP_SEND_TIMEOUT,
  GST_KVS_CLIENT_PROP_REQUEST_TIMEOUT,
  GST_KVS_CLIENT_PROP_MAX_CONNECTION_AGE,
  GST_KVS_CLIENT_PROP_IOT_ENDPOINT,
  GST_KVS_CLIENT_PROP_IOT_CERTIFICATE,
  GST_KVS_CLIENT_PROP_IOT_PRIVATE_KEY,
  GST_KVS_CLIENT_PROP_IOT_ROLE_ALIAS,
  GST_KVS_CLIENT_PROP_IOT_THING_NAME,
  GST_KVS_CLIENT_N_CONFIG_PROPS
};

/* Fills @pspecs[1 .. GST_KVS_CLIENT_N_CONFIG_PROPS - 1]. */
G_GNUC_INTERNAL
void gst_kvs_client_config_make_pspecs (GParamSpec ** pspecs);
/* FALSE when @prop_id is not a configuration property. */
G_GNUC_INTERNAL
gboolean gst_kvs_client_config_set (GstKvsSettings * config,
    guint prop_id, const GValue * value);
G_GNUC_INTERNAL
gboolean gst_kvs_client_config_get (const GstKvsSettings * config,
    guint prop_id, GValue * value);
/* @config becomes a copy of @settings but for the WebRTC fields
 * (stun_server, correlation_id, local_addresses, answer_timeout), which
 * are the caller's. */
G_GNUC_INTERNAL
void gst_kvs_client_config_take_settings (GstKvsSettings * config,
    const GstKvsSettings * settings);
/* The explicit keys (NULL: none). */
G_GNUC_INTERNAL
void gst_kvs_client_config_set_keys (GstKvsSettings * config,
    const gchar * access_key, const gchar * secret_key,
    const gchar * session_token);

/* TRUE for the properties that make the credentials (keys, profile,
 * AWS IoT and the ca-file its endpoint is checked with). */
G_GNUC_INTERNAL
gboolean gst_kvs_client_config_is_credential (guint prop_id);

G_END_DECLS
