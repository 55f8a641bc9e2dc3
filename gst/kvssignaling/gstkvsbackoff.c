/* kvssignaling: the client's waits before a new attempt.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsbackoff.h"

/* Reconnect backoff: full jitter over min(cap, base * 2^n). */
#define BACKOFF_BASE_MS 100
#define BACKOFF_CAP_MS 10000
/* Replaced by a newer connection of the same identity (another master, or a
 * viewer with the same client id): the wait before taking the channel back,
 * doubling per replacement up to the cap, plus up to a fifth of jitter; the
 * count is forgotten once a connection lasted REPLACED_FORGET_S. Longer
 * than the newer connection needs to settle: two masters on a channel take
 * turns every few minutes instead of replacing each other in a loop. */
#define REPLACED_BASE_S 30
#define REPLACED_CAP_S 300
#define REPLACED_FORGET_S 600

guint
gst_kvs_backoff_next (GstKvsBackoff * backoff)
{
  guint64 ceiling;

  ceiling = (guint64) BACKOFF_BASE_MS << MIN (backoff->exponent, 16);
  ceiling = MIN (ceiling, BACKOFF_CAP_MS);
  if (backoff->exponent < 16)
    backoff->exponent++;
  return g_random_int_range (0, (gint32) ceiling + 1);
}

guint
gst_kvs_backoff_next_replaced (GstKvsBackoff * backoff, gint64 up_since,
    gint64 now)
{
  guint64 ceiling;

  if (up_since && now - up_since > (gint64) REPLACED_FORGET_S * G_USEC_PER_SEC)
    backoff->replaced_count = 0;
  ceiling = (guint64) REPLACED_BASE_S *1000 << MIN (backoff->replaced_count, 8);
  ceiling = MIN (ceiling, (guint64) REPLACED_CAP_S * 1000);
  backoff->replaced_count++;
  return (guint) ceiling + g_random_int_range (0, (gint32) ceiling / 5 + 1);
}

void
gst_kvs_backoff_reset (GstKvsBackoff * backoff)
{
  backoff->exponent = 0;
}
