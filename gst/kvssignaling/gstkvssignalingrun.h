/* kvssignaling: one run of the signaling client, from start() to stop().
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include "gstkvstypes.h"
#include "gstkvscredentials.h"
#include "gstkvsclientcredentials.h"
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
  /* the client's credentials (its chain, kept across runs), given by the
   * client before the thread starts */
  GstKvsClientCredentials *credentials;
  GTlsDatabase *tls_database;
  guint step_timeout_s;         /* request-timeout */
  guint max_age_s;              /* max-connection-age */
  GMainContext *context;
  GMainLoop *loop;
  GCancellable *cancellable;    /* the whole run */

  /* made in the thread by gst_kvs_signaling_run_open() */
  SoupSession *session;
  GstKvsChannelResolver *resolver;

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
 * environment), the credentials (attached to this thread) and the channel
 * resolver. */
G_GNUC_INTERNAL
void gst_kvs_signaling_run_open (GstKvsSignalingRun * run);
/* In the run's thread: no attempt, no timer, no background call, no
 * connection any more (the client gives up, or stops). */
G_GNUC_INTERNAL
void gst_kvs_signaling_run_halt (GstKvsSignalingRun * run);
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
