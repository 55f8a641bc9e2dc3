/* kvssignaling: a token bucket, the rate limit of AWS's signaling quotas.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvstokenbucket.h"

void
gst_kvs_token_bucket_init (GstKvsTokenBucket * bucket, gdouble burst,
    gdouble rate, gint64 now)
{
  bucket->burst = burst;
  bucket->rate = rate;
  bucket->tokens = burst;
  bucket->refilled = now;
}

guint
gst_kvs_token_bucket_take (GstKvsTokenBucket * bucket, gint64 now)
{
  if (bucket->rate <= 0)
    return 0;

  if (now > bucket->refilled) {
    gdouble elapsed = (now - bucket->refilled) / (gdouble) G_USEC_PER_SEC;

    bucket->tokens = MIN (bucket->burst, bucket->tokens +
        elapsed * bucket->rate);
    bucket->refilled = now;
  }
  if (bucket->tokens >= 1.0) {
    bucket->tokens -= 1.0;
    return 0;
  }
  return (guint) ((1.0 - bucket->tokens) * 1000 / bucket->rate) + 1;
}
