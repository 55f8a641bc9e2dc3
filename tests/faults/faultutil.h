/* Helpers of the fault tests: the real local service as a subprocess, its
 * /_control API, signed REST calls, and recorders of library clients.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/check/gstcheck.h>
#include <gst/kvssignaling/kvssignaling.h>
#include "kvstestwait.h"
#include "kvstestrecorder.h"

G_BEGIN_DECLS
#define FAULT_AK "AKIDEXAMPLEFAULTS"
#define FAULT_SK "faults-secret-key-for-tests"
#define FAULT_REGION "us-west-2"
#define FAULT_WAIT KVS_TEST_WAIT
    typedef struct
{
  GSubprocess *process;
  guint port;
  gchar *endpoint;              /* http(s)://127.0.0.1:port (--tls-cert) */
  GPtrArray *args;              /* the extra arguments, for restarts */
  gchar **env;                  /* extra environment (NULL: none) */
} FaultServer;

/* Starts the service (--control, credentials FAULT_AK/FAULT_SK) on @port
 * (0: a free one) with @extra arguments (NULL-terminated, may be NULL) and
 * @env additions ("NAME=value", may be NULL). */
FaultServer *fault_server_start (guint port, const gchar * const *extra,
    const gchar * const *env);
/* Starts it again, same port and arguments. */
void fault_server_restart (FaultServer * server);
/* SIGKILL (an abrupt death), waits for the exit. */
void fault_server_kill (FaultServer * server);
/* SIGTERM, bounded; frees. */
void fault_server_free (FaultServer * server);

/* POST /_control/<what> with @json: the reply's "affected" (-1: HTTP
 * error). */
gint fault_control_post (FaultServer * server, const gchar * what,
    const gchar * json);
/* GET /_control/<what>: the reply body (JSON text). */
gchar *fault_control_get (FaultServer * server, const gchar * what);
/* /_control/counters[@name] */
gint64 fault_counter (FaultServer * server, const gchar * name);

/* Signed REST calls through the library's control plane (blocking). */
gchar *fault_describe_arn (FaultServer * server, const gchar * channel,
    GError ** error);
gboolean fault_delete_channel (FaultServer * server, const gchar * channel,
    GError ** error);
gchar *fault_create_channel (FaultServer * server, const gchar * channel,
    GError ** error);

/* A library client of @role on @channel of @server. */
GstKvsSignalingClient *fault_client_new (FaultServer * server,
    GstKvsRole role, const gchar * channel, const gchar * client_id);

/* What a library client signals (kvstestrecorder.h). */
typedef KvsTestRetry FaultRetry;
typedef KvsTestRecorder FaultRecorder;

FaultRecorder *fault_recorder_new (GstKvsSignalingClient * client);
/* Stops the client, unrefs it and frees the recorder. */
void fault_recorder_free (FaultRecorder * rec);
void fault_start (GstKvsSignalingClient * client);

#define FAULT_WAIT_STATE(rec, st, secs) \
  FAULT_WAIT (&(rec)->lock, &(rec)->cond, (rec)->state == (st), secs)

/* A stats field of @client. */
guint64 fault_stat (GstKvsSignalingClient * client, const gchar * field);

/* ICE candidate number @n: its candidate line carries the number as the
 * foundation ("candidate:<n> 1 UDP ..."), its correlation id "c<n>". */
GstKvsMessage *fault_numbered_candidate (const gchar * recipient, guint n);
/* The number of a received numbered candidate, -1 if none. */
gint fault_candidate_number (GstKvsMessage * msg);
/* Checks that @rec received exactly 0..@n-1 in order (fails otherwise). */
void fault_assert_numbered (FaultRecorder * rec, guint n, const gchar * who);

G_END_DECLS
