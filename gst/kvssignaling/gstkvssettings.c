/* kvssignaling: the settings of one signaling connection.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:gstkvssettings
 * @title: GstKvsSettings
 * @short_description: the settings of one signaling connection
 *
 * One boxed type for what a signaling connection is configured with: the
 * elements fill it from their properties, their connection registry keys on
 * it, and gst_kvs_signaling_client_new_from_settings() takes it. The
 * service's policy that depends on the settings is here too:
 * gst_kvs_settings_dup_stun_uri().
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvssettings.h"
#include "gstkvsawsconfig.h"
#include "gstkvsiceserver.h"
#include "gstkvsvalidation.h"

#define DEFAULT_ROLE GST_KVS_ROLE_MASTER
#define DEFAULT_CREATE_CHANNEL FALSE
#define DEFAULT_MESSAGE_TTL 60
#define DEFAULT_KEEPALIVE_INTERVAL 10
#define DEFAULT_SEND_TIMEOUT 60
#define DEFAULT_REQUEST_TIMEOUT 20
/* The service closes a connection after one hour: move before that. */
#define DEFAULT_MAX_CONNECTION_AGE (55 * 60)

G_DEFINE_BOXED_TYPE (GstKvsSettings, gst_kvs_settings, gst_kvs_settings_copy,
    gst_kvs_settings_free);

/**
 * gst_kvs_settings_init:
 * @settings: (out caller-allocates): settings to fill
 *
 * Sets the defaults (master, no channel, the client's property defaults);
 * whatever @settings held is overwritten, not freed.
 */
void
gst_kvs_settings_init (GstKvsSettings * settings)
{
  memset (settings, 0, sizeof (*settings));
  settings->role = DEFAULT_ROLE;
  settings->create_channel = DEFAULT_CREATE_CHANNEL;
  settings->message_ttl = DEFAULT_MESSAGE_TTL;
  settings->max_payload = GST_KVS_DEFAULT_MAX_PAYLOAD;
  settings->keepalive_interval = DEFAULT_KEEPALIVE_INTERVAL;
  settings->send_timeout = DEFAULT_SEND_TIMEOUT;
  settings->request_timeout = DEFAULT_REQUEST_TIMEOUT;
  settings->max_connection_age = DEFAULT_MAX_CONNECTION_AGE;
}

/**
 * gst_kvs_settings_copy_into:
 * @dest: (out caller-allocates): cleared or never filled settings
 * @src: the settings to copy
 *
 * A deep copy of @src in @dest.
 */
void
gst_kvs_settings_copy_into (GstKvsSettings * dest, const GstKvsSettings * src)
{
  *dest = *src;
  dest->channel_name = g_strdup (src->channel_name);
  dest->channel_arn = g_strdup (src->channel_arn);
  dest->region = g_strdup (src->region);
  dest->endpoint = g_strdup (src->endpoint);
  dest->client_id = g_strdup (src->client_id);
  dest->access_key = g_strdup (src->access_key);
  dest->secret_key = g_strdup (src->secret_key);
  dest->session_token = g_strdup (src->session_token);
  dest->profile = g_strdup (src->profile);
  dest->ca_file = g_strdup (src->ca_file);
  dest->iot_endpoint = g_strdup (src->iot_endpoint);
  dest->iot_certificate = g_strdup (src->iot_certificate);
  dest->iot_private_key = g_strdup (src->iot_private_key);
  dest->iot_role_alias = g_strdup (src->iot_role_alias);
  dest->iot_thing_name = g_strdup (src->iot_thing_name);
  dest->stun_server = g_strdup (src->stun_server);
  dest->correlation_id = g_strdup (src->correlation_id);
  dest->local_addresses = g_strdup (src->local_addresses);
}

/**
 * gst_kvs_settings_clear:
 * @settings: settings filled by gst_kvs_settings_init() or
 *   gst_kvs_settings_copy_into()
 *
 * Frees the strings; @settings is left all zero.
 */
