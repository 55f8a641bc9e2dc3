/* kvssignaling: a token bucket, the rate limit of AWS's signaling quotas.
 * Internal (not installed): the client paces what it sends with it
 * (gstkvswsconnection.c), the local service enforces its quotas with it
 * (tools/kvs-signaling-server/kvsconnection.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * GstKvsTokenBucket:
 *
 * Holds at most @burst tokens, refilled continuously at @rate tokens per
 * second; each message takes one. A plain struct, embedded in its owner and
 * used from one thread.
 */
typedef struct
{
  gdouble burst;
  gdouble rate;
  gdouble tokens;
  gint64 refilled;              /* monotonic µs */
} GstKvsTokenBucket;

/* Full (@burst tokens) at @now (monotonic µs). */
G_GNUC_INTERNAL
void gst_kvs_token_bucket_init (GstKvsTokenBucket * bucket, gdouble burst,
    gdouble rate, gint64 now);

/* Refills the bucket up to @now, then takes a token: 0 when one was taken,
 * else the milliseconds (at least 1) until one will be there (nothing taken).
 * A bucket with a rate of 0 never limits. */
G_GNUC_INTERNAL
guint gst_kvs_token_bucket_take (GstKvsTokenBucket * bucket, gint64 now);

G_END_DECLS
