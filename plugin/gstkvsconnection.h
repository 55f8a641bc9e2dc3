/* kvssignaling: one signaling connection shared by the elements that name the
 * same channel, and the webrtcbin sessions it drives.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>
#include <gst/kvssignaling/kvssignaling.h>

G_BEGIN_DECLS

#define GST_TYPE_KVS_CONNECTION (gst_kvs_connection_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsConnection, gst_kvs_connection,
    GST, KVS_CONNECTION, GObject)

/**
 * GstKvsConnectionSettings:
 *
 * What the elements' properties say about the connection. Strings may be
 * NULL (the library's AWS chain then decides).
 */
typedef struct {
  GstKvsRole role;
  gchar *channel_name;
  gchar *channel_arn;
  gchar *region;
  gchar *endpoint;
  gchar *client_id;
  gchar *access_key;
  gchar *secret_key;
  gchar *session_token;
  gchar *ca_file;
  gboolean create_channel;
  gchar *correlation_id;        /* NULL: a unique id per message */
  gchar *local_addresses;       /* for webrtcbins returned by request-webrtcbin */
  gchar *stun_server;           /* NULL: automatic; "none": disabled */
  gchar *profile;               /* AWS profile of the shared files */
  guint answer_timeout;         /* viewer: s before "no master answered";
                                 * 0: never */
} GstKvsConnectionSettings;

void gst_kvs_connection_settings_clear (GstKvsConnectionSettings * settings);
void gst_kvs_connection_settings_copy (GstKvsConnectionSettings * dest,
    const GstKvsConnectionSettings * src);

/* The registry key of @settings: role, channel name or ARN, region, client
 * id (viewers), profile, endpoint. @scope (the pipeline) separates viewers that let the library
 * generate their client id; it is ignored otherwise, so that every master
 * of a channel in one process shares one connection (KVS keeps only the
 * newest master connection). */
gchar *gst_kvs_connection_settings_key (const GstKvsConnectionSettings *
    settings, gconstpointer scope);

/* Whether @endpoint (a control-plane URL) is one of AWS's: its host is
 * amazonaws.com or amazonaws.com.cn, or ends with one of them. */
gboolean gst_kvs_connection_endpoint_is_aws (const gchar * endpoint);

/* The STUN URI ("stun://host:port") the webrtcbins get for @settings once
 * the channel's region is known (@region; NULL: the settings' region), or
 * NULL for none. stun-server unset: the region's KVS STUN server when the
 * control-plane endpoint (after the AWS environment) is AWS's, else none;
 * "none": none; anything else: itself. */
gchar *gst_kvs_connection_settings_stun_uri (const GstKvsConnectionSettings *
    settings, const gchar * region);

GstKvsConnection *gst_kvs_connection_new (const GstKvsConnectionSettings *
    settings);

GstKvsSignalingClient *gst_kvs_connection_get_client (GstKvsConnection * self);
GstKvsRole gst_kvs_connection_get_role (GstKvsConnection * self);

/* Elements using the connection. The first attached element posts the
 * connection's errors and messages on the bus. */
void gst_kvs_connection_attach_element (GstKvsConnection * self,
    GstElement * element);
void gst_kvs_connection_detach_element (GstKvsConnection * self,
    GstElement * element);

/* Hand @webrtcbin to the connection to drive (auto-negotiate). A viewer binds
 * it to the master at once; a master keeps it for the next new viewer.
 * Counted per webrtcbin: the pair attaches the same one twice. */
gboolean gst_kvs_connection_add_webrtcbin (GstKvsConnection * self,
    GstElement * webrtcbin, GError ** error);
void gst_kvs_connection_remove_webrtcbin (GstKvsConnection * self,
    GstElement * webrtcbin);

/* From a request-webrtcbin handler that returns NULL: why the viewer is
 * refused (e.g. "already serving max-viewers=2 viewers"); the connection's
 * one warning about the refusal says it. */
void gst_kvs_connection_refuse_viewer (GstKvsConnection * self,
    const gchar * reason);

/* Counted: the first start() starts the client, the last stop() stops it. */
gboolean gst_kvs_connection_start (GstKvsConnection * self, GError ** error);
void gst_kvs_connection_stop (GstKvsConnection * self);

/* Stop the client and close every session (they reference the connection).
 * The registry calls it when the last user is gone. */
void gst_kvs_connection_close (GstKvsConnection * self);

/* Queue a message; fills in the correlation id rule. */
gboolean gst_kvs_connection_send (GstKvsConnection * self,
    GstKvsMessage * msg, GError ** error);

/* A fresh correlation id according to the settings. */
gchar *gst_kvs_connection_next_correlation_id (GstKvsConnection * self);

GstKvsSignalingState gst_kvs_connection_get_state (GstKvsConnection * self);
GstStructure *gst_kvs_connection_dup_stats (GstKvsConnection * self);

/* Forward new credentials to the client (used while PLAYING). */
void gst_kvs_connection_set_credentials (GstKvsConnection * self,
    const gchar * access_key, const gchar * secret_key,
    const gchar * session_token);

/* Signals emitted by the connection, from the client's thread:
 *  "message-received" (GstKvsMessage): every SDP, ICE and status message;
 *  "message-sent" (GstKvsMessage);
 *  "state-changed" (GstKvsSignalingState);
 *  "peer-added" (gchararray), "peer-removed" (gchararray);
 *  "request-webrtcbin" (gchararray) -> GstElement* (transfer full), first
 *    non-NULL wins. */

G_END_DECLS
