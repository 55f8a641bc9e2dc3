/* kvs-signaling-server: a local service that speaks the Amazon Kinesis
 * Video Streams WebRTC signaling API (control plane REST calls, the
 * signaling WebSocket, GetIceServerConfig).
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include "kvsserver.h"
#include "kvsturnserver.h"
#include "kvsiotca.h"

#define EXIT_USAGE 2

static const gchar *
kvs_env (const gchar * name)
{
  const gchar *value = g_getenv (name);

  /* An empty AWS_* variable counts as unset, as in the AWS SDKs. */
  return value && *value ? value : NULL;
}

/* "127.0.0.1:4566", "[::1]:0", "localhost:8080". */
static gboolean
kvs_parse_listen (const gchar * text, gchar ** host, guint * port,
    GError ** error)
{
  const gchar *colon;
  g_autofree gchar *h = NULL;
  guint64 p;

  if (text[0] == '[') {
    const gchar *end = strchr (text, ']');

    if (end == NULL || end[1] != ':')
      goto bad;
    h = g_strndup (text + 1, end - text - 1);
    colon = end + 1;
  } else {
    colon = strrchr (text, ':');
    if (colon == NULL || colon == text || memchr (text, ':', colon - text))
      goto bad;
    h = g_strndup (text, colon - text);
  }
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &p, NULL))
    goto bad;
  if (g_ascii_strcasecmp (h, "localhost") != 0 && !g_hostname_is_ip_address (h))
    goto bad;

  *host = g_steal_pointer (&h);
  *port = (guint) p;
  return TRUE;

bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "--listen '%s': expected HOST:PORT with an IP address (or localhost), "
      "e.g. 127.0.0.1:4566 or [::1]:0", text);
  return FALSE;
}

static gboolean
kvs_check_range (const gchar * option, gint value, gint min, gint max,
    GError ** error)
{
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "%s %d: must be between %d and %d", option, value, min, max);
  return FALSE;
}

/* The viewer page: for the program run from the directory it was built in,
 * tools/viewer/dist of the source tree (where `npm run build` puts it, read
 * at each request); installed, where `meson install` put it, found relative
 * to the program first (an installed tree moved elsewhere, e.g. a package
 * unpacked with dpkg -x), then at its absolute path. */
static gchar *
kvs_default_viewer_dir (void)
{
  g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *exe_dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree gchar *beside = NULL;
  char build_dir[PATH_MAX];

  if (exe_dir == NULL)
    return g_strdup (KVS_VIEWER_INSTALLED_DIR);
  if (realpath (KVS_SERVER_BUILD_DIR, build_dir) &&
      g_str_equal (exe_dir, build_dir))
    return g_strdup (KVS_VIEWER_SOURCE_DIR);
  if (!g_path_is_absolute (KVS_VIEWER_FROM_BINDIR)) {
    beside = g_build_filename (exe_dir, KVS_VIEWER_FROM_BINDIR, NULL);
    if (g_file_test (beside, G_FILE_TEST_IS_DIR))
      return g_steal_pointer (&beside);
  }
  return g_strdup (KVS_VIEWER_INSTALLED_DIR);
}

/* The storage peer helper: from the source tree when run from the build
 * tree, else where `meson install` put it (beside the program first). */
static gchar *
kvs_default_storage_peer (void)
{
  g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *exe_dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree gchar *beside = NULL;
  char build_dir[PATH_MAX];

  if (exe_dir && realpath (KVS_SERVER_BUILD_DIR, build_dir) &&
      g_str_equal (exe_dir, build_dir))
    return g_strdup (KVS_STORAGE_PEER_SOURCE);
  if (exe_dir && !g_path_is_absolute (KVS_STORAGE_PEER_FROM_BINDIR)) {
    beside = g_build_filename (exe_dir, KVS_STORAGE_PEER_FROM_BINDIR, NULL);
    if (g_file_test (beside, G_FILE_TEST_IS_REGULAR))
      return g_steal_pointer (&beside);
  }
  return g_strdup (KVS_STORAGE_PEER_INSTALLED);
}

static gboolean
kvs_on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
kvs_on_shutdown_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* libsoup logs four or five debug lines for every WebSocket frame; with
 * G_MESSAGES_DEBUG unset GLib drops them, but only after formatting each
 * and reading the environment: dropped here, before that. */
