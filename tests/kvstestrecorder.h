/* Shared by the tests of library clients (the client's unit tests, the
 * fault tests): a recorder of everything a GstKvsSignalingClient signals.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/kvssignaling/kvssignaling.h>

G_BEGIN_DECLS

/* One "connect-failed": the client retries. */
typedef struct
{
  GstKvsSignalingState step;
  GError *error;
  guint retry_ms;
} KvsTestRetry;

/* Everything a client signals, under @lock; @cond is broadcast on each. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GstKvsSignalingClient *client;        /* not a reference */
  GString *states;              /* "describe,...,connected" */
  guint n_states;
  GstKvsSignalingState state;
  guint n_connected;
  guint n_disconnected;
  guint n_state_notify;         /* notify::state */
  GPtrArray *received;          /* GstKvsMessage: every incoming one */
  GPtrArray *received_signals;  /* their signals' names, same order */
  GPtrArray *from_peers;        /* GstKvsMessage: offers, answers, ICE */
  guint n_go_away;
  guint n_reconnect_ice;
  guint n_status;
  GPtrArray *statuses;          /* GstKvsMessage: STATUS_RESPONSEs */
  GPtrArray *sent;              /* GstKvsMessage: "message-sent" */
  GPtrArray *failed;            /* GstKvsMessage: "send-failed" */
  GPtrArray *failed_errors;     /* gchar *: their errors' messages */
  GError *failed_error;         /* the first send-failed error */
  GError *error;                /* the first "error" */
  guint n_errors;
  guint n_ice_changed;
  GPtrArray *retries;           /* KvsTestRetry: "connect-failed" */
  /* TRUE: the first "connected" stops the client from its handler (twice:
   * must not deadlock), then sets stopped_in_handler */
  gboolean stop_when_connected;
  gboolean stopped_in_handler;
} KvsTestRecorder;

/* Records the signals of @client from now on. */
KvsTestRecorder *kvs_test_recorder_new (GstKvsSignalingClient * client);

/* Frees @rec; stop the client first (gst_kvs_signaling_client_stop() joins
 * its thread: no signal comes after it). */
void kvs_test_recorder_free (KvsTestRecorder * rec);

G_END_DECLS
