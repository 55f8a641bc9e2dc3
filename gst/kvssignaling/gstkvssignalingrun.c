/* kvssignaling: one run of the signaling client, from start() to stop().
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GstKvsSignalingRun: everything a run of the client needs and finds out,
 * made whole by start() and dropped when the run's thread ends. What the
 * configuration says is checked and resolved here, before the thread
 * starts: the channel (a name, or an ARN that also gives the region), the
 * viewer's client id, the credentials, the region, the control-plane
 * endpoint and the certificate authorities. The thread then makes the
 * session and the channel resolver, and attaches the client's credentials
 * (gstkvsclientcredentials.c: the chain outlives the run) to the thread's
 * context (gst_kvs_signaling_run_open()).
 *
 * GIO's default proxy resolver (libproxy, not safe across threads on
 * Debian 12) is not used: proxies come from https_proxy/http_proxy/
 * all_proxy/no_proxy.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstkvssignalingrun.h"
#include "gstkvsproxy.h"
#include "gstkvshandover.h"
#include "gstkvsawsconfig.h"
#include "gstkvscredentialsutil.h"
#include "gstkvsendpoints.h"
#include "gstkvserror.h"
#include "gstkvsvalidation.h"
#include "gstkvsowner.h"

GST_DEBUG_CATEGORY_STATIC (kvs_signaling_run_debug);
#define GST_CAT_DEFAULT kvs_signaling_run_debug

static void
init_debug (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (kvs_signaling_run_debug, "kvssignalingrun", 0,
        "KVS signaling client run");
    g_once_init_leave (&done, 1);
  }
}

/* "arn:aws:kinesisvideo:<region>:<account>:channel/<name>/<ms>" */
static gboolean
parse_channel_arn (const gchar * arn, gchar ** region, GError ** error)
{
  g_auto (GStrv) parts = g_strsplit (arn, ":", 6);

  if (g_strv_length (parts) != 6 || g_strcmp0 (parts[0], "arn") != 0 ||
      !g_str_has_prefix (parts[1], "aws") ||
      g_strcmp0 (parts[2], "kinesisvideo") != 0 || parts[3][0] == '\0' ||
      !g_str_has_prefix (parts[5], "channel/")) {
    g_set_error (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_CHANNEL_NAME,
        "channel-arn '%s' is not a signaling channel ARN "
        "(arn:aws:kinesisvideo:<region>:<account>:channel/<name>/<id>)", arn);
    return FALSE;
  }
  *region = g_strdup (parts[3]);
  return TRUE;
}

static gchar *
generate_client_id (void)
{
  GString *s = g_string_new ("viewer-");

  for (guint i = 0; i < 12; i++)
    g_string_append_printf (s, "%x", g_random_int_range (0, 16));
  return g_string_free (s, FALSE);
}

/* The channel and the viewer's client id. */
static gboolean
resolve_channel (GstKvsSignalingRun * run, const GstKvsSettings * s,
    gchar ** arn_region, GError ** error)
{
  if (s->channel_arn && *s->channel_arn) {
    if (!parse_channel_arn (s->channel_arn, arn_region, error))
      return FALSE;
    run->arn = g_strdup (s->channel_arn);
  } else if (s->channel_name && *s->channel_name) {
    if (!gst_kvs_validate_channel_name (s->channel_name, error))
      return FALSE;
    run->channel_name = g_strdup (s->channel_name);
  } else if (gst_kvs_settings_get_iot_thing_name (s)) {
    /* AWS IoT policies restrict the channel to the thing's name */
    const gchar *thing = gst_kvs_settings_get_iot_thing_name (s);

    if (!gst_kvs_validate_channel_name (thing, error)) {
      g_prefix_error (error, "the AWS IoT thing name names the channel: ");
      return FALSE;
    }
    run->channel_name = g_strdup (thing);
    GST_INFO ("channel named after the AWS IoT thing: %s", thing);
  } else {
    g_set_error_literal (error, GST_KVS_VALIDATION_ERROR,
        GST_KVS_VALIDATION_ERROR_CHANNEL_NAME,
        "no channel: set channel-name or channel-arn");
    return FALSE;
  }

  if (run->role != GST_KVS_ROLE_VIEWER)
    return TRUE;
  if (s->client_id && *s->client_id) {
    if (!gst_kvs_validate_viewer_client_id (s->client_id, error))
      return FALSE;
    run->client_id = g_strdup (s->client_id);
  } else {
    run->client_id = generate_client_id ();
    GST_INFO ("generated client id %s", run->client_id);
  }
  return TRUE;
}

/* Whether a source of the chain that only answers asynchronously (AWS
 * IoT, web identity, a profile's credential_process, role or SSO,
 * container credentials, IMDS) is configured. */
