/* kvssignaling: the client's waits before a new attempt.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A connection up this long resets the backoff (the client's timer). */
#define GST_KVS_BACKOFF_STABLE_S 60

/**
 * GstKvsBackoff:
 *
 * The waits of one run of the client: after a failure, exponential backoff
 * with full jitter (100 ms doubling to 10 s); after being replaced by a
 * newer connection of the same identity, a longer wait (30 s doubling to
 * 300 s, plus up to a fifth of jitter). A plain struct, embedded in the
 * run, used from the client's thread only; all zero is its initial state.
 */
typedef struct
{
  guint exponent;
  guint replaced_count;         /* replacements since the last long connection */
} GstKvsBackoff;

/* Full jitter: uniform in [0, min(cap, base * 2^n)] ms; n grows per call. */
G_GNUC_INTERNAL
guint gst_kvs_backoff_next (GstKvsBackoff * backoff);

/* The wait in ms after being replaced. @up_since (monotonic us, 0 for
 * never) is when the replaced connection came up: one that lasted ten
 * minutes forgets the earlier replacements. */
G_GNUC_INTERNAL
guint gst_kvs_backoff_next_replaced (GstKvsBackoff * backoff,
    gint64 up_since, gint64 now);

/* A connection stayed up GST_KVS_BACKOFF_STABLE_S: the next failure waits
 * little again. */
G_GNUC_INTERNAL
void gst_kvs_backoff_reset (GstKvsBackoff * backoff);

G_END_DECLS
