/* kvssignaling: what the client does about a failed attempt.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include "gstkvstypes.h"

G_BEGIN_DECLS

/* What to do about a failure: retry (0) or give up, and what to drop
 * before the next attempt. */
typedef enum
{
  GST_KVS_FAILURE_RETRY = 0,
  GST_KVS_FAILURE_GIVE_UP = 1 << 0,
  /* resolve the credentials again (the chain may have new values) */
  GST_KVS_FAILURE_NEW_CREDENTIALS = 1 << 1,
  /* drop the cached ARN and endpoints */
  GST_KVS_FAILURE_FORGET_CHANNEL = 1 << 2,
} GstKvsFailureAction;

/**
 * GstKvsFailurePolicy:
 *
 * Sorts the failures of one run of the client into those that can heal
 * (5xx, network, timeouts, closes, a 404 on the WebSocket: retry) and
 * those that cannot: an unknown channel that is not to be created, a
 * signature scoped to another region than the service's, no credentials
 * anywhere before the run ever connected (the chain's error names every
 * place it looked at), credentials rejected three times in a row, a
 * certificate refused three times in a row. A plain struct, embedded in the run, used from the client's thread
 * only; the strings are the run's.
 */
typedef struct
{
  const gchar *channel;         /* the channel's name, or its ARN */
  const gchar *region;
  const gchar *region_source;
  guint auth_failures;
  guint tls_failures;
  gboolean connected_once;      /* a connection of this run came up */
} GstKvsFailurePolicy;

G_GNUC_INTERNAL
void gst_kvs_failure_policy_init (GstKvsFailurePolicy * policy,
    const gchar * channel, const gchar * region, const gchar * region_source);

/* @error ended an attempt during @step. With GST_KVS_FAILURE_GIVE_UP,
 * @fatal is set to the error to report, naming what to fix. */
G_GNUC_INTERNAL
GstKvsFailureAction gst_kvs_failure_policy_judge (GstKvsFailurePolicy *
    policy, GstKvsSignalingState step, const GError * error, GError ** fatal);

/* A connection came up: the counts of failures in a row start again. */
G_GNUC_INTERNAL
void gst_kvs_failure_policy_connected (GstKvsFailurePolicy * policy);

G_END_DECLS