static gboolean
async_source_configured (const GstKvsSettings * s)
{
  static const gchar *const env[] = { "AWS_IOT_CORE_CREDENTIAL_ENDPOINT",
    "AWS_IOT_CORE_ROLE_ALIAS", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL
  };
  static const gchar *const keys[] = { "credential_process", "role_arn",
    "sso_session", "sso_start_url", "web_identity_token_file", NULL
  };
  const gchar *imds_disabled = gst_kvs_env_get ("AWS_EC2_METADATA_DISABLED");

  if ((s->iot_endpoint && *s->iot_endpoint) ||
      (s->iot_role_alias && *s->iot_role_alias))
    return TRUE;
  for (guint i = 0; env[i]; i++)
    if (gst_kvs_env_get (env[i]))
      return TRUE;
  for (guint i = 0; keys[i]; i++) {
    g_autofree gchar *c = gst_kvs_aws_config_file_get (s->profile, keys[i]);
    g_autofree gchar *f = gst_kvs_aws_credentials_file_get (s->profile,
        keys[i]);

    if (c || f)
      return TRUE;
  }
  return !(imds_disabled && g_ascii_strcasecmp (imds_disabled, "true") == 0);
}

/* A device certificate or key property naming a file that cannot be read:
 * an error naming the property and the file. */
static gboolean
check_iot_file (const gchar * property, const gchar * file, GError ** error)
{
  g_autoptr (GError) err = NULL;
  g_autofree gchar *contents = NULL;

  if (file == NULL || *file == '\0')
    return TRUE;
  if (g_file_get_contents (file, &contents, NULL, &err))
    return TRUE;
  g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CREDENTIALS_SOURCE,
      "AWS IoT: %s '%s' cannot be read: %s", property, file, err->message);
  return FALSE;
}

/* Credentials (what can be told before the thread starts), region,
 * endpoint, certificate authorities. */
static gboolean
resolve_service (GstKvsSignalingRun * run, const GstKvsSettings * s,
    const gchar * arn_region, GError ** error)
{
  if (!check_iot_file ("iot-certificate", s->iot_certificate, error) ||
      !check_iot_file ("iot-private-key", s->iot_private_key, error))
    return FALSE;
  /* Without any asynchronous source, the static ones (explicit,
   * environment, the profile's keys) must have credentials: the error
   * names every place looked at. Half an explicit key is refused at once.
   * The chain itself runs in the thread. */
  if (!async_source_configured (s) ||
      (s->access_key && *s->access_key) != (s->secret_key && *s->secret_key)) {
    GstKvsCredentials *creds = gst_kvs_credentials_resolve (s->access_key,
        s->secret_key, s->session_token, s->profile, error);

    if (!creds)
      return FALSE;
    gst_kvs_credentials_unref (creds);
  }
  if (s->region && *s->region) {
    run->region = g_strdup (s->region);
    run->region_source = g_strdup ("the region property (aws-region on the "
        "elements)");
  } else if (arn_region) {
    run->region = g_strdup (arn_region);
    run->region_source = g_strdup ("from the channel ARN");
  } else {
    run->region = gst_kvs_aws_resolve_region_full (NULL, s->profile,
        &run->region_source);
  }
  /* FIPS, dual-stack, AWS_ENDPOINT_URL_KINESIS_VIDEO, ... */
  run->cp_endpoint = gst_kvs_endpoint_resolve
      (GST_KVS_AWS_SERVICE_KINESIS_VIDEO, s->endpoint && *s->endpoint ?
      s->endpoint : NULL, run->region, s->profile, &run->cp_endpoint_source);

  if (s->ca_file && *s->ca_file) {
    GError *tls_error = NULL;

    run->tls_database = g_tls_file_database_new (s->ca_file, &tls_error);
    if (!run->tls_database) {
      g_set_error (error, GST_KVS_ERROR, GST_KVS_ERROR_CONNECTION,
          "cannot load ca-file '%s': %s", s->ca_file, tls_error->message);
      g_error_free (tls_error);
      return FALSE;
    }
  }
  return TRUE;
}

GstKvsSignalingRun *
gst_kvs_signaling_run_new (const GstKvsSettings * settings, GError ** error)
{
  GstKvsSignalingRun *run = g_new0 (GstKvsSignalingRun, 1);
  g_autofree gchar *arn_region = NULL;

  init_debug ();
  run->role = settings->role;
  run->step_timeout_s = settings->request_timeout;
  run->max_age_s = settings->max_connection_age;
  if (!resolve_channel (run, settings, &arn_region, error) ||
      !resolve_service (run, settings, arn_region, error)) {
    gst_kvs_signaling_run_free (run);
    return NULL;
  }

  gst_kvs_failure_policy_init (&run->failures,
      run->channel_name ? run->channel_name : run->arn, run->region,
      run->region_source);
  run->context = g_main_context_new ();
  run->loop = g_main_loop_new (run->context, FALSE);
  run->cancellable = g_cancellable_new ();
  return run;
}