void
gst_kvs_settings_clear (GstKvsSettings * settings)
{
  g_free (settings->channel_name);
  g_free (settings->channel_arn);
  g_free (settings->region);
  g_free (settings->endpoint);
  g_free (settings->client_id);
  g_free (settings->access_key);
  g_free (settings->secret_key);
  g_free (settings->session_token);
  g_free (settings->profile);
  g_free (settings->ca_file);
  g_free (settings->iot_endpoint);
  g_free (settings->iot_certificate);
  g_free (settings->iot_private_key);
  g_free (settings->iot_role_alias);
  g_free (settings->iot_thing_name);
  g_free (settings->stun_server);
  g_free (settings->correlation_id);
  g_free (settings->local_addresses);
  memset (settings, 0, sizeof (*settings));
}

/**
 * gst_kvs_settings_get_iot_thing_name:
 * @settings: the settings
 *
 * Returns: (nullable): the AWS IoT thing name: @settings' iot_thing_name,
 *   else AWS_IOT_CORE_THING_NAME, else NULL. When no channel is set, the
 *   channel is named after it.
 */
const gchar *
gst_kvs_settings_get_iot_thing_name (const GstKvsSettings * settings)
{
  const gchar *env;

  if (settings->iot_thing_name && *settings->iot_thing_name)
    return settings->iot_thing_name;
  env = g_getenv ("AWS_IOT_CORE_THING_NAME");
  return env && *env ? env : NULL;
}

/**
 * gst_kvs_settings_new:
 *
 * Returns: (transfer full): new settings with the defaults.
 */
GstKvsSettings *
gst_kvs_settings_new (void)
{
  GstKvsSettings *settings = g_new (GstKvsSettings, 1);

  gst_kvs_settings_init (settings);
  return settings;
}

/**
 * gst_kvs_settings_copy:
 * @settings: the settings to copy
 *
 * Returns: (transfer full): a deep copy of @settings.
 */
GstKvsSettings *
gst_kvs_settings_copy (const GstKvsSettings * settings)
{
  GstKvsSettings *copy;

  g_return_val_if_fail (settings != NULL, NULL);

  copy = g_new (GstKvsSettings, 1);
  gst_kvs_settings_copy_into (copy, settings);
  return copy;
}

/**
 * gst_kvs_settings_free:
 * @settings: (transfer full) (nullable): settings of gst_kvs_settings_new()
 *   or gst_kvs_settings_copy()
 */
void
gst_kvs_settings_free (GstKvsSettings * settings)
{
  if (settings == NULL)
    return;
  gst_kvs_settings_clear (settings);
  g_free (settings);
}

/**
 * gst_kvs_settings_dup_stun_uri:
 * @settings: the settings
 * @region: (nullable): the channel's region once known; NULL: the
 *   settings' (after the AWS chain)
 *
 * The STUN server the WebRTC sessions of a connection with @settings use.
 * stun-server unset: the region's KVS STUN server when the control-plane
 * endpoint (after the AWS environment) is AWS's
 * (gst_kvs_aws_endpoint_is_aws()), else none; "none": none; anything
 * else: itself.
 *
 * Returns: (transfer full) (nullable): "stun://host:port", or NULL for
 * none.
 */
gchar *
gst_kvs_settings_dup_stun_uri (const GstKvsSettings * settings,
    const gchar * region)
{
  g_autofree gchar *resolved_region = NULL;
  g_autofree gchar *endpoint = NULL;

  g_return_val_if_fail (settings != NULL, NULL);

  if (settings->stun_server)
    return g_ascii_strcasecmp (settings->stun_server, "none") == 0 ? NULL :
        g_strdup (settings->stun_server);

  /* the client resolves the region and endpoint the same way */
  resolved_region = gst_kvs_aws_resolve_region (region ? region :
      settings->region, settings->profile);
  endpoint = gst_kvs_aws_resolve_endpoint (settings->endpoint, resolved_region);
  if (!gst_kvs_aws_endpoint_is_aws (endpoint))
    return NULL;
  return gst_kvs_stun_uri_for_region (resolved_region);
}
