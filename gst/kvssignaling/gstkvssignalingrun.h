/* kvssignaling: one run of the signaling client, from start() to stop().
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include "gstkvstypes.h"
#include "gstkvscredentials.h"
#include "gstkvscredentialsprovider.h"
#include "gstkvssettings.h"
#include "gstkvschannelresolver.h"
#include "gstkvswsconnection.h"
#include "gstkvsclientconfig.h"
#include "gstkvsbackoff.h"
#include "gstkvsfailurepolicy.h"

G_BEGIN_DECLS

/* the run's connections (gstkvshandover.h) */
typedef struct _GstKvsHandover GstKvsHandover;

/* The state of one run: made by start(), freed when the run's thread ends,
 * so that every run begins from scratch. Apart from the first block, only
 * the client's thread touches it. */
typedef struct
{
  /* resolved by gst_kvs_signaling_run_new() */
  GstKvsRole role;
  gchar *channel_name;
  gchar *arn;                   /* the user's, or NULL */
  gchar *region;
  gchar *region_source;
  gchar *client_id;             /* a viewer's (given or generated) */
  gchar *cp_endpoint;
  gchar *cp_endpoint_source;
  /* what the credential chain is made of: the keys, profile, AWS IoT
   * settings and ca-file of the settings (the rest unused) */
  GstKvsSettings creds_config;
  /* the credentials signing now (from the provider) */
  GstKvsCredentials *creds;
  GTlsDatabase *tls_database;
  guint step_timeout_s;         /* request-timeout */
  guint max_age_s;              /* max-connection-age */
  GMainContext *context;
  GMainLoop *loop;
  GCancellable *cancellable;    /* the whole run */

  /* made in the thread by gst_kvs_signaling_run_open() */
  SoupSession *session;
  GstKvsChannelResolver *resolver;
  /* the credential chain: made in the thread, kept across reconnects,
   * stopped at shutdown */
  GstKvsCredentialsProvider *provider;
  /* an expired-token refusal was answered by a refetch and an immediate
   * retry; cleared when a connection comes up */
  gboolean expired_retry;

  /* the supervisor's state */
  gboolean stopping;
  gboolean attempt_active;
  GSource *reconnect_source;
  GstKvsBackoff backoff;
  GstKvsFailurePolicy failures;
  GSource *stable_source;
  gint pending_ops;

  /* made in the thread by the supervisor: the active and closing
   * connections, make before break */
  GstKvsHandover *handover;
} GstKvsSignalingRun;

/* Checks and resolves @settings (a copy of the configuration): the channel (name or ARN), the viewer's
 * client id, credentials, region, endpoint and ca-file. */
G_GNUC_INTERNAL
GstKvsSignalingRun *gst_kvs_signaling_run_new (const GstKvsSettings *
    settings, GError ** error);
/* In the run's thread, its context pushed: the session (proxies from the
 * environment) and the channel resolver. */
G_GNUC_INTERNAL
void gst_kvs_signaling_run_open (GstKvsSignalingRun * run);
/* In the run's thread: (re)makes the credential chain from @config (its
 * keys, profile, AWS IoT settings and ca-file; NULL: the run's), stopping
 * the previous one. */
G_GNUC_INTERNAL
void gst_kvs_signaling_run_make_provider (GstKvsSignalingRun * run,
    const GstKvsSettings * config);
/* The credentials to sign with now: the provider's cached ones while
 * valid, else the last ones obtained. (transfer full), may be NULL. */
G_GNUC_INTERNAL
GstKvsCredentials *gst_kvs_signaling_run_dup_credentials (GstKvsSignalingRun *
    run);
/* In the run's thread, after the loop: lets the close handshakes and the
 * cancelled calls finish, for at most two seconds. */
G_GNUC_INTERNAL
void gst_kvs_signaling_run_drain (GstKvsSignalingRun * run);
/* In the run's thread, after the loop: cancels and frees what runs there. */
G_GNUC_INTERNAL
void gst_kvs_signaling_run_close (GstKvsSignalingRun * run);
G_GNUC_INTERNAL
void gst_kvs_signaling_run_free (GstKvsSignalingRun * run);

G_END_DECLS
