/* kvssignaling: what the client does about a failed attempt.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>

#include "gstkvsfailurepolicy.h"
#include "gstkvserror.h"
#include "gstkvsenumtypes.h"

/* Credentials rejected this many times in a row: give up. */
#define MAX_AUTH_FAILURES 3
/* The service's certificate refused this many times in a row: give up (a
 * trust problem needs the user, not a retry). */
#define MAX_TLS_FAILURES 3

static const gchar *
state_nick (GstKvsSignalingState state)
{
  GEnumClass *klass = g_type_class_peek (GST_TYPE_KVS_SIGNALING_STATE);
  GEnumValue *v = klass ? g_enum_get_value (klass, state) : NULL;

  return v ? v->value_nick : "?";
}

static gboolean
is_auth_error (const GError * error)
{
  return error->domain == GST_KVS_ERROR &&
      (error->code == GST_KVS_ERROR_ACCESS_DENIED ||
      error->code == GST_KVS_ERROR_NOT_AUTHORIZED ||
      error->code == GST_KVS_ERROR_SIGNATURE ||
      error->code == GST_KVS_ERROR_SIGNATURE_EXPIRED ||
      error->code == GST_KVS_ERROR_NO_CREDENTIALS ||
      error->code == GST_KVS_ERROR_CREDENTIALS_SOURCE);
}

/* A signature refused because its credential scope names another region
 * than the service's (AWS: "Credential should be scoped to a valid region,
 * not 'us-east-1'"): a setting to fix, not bad credentials. */
static gboolean
is_region_mismatch (const GError * error)
{
  return g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_SIGNATURE)
      && strstr (error->message, "scoped to a valid region") != NULL;
}

void
gst_kvs_failure_policy_init (GstKvsFailurePolicy * policy,
    const gchar * channel, const gchar * region, const gchar * region_source)
{
  policy->channel = channel;
  policy->region = region;
  policy->region_source = region_source;
  policy->auth_failures = 0;
  policy->tls_failures = 0;
  policy->connected_once = FALSE;
}

void
gst_kvs_failure_policy_connected (GstKvsFailurePolicy * policy)
{
  policy->auth_failures = 0;
  policy->tls_failures = 0;
  policy->connected_once = TRUE;
}

GstKvsFailureAction
gst_kvs_failure_policy_judge (GstKvsFailurePolicy * policy,
    GstKvsSignalingState step, const GError * error, GError ** fatal)
{
  GstKvsFailureAction action = GST_KVS_FAILURE_RETRY;

  if (step == GST_KVS_SIGNALING_STATE_DESCRIBE &&
      g_error_matches (error, GST_KVS_ERROR,
          GST_KVS_ERROR_RESOURCE_NOT_FOUND)) {
    g_set_error (fatal, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND,
        "signaling channel '%s' does not exist and create-channel is off "
        "(%s)", policy->channel, error->message);
    return GST_KVS_FAILURE_GIVE_UP;
  }

  /* Nothing configured anywhere (an absent IMDS included): asking again
   * finds nothing either, as botocore's NoCredentialsError. Once the run
   * has connected, a source that went away (IMDS unreachable for a while)
   * is retried as any refusal. */
  if (step == GST_KVS_SIGNALING_STATE_GET_CREDENTIALS &&
      !policy->connected_once &&
      g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_NO_CREDENTIALS)) {
    g_set_error_literal (fatal, GST_KVS_ERROR, error->code, error->message);
    return GST_KVS_FAILURE_GIVE_UP;
  }

  if (is_region_mismatch (error)) {
    g_set_error (fatal, GST_KVS_ERROR, GST_KVS_ERROR_REGION_MISMATCH,
        "region mismatch: requests were signed for region '%s', from %s, "
        "but the service is in another region; set the region to the "
        "channel's (during %s: %s)", GST_STR_NULL (policy->region),
        GST_STR_NULL (policy->region_source), state_nick (step),
        error->message);
    return GST_KVS_FAILURE_GIVE_UP;
  }

  if (g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_TLS_CERTIFICATE)) {
    if (++policy->tls_failures >= MAX_TLS_FAILURES) {
      g_set_error (fatal, GST_KVS_ERROR, error->code,
          "TLS certificate refused %u times in a row (during %s): %s",
          policy->tls_failures, state_nick (step), error->message);
      return GST_KVS_FAILURE_GIVE_UP;
    }
  } else {
    policy->tls_failures = 0;
  }

  if (is_auth_error (error)) {
    if (++policy->auth_failures >= MAX_AUTH_FAILURES) {
      g_set_error (fatal, GST_KVS_ERROR, error->code,
          "credentials rejected %u times in a row (last during %s): %s",
          policy->auth_failures, state_nick (step), error->message);
      return GST_KVS_FAILURE_GIVE_UP;
    }
    action |= GST_KVS_FAILURE_NEW_CREDENTIALS;
  } else {
    policy->auth_failures = 0;
  }

  if (g_error_matches (error, GST_KVS_ERROR, GST_KVS_ERROR_RESOURCE_NOT_FOUND))
    action |= GST_KVS_FAILURE_FORGET_CHANNEL;
  return action;
}