/* The ARN and endpoints of earlier processes (gstkvschannelcache.c). */
static void
open_disk_cache (GstKvsSignalingRun * run)
{
  g_autoptr (GstKvsChannelCache) cache = gst_kvs_channel_cache_new_from_env ();

  gst_kvs_channel_resolver_use_disk_cache (run->resolver, cache, run->region,
      run->cp_endpoint);
}

void
gst_kvs_signaling_run_open (GstKvsSignalingRun * run)
{
  g_autoptr (GProxyResolver) proxy_resolver =
      gst_kvs_proxy_resolver_from_env ();

  /* max-conns-per-host: the WebSocket opens beside GetIceServerConfig and
   * a kept-alive REST connection (libsoup's default, 2, would make it wait
   * where the service is one host) */
  run->session = soup_session_new_with_options ("timeout", 0,
      "idle-timeout", 60, "user-agent", "gst-kvssignaling",
      "max-conns-per-host", 6, "proxy-resolver", proxy_resolver, NULL);
  if (run->tls_database)
    soup_session_set_tls_database (run->session, run->tls_database);
  gst_kvs_client_credentials_attach (run->credentials, run->context);
  run->resolver = gst_kvs_channel_resolver_new (run->session,
      run->cp_endpoint, run->region, run->credentials, run->step_timeout_s,
      run->role, run->channel_name, run->arn, run->client_id, run->cancellable);
  open_disk_cache (run);
}

void
gst_kvs_signaling_run_halt (GstKvsSignalingRun * run)
{
  GST_KVS_CHECK_OWNER (run->context);
  run->attempt_active = FALSE;
  gst_kvs_source_clear (&run->reconnect_source);
  gst_kvs_source_clear (&run->stable_source);
  gst_kvs_channel_resolver_stop (run->resolver);
  gst_kvs_handover_drop (run->handover);
}

/* Shutdown waits this long for the close handshakes and cancelled calls. */
#define SHUTDOWN_GRACE_MS 2000

static gboolean
grace_timeout (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* The close handshakes and the cancelled calls still running. */
static gboolean
run_busy (GstKvsSignalingRun * run)
{
  return run->pending_ops > 0 ||
      (run->handover && gst_kvs_handover_get_n_closing (run->handover) > 0) ||
      gst_kvs_channel_resolver_is_busy (run->resolver);
}

void
gst_kvs_signaling_run_drain (GstKvsSignalingRun * run)
{
  GSource *grace = g_timeout_source_new (SHUTDOWN_GRACE_MS);
  gboolean expired = FALSE;

  GST_KVS_CHECK_OWNER (run->context);
  g_source_set_callback (grace, grace_timeout, &expired, NULL);
  g_source_attach (grace, run->context);
  while (run_busy (run) && !expired)
    g_main_context_iteration (run->context, TRUE);
  g_source_destroy (grace);
  g_source_unref (grace);
  if (run_busy (run)) {
    GST_WARNING ("%d call(s) and %u close(s) did not finish in time",
        run->pending_ops, run->handover ?
        gst_kvs_handover_get_n_closing (run->handover) : 0);
  }
}

void
gst_kvs_signaling_run_close (GstKvsSignalingRun * run)
{
  gst_kvs_source_clear (&run->reconnect_source);
  gst_kvs_source_clear (&run->stable_source);
  /* the connections are forgotten, not closed (the drain is over) */
  g_clear_object (&run->handover);
  if (run->resolver)
    gst_kvs_channel_resolver_stop (run->resolver);
  g_clear_object (&run->resolver);
  /* the chain stays with the client, its cache too */
  if (run->credentials)
    gst_kvs_client_credentials_attach (run->credentials, NULL);
  g_clear_object (&run->session);
}

void
gst_kvs_signaling_run_free (GstKvsSignalingRun * run)
{
  gst_kvs_signaling_run_close (run);
  g_free (run->channel_name);
  g_free (run->arn);
  g_free (run->region);
  g_free (run->region_source);
  g_free (run->client_id);
  g_free (run->cp_endpoint);
  g_free (run->cp_endpoint_source);
  g_clear_object (&run->credentials);
  g_clear_object (&run->tls_database);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_clear_object (&run->cancellable);
  g_free (run);
}