static void
kvs_drop_log (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer user_data)
{
}

int
main (int argc, char **argv)
{
  g_autofree gchar *listen = NULL;
  g_autofree gchar *region = NULL;
  g_autofree gchar *access_key = NULL;
  g_autofree gchar *secret_key = NULL;
  g_autofree gchar *turn_secret = NULL;
  g_autofree gchar *tls_cert = NULL;
  g_autofree gchar *tls_key = NULL;
  g_autofree gchar *viewer_dir = NULL;
  g_autofree gchar *storage_dir = NULL;
  g_autofree gchar *storage_peer = NULL;
  g_autofree gchar *listen_host = NULL;
  g_auto (GStrv) turn_uris = NULL;
  g_auto (GStrv) create_channels = NULL;
  g_auto (GStrv) web_identity_tokens = NULL;
  g_auto (GStrv) sso_tokens = NULL;
  g_auto (GStrv) iot_role_aliases = NULL;
  g_autofree gchar *instance_role = NULL;
  g_autofree gchar *container_token = NULL;
  g_autofree gchar *iot_listen = NULL;
  g_autofree gchar *iot_listen_host = NULL;
  g_autofree gchar *iot_ca_cert = NULL;
  g_autofree gchar *iot_ca_dir = NULL;
  g_auto (GStrv) iot_things = NULL;
  g_autofree gchar *iot_tls_cert = NULL;
  g_autofree gchar *iot_tls_key = NULL;
  gboolean emulate_credentials = FALSE;
  gint credential_ttl = KVS_CREDENTIAL_DEFAULT_TTL;
  gboolean no_auth = FALSE, control = FALSE, version = FALSE;
  gboolean no_turn = FALSE, keep_alive = FALSE;
  g_autoptr (KvsTurnServer) turn = NULL;
  gint message_ttl = 0;
  gint idle_timeout = KVS_SERVER_DEFAULT_IDLE_TIMEOUT;
  gint max_duration = KVS_SERVER_DEFAULT_MAX_DURATION;
  gint go_away_grace = KVS_SERVER_DEFAULT_GO_AWAY_GRACE;
  gint max_viewers = KVS_SERVER_DEFAULT_MAX_VIEWERS;
  gint max_connects = 0;
  gint max_frame_size = KVS_SERVER_DEFAULT_MAX_FRAME_SIZE;
  gint max_queue = KVS_SERVER_DEFAULT_MAX_QUEUE;
  GOptionEntry entries[] = {
    {"listen", 0, 0, G_OPTION_ARG_STRING, &listen,
        "Address and port to serve on; port 0 picks a free one "
          "(default 127.0.0.1:4566)", "HOST:PORT"},
    {"region", 0, 0, G_OPTION_ARG_STRING, &region,
        "AWS region of the service: in ARNs and in the SigV4 credential "
          "scope it accepts (default: AWS_REGION, AWS_DEFAULT_REGION, "
          "us-east-1)", "REGION"},
    {"access-key", 0, 0, G_OPTION_ARG_STRING, &access_key,
        "The access key id requests must be signed with "
          "(default: AWS_ACCESS_KEY_ID)", "ID"},
    {"secret-key", 0, 0, G_OPTION_ARG_STRING, &secret_key,
        "The secret access key of --access-key "
          "(default: AWS_SECRET_ACCESS_KEY)", "KEY"},
    {"no-auth", 0, 0, G_OPTION_ARG_NONE, &no_auth,
        "Accept every request without checking signatures", NULL},
    {"message-ttl", 0, 0, G_OPTION_ARG_INT, &message_ttl,
          "How long messages for a client that is not connected are held, "
          "overriding every channel's MessageTtlSeconds (which "
          "DescribeSignalingChannel still reports); 1..120 "
          "(default: each channel's own, 60 unless created with another)",
        "SECONDS"},
    {"idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout,
        "Close a WebSocket (1001) that received nothing, pings included, "
          "for this long; 0 = never (default 600)", "SECONDS"},
    {"max-connection-duration", 0, 0, G_OPTION_ARG_INT, &max_duration,
        "Send GO_AWAY to a WebSocket open this long, then close it after "
          "--go-away-grace; 0 = never (default 3600)", "SECONDS"},
    {"go-away-grace", 0, 0, G_OPTION_ARG_INT, &go_away_grace,
        "Time between GO_AWAY and the 1001 close (default 60)", "SECONDS"},
    {"max-viewers", 0, 0, G_OPTION_ARG_INT, &max_viewers,
        "Viewers per channel; one more is refused at the handshake with "
          "400 ClientLimitExceededException (default 10)", "N"},
    {"max-connects-per-second", 0, 0, G_OPTION_ARG_INT, &max_connects,
        "WebSocket connects admitted per channel in any second; more are "
          "refused at the handshake with 400 ClientLimitExceededException "
          "(AWS: 3); 0 = no limit (default 0)", "N"},
    {"max-frame-size", 0, 0, G_OPTION_ARG_INT, &max_frame_size,
          "Largest text frame accepted; larger ones are refused with "
          "InvalidArgumentException, the connection stays (default 65536)",
        "BYTES"},
    {"max-queue", 0, 0, G_OPTION_ARG_INT, &max_queue,
        "Messages held per absent recipient; more are refused with "
          "ClientLimitExceededException (default 100)", "N"},
    {"turn-uri", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turn_uris,
        "A TURN URI returned by GetIceServerConfig, e.g. "
          "turn:127.0.0.1:3478?transport=udp (repeatable; needs "
          "--turn-secret), instead of the TURN server the service starts "
          "itself (coturn's turnserver on a free port of the --listen "
          "address, 127.0.0.1 for a wildcard one)", "URI"},
    {"no-turn", 0, 0, G_OPTION_ARG_NONE, &no_turn,
        "Start no TURN server: GetIceServerConfig returns an empty "
          "IceServerList (clients written against AWS, e.g. AWS's C SDK "
          "samples, may refuse to connect without one)", NULL},
    {"turn-secret", 0, 0, G_OPTION_ARG_STRING, &turn_secret,
        "Shared secret of the TURN server (coturn --static-auth-secret): "
          "credentials are username <expiry>:<client id or channel name>, "
          "password base64(HMAC-SHA1(secret, username)), Ttl 300", "SECRET"},
    {"control", 0, 0, G_OPTION_ARG_NONE, &control,
        "Enable the test control API under /_control (no authentication: "
          "for tests only)", NULL},
    {"keep-alive", 0, 0, G_OPTION_ARG_NONE, &keep_alive,
        "Keep REST connections open between calls (HTTP/1.1 keep-alive, "
          "as AWS does); off by default: every reply closes its connection "
          "(Connection: close), since libsoup 3.2.3 keeps about 2 KiB of "
          "each kept-alive connection its client closes until the service "
          "exits", NULL},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
          "PEM certificate: serve https:// and wss:// instead of plain HTTP",
        "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
          "PEM private key of --tls-cert (default: read from --tls-cert)",
        "FILE"},
    {"create-channel", 0, 0, G_OPTION_ARG_STRING_ARRAY, &create_channels,
        "Create this signaling channel at start (repeatable)", "NAME"},
    {"viewer-dir", 0, 0, G_OPTION_ARG_FILENAME, &viewer_dir,
        "Folder of the built browser viewer page, served without "
          "authentication under /viewer (default: " KVS_VIEWER_INSTALLED_DIR
          ", or tools/viewer/dist of the source tree when run from the "
          "build tree; 'none' = do not serve it)", "DIR"},
    {"storage-dir", 0, 0, G_OPTION_ARG_FILENAME, &storage_dir,
        "Folder the WebRTC ingestion sessions (JoinStorageSession) are "
          "recorded into, one Matroska file per session under a folder per "
          "stream (default: kvs-signaling-server-storage-PID in the temporary "
          "folder)", "DIR"},
    {"storage-peer", 0, 0, G_OPTION_ARG_FILENAME, &storage_peer,
        "The storage peer helper run for each JoinStorageSession (default: "
          "the installed kvs-storage-peer.py; 'none' = JoinStorageSession "
          "fails)", "FILE"},
    {"credential-ttl", 0, 0, G_OPTION_ARG_INT, &credential_ttl,
        "Lifetime of the temporary credentials the service vends (STS, "
          "IMDS, container, SSO, IoT); after it their requests get 403 "
          "ExpiredTokenException; 15..43200 (default 3600)", "SECONDS"},
    {"emulate-credentials", 0, 0, G_OPTION_ARG_NONE, &emulate_credentials,
          "Serve AWS's credential sources on this port: STS (POST /), "
          "IMDSv2 (/latest), container credentials (/v2/credentials/ID, "
          "/v1/credentials) and the SSO portal (/federation/credentials)",
        NULL},
    {"web-identity-token", 0, 0, G_OPTION_ARG_STRING_ARRAY,
          &web_identity_tokens,
        "A token AssumeRoleWithWebIdentity accepts (repeatable; default: "
          "any non-empty)", "TOKEN"},
    {"instance-role", 0, 0, G_OPTION_ARG_STRING, &instance_role,
        "The role name IMDS serves credentials for (default "
          "kvs-instance-role)", "NAME"},
    {"container-token", 0, 0, G_OPTION_ARG_STRING, &container_token,
        "The Authorization header the container credentials endpoint "
          "requires (default: none required)", "TOKEN"},
    {"sso-token", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sso_tokens,
        "An access token the SSO portal accepts in x-amz-sso_bearer_token "
          "(repeatable; default: any non-empty)", "TOKEN"},
    {"iot-listen", 0, 0, G_OPTION_ARG_STRING, &iot_listen,
          "Serve the AWS IoT credentials provider (mutual TLS) on this "
          "address; port 0 picks one, printed on a second start line",
        "HOST:PORT"},
    {"iot-ca-dir", 0, 0, G_OPTION_ARG_FILENAME, &iot_ca_dir,
          "Folder of the IoT CA the service issues device certificates with "
          "(ca.pem, ca.key: loaded, or created when absent; default: "
          "kvs-signaling-server-iot-ca-PID in the temporary folder)",
        "DIR"},
    {"iot-ca-cert", 0, 0, G_OPTION_ARG_FILENAME, &iot_ca_cert,
        "Instead of --iot-ca-dir: a given PEM CA the IoT clients' "
          "certificates must chain to (the service issues none)", "FILE"},
    {"iot-thing", 0, 0, G_OPTION_ARG_STRING_ARRAY, &iot_things,
        "Issue a device certificate for this thing at start, written to "
          "THING.cert.pem and THING.private.key in --iot-ca-dir "
          "(repeatable; more with POST /_control/iot-certificate)", "THING"},
    {"iot-tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &iot_tls_cert,
        "PEM server certificate of the IoT port (default: --tls-cert, "
          "else one the IoT CA issues)", "FILE"},
    {"iot-tls-key", 0, 0, G_OPTION_ARG_FILENAME, &iot_tls_key,
        "PEM private key of --iot-tls-cert (default: read from "
          "--iot-tls-cert)", "FILE"},
    {"iot-role-alias", 0, 0, G_OPTION_ARG_STRING_ARRAY, &iot_role_aliases,
          "A role alias the IoT credentials provider knows (repeatable)",
        "ALIAS"},
    {"version", 0, 0, G_OPTION_ARG_NONE, &version,
        "Print the version and exit", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (KvsServer) server = NULL;
  KvsServerConfig config = { 0 };
  KvsCounters *counters;
  gboolean timed_out = FALSE;
  guint sigterm_id, sigint_id, timeout_id;

  ctx = g_option_context_new ("- a local Amazon KVS WebRTC signaling service");
  g_option_context_set_summary (ctx,
      "Serves the KVS signaling control plane (CreateSignalingChannel, "
      "DescribeSignalingChannel,\nDeleteSignalingChannel, "
      "ListSignalingChannels, GetSignalingChannelEndpoint,\n"
      "UpdateSignalingChannel, TagResource, UntagResource, "
      "ListTagsForResource),\nGetIceServerConfig, SendAlexaOfferToMaster, "
      "Kinesis video streams and media storage\n(CreateStream, DescribeStream, "
      "ListStreams, DeleteStream, Update/DescribeMediaStorageConfiguration,\n"
      "JoinStorageSession, JoinStorageSessionAsViewer) "
      "and the signaling WebSocket (ConnectAsMaster,\nConnectAsViewer) on "
      "one HTTP/1.1 port, with SigV4 checked on every request.\n"
      "GetIceServerConfig vends credentials of a TURN server it starts "
      "itself (coturn's\nturnserver, stopped with it) unless --turn-uri or "
      "--no-turn says otherwise.\nOn start it prints one line:\n"
      "  kvs-signaling-server listening on http://HOST:PORT\n"
      "and runs until SIGTERM or SIGINT.");
  g_option_context_set_description (ctx,
      "Exit status: 0 after SIGTERM/SIGINT, 1 when the service cannot start "
      "(address in use, bad TLS files),\n2 for a usage error (bad option, "
      "no credentials without --no-auth).\n"
      "Debug output: GST_DEBUG=kvsserver*:6 for the service's categories:\n"
      "  kvsserver (HTTP and REST), kvsserverchannel (channels, routing),\n"
      "  kvsserverconnection (WebSockets), kvsservercontrol (/_control),\n"
      "  kvsserverturn (the TURN server's log);\n"
      "  kvsservercredentials (vended credentials), kvsserversts, "
      "kvsserverimds,\n  kvsservercontainer, kvsserversso, kvsserveriot "
      "(the credential sources),\n  kvsserveriotca (the IoT CA), "
      "kvsserverkeepalive (kept-alive HTTP connections);\n"
      "kvsviewerpage for /viewer, kvs*:6 for these and the library's "
      "(SigV4, ...).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());

  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto usage;
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    g_log_set_handler ("libsoup", G_LOG_LEVEL_DEBUG, kvs_drop_log, NULL);
  if (argc > 1) {
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
        "unexpected argument '%s'", argv[1]);
    goto usage;
  }
  if (version) {
    printf ("kvs-signaling-server %s\n", VERSION);
    return EXIT_SUCCESS;
  }

  if (!kvs_parse_listen (listen ? listen : "127.0.0.1:4566",
          &listen_host, &config.listen_port, &error))
    goto usage;
  if ((message_ttl != 0 &&
          !kvs_check_range ("--message-ttl", message_ttl, 1, 120, &error)) ||
      !kvs_check_range ("--idle-timeout", idle_timeout, 0, G_MAXINT / 1000,
          &error) ||
      !kvs_check_range ("--max-connection-duration", max_duration, 0,
          G_MAXINT / 1000, &error) ||
      !kvs_check_range ("--go-away-grace", go_away_grace, 0,
          G_MAXINT / 1000, &error) ||
      !kvs_check_range ("--max-viewers", max_viewers, 1, 100000, &error) ||
      !kvs_check_range ("--max-connects-per-second", max_connects, 0, 10000,
          &error) ||
      !kvs_check_range ("--max-frame-size", max_frame_size, 1024,
          16 * 1024 * 1024, &error) ||
      !kvs_check_range ("--max-queue", max_queue, 1, 100000, &error) ||
      !kvs_check_range ("--credential-ttl", credential_ttl,
          KVS_CREDENTIAL_MIN_TTL, KVS_CREDENTIAL_MAX_TTL, &error))
    goto usage;
  if (iot_listen) {
    if (!kvs_parse_listen (iot_listen, &iot_listen_host,
            &config.iot_listen_port, &error)) {
      g_prefix_error (&error, "--iot-listen: ");
      goto usage;
    }
    if (iot_ca_cert && (iot_ca_dir || iot_things)) {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--iot-ca-cert (a given CA, without its key) excludes --iot-ca-dir "
          "and --iot-thing (the service's own CA)");
      goto usage;
    }
    if (iot_ca_cert && iot_tls_cert == NULL && tls_cert == NULL) {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "--iot-ca-cert needs a server certificate: --iot-tls-cert or "
          "--tls-cert");
      goto usage;
    }
    for (guint i = 0; iot_things && iot_things[i]; i++) {
      if (!kvs_iot_ca_thing_name_is_valid (iot_things[i])) {
        g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
            "--iot-thing '%s': a thing name is 1 to 128 letters, digits, "
            "':', '_' or '-'", iot_things[i]);
        goto usage;
      }
    }
  } else if (iot_ca_cert || iot_ca_dir || iot_things || iot_tls_cert ||
      iot_tls_key || iot_role_aliases) {
    g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--iot-ca-dir, --iot-ca-cert, --iot-thing, --iot-tls-cert, "
        "--iot-tls-key and --iot-role-alias need --iot-listen");
    goto usage;
  }
  if (iot_tls_key && !iot_tls_cert) {
    g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--iot-tls-key needs --iot-tls-cert");
    goto usage;
  }
  if (!emulate_credentials && (web_identity_tokens || instance_role ||
          container_token || sso_tokens)) {
    g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--web-identity-token, --instance-role, --container-token and "
        "--sso-token need --emulate-credentials");
    goto usage;
  }
  if (instance_role && (*instance_role == '\0' || strchr (instance_role, '/')
          || strlen (instance_role) > 64)) {
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--instance-role '%s': a role name, 1..64 characters, no '/'",
        instance_role);
    goto usage;
  }

  if (!access_key)
    access_key = g_strdup (kvs_env ("AWS_ACCESS_KEY_ID"));
  if (!secret_key)
    secret_key = g_strdup (kvs_env ("AWS_SECRET_ACCESS_KEY"));
  if (!no_auth && (!access_key || !*access_key || !secret_key || !*secret_key)) {
    g_printerr ("kvs-signaling-server: refusing to start without "
        "credentials: give --access-key and --secret-key (or set "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or --no-auth to "
        "accept unsigned requests\n");
    return EXIT_USAGE;
  }
  if ((turn_uris && turn_uris[0]) != (turn_secret != NULL)) {
    g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--turn-uri and --turn-secret go together");
    goto usage;
  }
  if (no_turn && turn_uris && turn_uris[0]) {
    g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--no-turn and --turn-uri exclude each other");
    goto usage;
  }
  if (tls_key && !tls_cert) {
    g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--tls-key needs --tls-cert");
    goto usage;
  }

  if (!region)
    region = g_strdup (kvs_env ("AWS_REGION"));
  if (!region)
    region = g_strdup (kvs_env ("AWS_DEFAULT_REGION"));
  if (!region)
    region = g_strdup ("us-east-1");

  config.listen_host = listen_host;
  config.region = region;
  config.access_key = no_auth ? NULL : access_key;
  config.secret_key = no_auth ? NULL : secret_key;
  config.no_auth = no_auth;
  config.message_ttl = message_ttl;
  config.idle_timeout = idle_timeout;
  config.max_connection_duration = max_duration;
  config.go_away_grace = go_away_grace;
  config.max_viewers = max_viewers;
  config.max_connects_per_second = max_connects;
  config.max_frame_size = max_frame_size;
  config.max_queue = max_queue;
  config.turn_uris = turn_uris;
  config.turn_secret = turn_secret;
  config.control = control;
  config.keep_alive = keep_alive;
  config.tls_cert = tls_cert;
  config.tls_key = tls_key;
  config.create_channels = create_channels;
  config.credential_ttl = credential_ttl;
  config.emulate_credentials = emulate_credentials;
  config.web_identity_tokens = web_identity_tokens;
  config.instance_role = instance_role ? instance_role :
      (gchar *) "kvs-instance-role";
  config.container_token = container_token;
  config.sso_tokens = sso_tokens;
  config.iot_listen_host = iot_listen_host;
  /* GTlsFileDatabase wants an absolute path */
  if (iot_ca_cert && !g_path_is_absolute (iot_ca_cert)) {
    gchar *abs = g_canonicalize_filename (iot_ca_cert, NULL);

    g_free (iot_ca_cert);
    iot_ca_cert = abs;
  }
  config.iot_ca_cert = iot_ca_cert;
  if (iot_listen && iot_ca_cert == NULL) {
    if (iot_ca_dir == NULL) {
      g_autofree gchar *name =
          g_strdup_printf ("kvs-signaling-server-iot-ca-%d", (int) getpid ());

      iot_ca_dir = g_build_filename (g_get_tmp_dir (), name, NULL);
    } else if (!g_path_is_absolute (iot_ca_dir)) {
      gchar *abs = g_canonicalize_filename (iot_ca_dir, NULL);

      g_free (iot_ca_dir);
      iot_ca_dir = abs;
    }
  }
  config.iot_ca_dir = iot_ca_dir;
  config.iot_things = iot_things;
  config.iot_tls_cert = iot_tls_cert;
  config.iot_tls_key = iot_tls_key;
  config.iot_role_aliases = iot_role_aliases;
  if (viewer_dir == NULL)
    viewer_dir = kvs_default_viewer_dir ();
  config.viewer_dir = g_str_equal (viewer_dir, "none") ? NULL : viewer_dir;
  if (storage_dir == NULL) {
    g_autofree gchar *name = g_strdup_printf ("kvs-signaling-server-storage-%d",
        (int) getpid ());

    storage_dir = g_build_filename (g_get_tmp_dir (), name, NULL);
  } else if (!g_path_is_absolute (storage_dir)) {
    g_autofree gchar *cwd = g_get_current_dir ();
    gchar *abs = g_build_filename (cwd, storage_dir, NULL);

    g_free (storage_dir);
    storage_dir = abs;
  }
  config.storage_dir = storage_dir;
  if (storage_peer == NULL)
    storage_peer = kvs_default_storage_peer ();
  config.storage_peer = g_str_equal (storage_peer, "none") ? NULL :
      storage_peer;

  if (!no_turn && !(turn_uris && turn_uris[0])) {
    g_autoptr (GError) turn_error = NULL;
    const gchar *turn_host = listen_host;

    if (g_ascii_strcasecmp (turn_host, "localhost") == 0 ||
        g_str_equal (turn_host, "0.0.0.0"))
      turn_host = "127.0.0.1";
    else if (g_str_equal (turn_host, "::"))
      turn_host = "::1";
    turn = kvs_turn_server_new (turn_host);
    if (kvs_turn_server_start (turn, &turn_error)) {
      config.turn_uris = kvs_turn_server_get_uris (turn);
      config.turn_secret = (gchar *) kvs_turn_server_get_secret (turn);
      g_printerr ("kvs-signaling-server: TURN server (turnserver) on %s for "
          "GetIceServerConfig\n", config.turn_uris[0]);
    } else {
      g_printerr ("kvs-signaling-server: %s: GetIceServerConfig returns no "
          "ICE servers, as with --no-turn; clients written against AWS (e.g. "
          "AWS's C SDK samples) may refuse to connect without one\n",
          turn_error->message);
      g_clear_object (&turn);
    }
  } else if (no_turn) {
    g_printerr ("kvs-signaling-server: --no-turn: GetIceServerConfig returns "
        "no ICE servers; clients written against AWS (e.g. AWS's C SDK "
        "samples) may refuse to connect without one\n");
  }

  loop = g_main_loop_new (NULL, FALSE);
  server = kvs_server_new (&config);
  if (!kvs_server_start (server, &error)) {
    g_printerr ("kvs-signaling-server: cannot start: %s\n", error->message);
    g_clear_object (&server);
    if (turn)
      kvs_turn_server_stop (turn);
    return EXIT_FAILURE;
  }

  sigterm_id = g_unix_signal_add (SIGTERM, kvs_on_signal, loop);
  sigint_id = g_unix_signal_add (SIGINT, kvs_on_signal, loop);

  printf ("kvs-signaling-server listening on %s\n",
      kvs_server_get_base_url (server));
  if (kvs_server_get_iot_base_url (server))
    printf ("kvs-signaling-server IoT credentials provider on %s\n",
        kvs_server_get_iot_base_url (server));
  fflush (stdout);
  if (keep_alive)
    g_printerr ("kvs-signaling-server: --keep-alive: REST connections stay "
        "open between calls; with libsoup 3.2.3 each kept-alive connection "
        "its client closes leaves about 2 KiB in the service until it exits "
        "(RSS +6.5 MiB per 3,000 connections)\n");
  if (kvs_server_get_iot_ca (server)) {
    g_printerr ("kvs-signaling-server: IoT CA %s (the IoT port's "
        "certificate and the device certificates chain to it)\n",
        kvs_iot_ca_get_certificate_file (kvs_server_get_iot_ca (server)));
    for (guint i = 0; iot_things && iot_things[i]; i++)
      g_printerr ("kvs-signaling-server: device certificate of thing %s: "
          "%s/%s.cert.pem, its key %s.private.key\n", iot_things[i],
          iot_ca_dir, iot_things[i], iot_things[i]);
  }

  g_main_loop_run (loop);

  /* Say goodbye to every client (1001), for at most half a second. */
  kvs_server_stop (server);
  counters = kvs_server_get_counters (server);
  timeout_id = g_timeout_add (500, kvs_on_shutdown_timeout, &timed_out);
  while (counters->connections_current > 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);

  /* Let the closed connections go before the server does, then let what
   * the server's disposal scheduled run. */
  while (g_main_context_iteration (NULL, FALSE));
  g_clear_object (&server);
  while (g_main_context_iteration (NULL, FALSE));
  if (turn)
    kvs_turn_server_stop (turn);
  return EXIT_SUCCESS;

usage:
  g_printerr ("kvs-signaling-server: %s\nTry 'kvs-signaling-server --help'.\n",
      error->message);
  return EXIT_USAGE;
}
