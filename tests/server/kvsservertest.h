/* Helpers of the kvs-signaling-server tests: run the real server process,
 * call its REST API with SigV4, open presigned WebSockets.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include "gstkvscredentials.h"
#include "gstkvssigv4.h"

G_BEGIN_DECLS

#define KVS_TEST_ACCESS_KEY "AKIDSERVERTEST000001"
#define KVS_TEST_SECRET_KEY "server/Test+Secret/0123456789abcdefghijk"
#define KVS_TEST_REGION "us-west-2"

typedef struct
{
  GSubprocess *proc;
  gchar *url;                   /* "http://127.0.0.1:PORT" */
  gchar *authority;             /* "127.0.0.1:PORT" */
  guint port;
  SoupSession *rest;            /* synchronous REST calls */
  SoupSession *ws;              /* asynchronous WebSockets */
  gchar *iot_url;               /* "https://127.0.0.1:PORT" with --iot-listen */
} KvsTestServer;

typedef struct
{
  guint status;
  gchar *error_type;            /* x-amzn-ErrorType or NULL */
  gchar *request_id;            /* x-amzn-RequestId or NULL */
  gchar *date;                  /* Date or NULL */
  gchar *text;                  /* body */
  JsonNode *json;               /* body parsed, NULL if not JSON */
} KvsTestReply;

typedef struct
{
  SoupWebsocketConnection *conn;
  GQueue frames;                /* gchar* text frames received */
  gboolean closed;
  gushort close_code;
  gint64 closed_at;             /* monotonic */
} KvsTestWs;

/* The server executable (KVS_SERVER_PATH from meson). */
const gchar *kvs_test_server_path (void);

/* Start with --listen 127.0.0.1:0 --region us-west-2 --control, the test
 * credentials, and @extra (NULL-terminated, may be NULL). Fails the test if
 * the start line does not come. */
KvsTestServer *kvs_test_server_start (const gchar * const *extra);
/* The same with the environment variables @envp ("NAME=VALUE") added. */
KvsTestServer *kvs_test_server_start_with_env (const gchar * const *extra,
    const gchar * const *envp);
/* SIGTERM and check a clean exit (status 0). */
void kvs_test_server_stop (KvsTestServer * s);

/* Run the server with exactly @argv (after the program), wait for it to
 * exit and return its exit status; *@out / *@err get stdout / stderr. */
gint kvs_test_server_run (const gchar * const *argv, const gchar * const *envp,
    gchar ** out, gchar ** err);

/* POST @path with @body signed by (@access_key, @secret_key, @region) at
 * @now (NULL = now). @sent_body, when non-NULL, is sent instead of @body
 * (tampering). @access_key NULL: no signature at all. */
KvsTestReply *kvs_test_rest_full (KvsTestServer * s, const gchar * method,
    const gchar * path, const gchar * body, const gchar * sent_body,
    const gchar * access_key, const gchar * secret_key,
    const gchar * region, GDateTime * now);
/* The usual case: signed with the test credentials now. */
KvsTestReply *kvs_test_rest (KvsTestServer * s, const gchar * path,
    const gchar * body);
/* An unsigned GET/POST on the control API. */
KvsTestReply *kvs_test_control (KvsTestServer * s, const gchar * method,
    const gchar * path, const gchar * body);
void kvs_test_reply_free (KvsTestReply * r);
/* Member @path ("ChannelInfo.ChannelName") of the JSON body, or NULL. */
const gchar *kvs_test_reply_string (KvsTestReply * r, const gchar * path);
gint64 kvs_test_reply_int (KvsTestReply * r, const gchar * path);

/* CreateSignalingChannel, asserting success; returns the ARN. */
gchar *kvs_test_create_channel (KvsTestServer * s, const gchar * name);

/* A presigned WebSocket URL for @arn (and @client_id for a viewer). */
gchar *kvs_test_ws_url_full (KvsTestServer * s, const gchar * arn,
    const gchar * client_id, const gchar * access_key,
    const gchar * secret_key, const gchar * region, GDateTime * now,
    guint expires);
gchar *kvs_test_ws_url (KvsTestServer * s, const gchar * arn,
    const gchar * client_id);

/* Open @url; NULL on failure with the HTTP status in *@status and the
 * x-amzn-ErrorType in *@error_type (both optional). */
KvsTestWs *kvs_test_ws_open (KvsTestServer * s, const gchar * url,
    guint * status, gchar ** error_type);
/* Open as master / viewer, asserting success. */
KvsTestWs *kvs_test_ws_connect (KvsTestServer * s, const gchar * arn,
    const gchar * client_id);
void kvs_test_ws_send (KvsTestWs * ws, const gchar * text);
/* The next text frame within @timeout_ms, or NULL. */
gchar *kvs_test_ws_next (KvsTestWs * ws, guint timeout_ms);
/* The next frame parsed as a JSON object (the test fails on timeout). */
JsonObject *kvs_test_ws_next_json (KvsTestWs * ws, guint timeout_ms);
gboolean kvs_test_ws_wait_closed (KvsTestWs * ws, guint timeout_ms);
void kvs_test_ws_free (KvsTestWs * ws);

/* Number of open descriptors of the server process. */
guint kvs_test_server_fd_count (KvsTestServer * s);
/* Waits up to 3 s for the server to hold at most @baseline + 2
 * descriptors; fails the test otherwise. */
void kvs_test_server_expect_fds_released (KvsTestServer * s, guint baseline,
    const gchar * what);

/* Let the main context run for @ms. */
void kvs_test_iterate (guint ms);

/* A client frame {"action","recipientClientId"?,"messagePayload",
 * "correlationId"?} with an SDP or ICE payload whose text contains @tag. */
gchar *kvs_test_frame (const gchar * action, const gchar * recipient,
    const gchar * tag, const gchar * correlation_id);
/* Decoded messagePayload of a received frame (g_free). */
gchar *kvs_test_payload (JsonObject * frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KvsTestReply, kvs_test_reply_free)

G_END_DECLS
