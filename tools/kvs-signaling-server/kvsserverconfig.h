/* kvs-signaling-server: the settings given on the command line and the
 * counters every part of the service updates.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The account id in every ARN the service makes (AWS's documentation
 * example account). */
#define KVS_SERVER_ACCOUNT_ID "123456789012"
#define KVS_SERVER_DEFAULT_PORT 4566
#define KVS_SERVER_DEFAULT_MESSAGE_TTL 60
#define KVS_SERVER_DEFAULT_IDLE_TIMEOUT 600
#define KVS_SERVER_DEFAULT_MAX_DURATION 3600
#define KVS_SERVER_DEFAULT_GO_AWAY_GRACE 60
#define KVS_SERVER_DEFAULT_MAX_VIEWERS 10
#define KVS_SERVER_DEFAULT_MAX_FRAME_SIZE 65536
#define KVS_SERVER_DEFAULT_MAX_QUEUE 100
#define KVS_SERVER_TURN_TTL 300

/**
 * KvsServerConfig:
 *
 * Plain settings, filled once by main() and read-only afterwards. Durations
 * are seconds; 0 disables the idle timeout and the maximum duration.
 */
typedef struct {
  gchar *listen_host;           /* "127.0.0.1", "::1" */
  guint listen_port;            /* 0 = pick one */
  gchar *region;
  gchar *access_key;            /* NULL with no_auth */
  gchar *secret_key;
  gboolean no_auth;
  guint message_ttl;            /* 0 = each channel's MessageTtlSeconds */
  guint idle_timeout;
  guint max_connection_duration;
  guint go_away_grace;
  guint max_viewers;
  guint max_connects_per_second; /* WebSocket connects per channel; 0 = any */
  guint max_frame_size;         /* bytes of one text frame */
  guint max_queue;              /* held messages per recipient */
  gchar **turn_uris;
  gchar *turn_secret;
  gboolean control;
  gboolean keep_alive;          /* REST connections kept alive (--keep-alive) */
  gchar *tls_cert;
  gchar *tls_key;
  gchar **create_channels;
  gchar *viewer_dir;            /* served under /viewer; NULL: not served */
  /* WebRTC ingestion: where recordings go, the storage peer helper
   * (kvs-storage-peer.py); NULL storage_peer: JoinStorageSession fails */
  gchar *storage_dir;
  gchar *storage_peer;
  /* credentials the service vends (kvscredentialstore.c and the APIs) */
  guint credential_ttl;         /* seconds */
  gboolean emulate_credentials; /* STS, IMDS, container, SSO on this port */
  gchar **web_identity_tokens;  /* accepted; NULL = any non-empty */
  gchar *instance_role;         /* IMDS role name */
  gchar *container_token;       /* Authorization required; NULL = none */
  gchar **sso_tokens;           /* accepted; NULL = any non-empty */
  gchar *iot_listen_host;       /* NULL: no IoT credentials endpoint */
  guint iot_listen_port;
  gchar *iot_ca_cert;           /* a given CA (certificate only), or: */
  gchar *iot_ca_dir;            /* the service's CA (created there) */
  gchar **iot_things;           /* device certificates written at start */
  gchar *iot_tls_cert;
  gchar *iot_tls_key;
  gchar **iot_role_aliases;
} KvsServerConfig;

/**
 * KvsCounters:
 *
 * What the service did since it started, shown by GET /_control/counters.
 * Single-threaded: plain integers.
 */
typedef struct {
  guint64 messages_received;    /* valid client messages accepted */
  guint64 messages_relayed;     /* frames delivered to a recipient */
  guint64 messages_held;        /* messages put on hold for an absent client */
  guint64 messages_overwritten; /* held offers/answers replaced by newer ones */
  guint64 messages_expired;     /* held messages that outlived their TTL */
  guint64 messages_dropped;     /* invalid frames (STATUS_RESPONSE or not) */
  guint64 messages_throttled;   /* over the per-connection rate */
  guint64 messages_refused;     /* hold queue full */
  guint64 status_responses;     /* STATUS_RESPONSE frames sent */
  guint64 connections_total;    /* WebSockets accepted */
  guint64 connections_current;
  guint64 handshake_rejects;    /* upgrades refused (400/403/404) */
  guint64 rest_requests;
  guint64 rest_errors;
  /* REST requests per operation (signed or not, answered or not) */
  guint64 rest_create;
  guint64 rest_describe;
  guint64 rest_get_endpoint;
  guint64 rest_get_ice_config;
  guint64 auth_failures;        /* REST and upgrade signature failures */
  guint64 credentials_vended;   /* credential sets issued */
} KvsCounters;

G_END_DECLS
