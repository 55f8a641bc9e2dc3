/* kvs-signaling-server: the TURN server (coturn's turnserver) the service
 * starts as a child process.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include "kvsturnserver.h"

GST_DEBUG_CATEGORY_STATIC (kvs_turn_server_debug);
#define GST_CAT_DEFAULT kvs_turn_server_debug

/* How long turnserver may take to open its listeners, and to exit. */
#define KVS_TURN_START_TIMEOUT_MS 5000
#define KVS_TURN_STOP_TIMEOUT_MS 2000
#define KVS_TURN_REALM "kvs-signaling-server.local"

struct _KvsTurnServer
{
  GObject parent;

  gchar *host;                  /* an IP address */
  guint port;
  gchar *secret;
  gchar **uris;
  gchar *dir;                   /* private temporary folder */
  GSubprocess *proc;
  GDataInputStream *log;
  GCancellable *cancel;
  gboolean udp_open, tcp_open, exited;
};

G_DEFINE_FINAL_TYPE (KvsTurnServer, kvs_turn_server, G_TYPE_OBJECT);

static void
kvs_turn_server_remove_files (KvsTurnServer * self)
{
  const gchar *names[] = { "turnserver.conf", "turnserver.pid", "turndb",
    NULL
  };
  guint i;

  if (self->dir == NULL)
    return;
  for (i = 0; names[i]; i++) {
    g_autofree gchar *path = g_build_filename (self->dir, names[i], NULL);

    g_unlink (path);
  }
  g_rmdir (self->dir);
  g_clear_pointer (&self->dir, g_free);
}

static void
kvs_turn_server_finalize (GObject * object)
{
  KvsTurnServer *self = KVS_TURN_SERVER (object);

  kvs_turn_server_stop (self);
  g_free (self->host);
  g_free (self->secret);
  g_strfreev (self->uris);
  G_OBJECT_CLASS (kvs_turn_server_parent_class)->finalize (object);
}

static void
kvs_turn_server_class_init (KvsTurnServerClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = kvs_turn_server_finalize;
  GST_DEBUG_CATEGORY_INIT (kvs_turn_server_debug, "kvsserverturn", 0,
      "kvs-signaling-server's TURN server (turnserver's log)");
}

static void
kvs_turn_server_init (KvsTurnServer * self)
{
}

KvsTurnServer *
kvs_turn_server_new (const gchar * host)
{
  KvsTurnServer *self = g_object_new (KVS_TYPE_TURN_SERVER, NULL);

  self->host = g_strdup (host);
  return self;
}

/* A port of @addr free for both UDP and TCP (0 when none was found). */
static guint
kvs_turn_free_port (GInetAddress * addr)
{
  guint attempt;

  for (attempt = 0; attempt < 20; attempt++) {
    g_autoptr (GSocket) udp = NULL;
    g_autoptr (GSocket) tcp = NULL;
    g_autoptr (GSocketAddress) any = NULL;
    g_autoptr (GSocketAddress) bound = NULL;
    g_autoptr (GSocketAddress) same = NULL;
    GSocketFamily family = g_inet_address_get_family (addr);
    guint port;

    udp = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM,
        G_SOCKET_PROTOCOL_UDP, NULL);
    tcp = g_socket_new (family, G_SOCKET_TYPE_STREAM,
        G_SOCKET_PROTOCOL_TCP, NULL);
    any = g_inet_socket_address_new (addr, 0);
    if (udp == NULL || tcp == NULL || !g_socket_bind (udp, any, FALSE, NULL))
      return 0;
    bound = g_socket_get_local_address (udp, NULL);
    if (bound == NULL)
      return 0;
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    same = g_inet_socket_address_new (addr, port);
    if (g_socket_bind (tcp, same, FALSE, NULL))
      return port;
  }
  return 0;
}

static void kvs_turn_server_read_log (KvsTurnServer * self);

static void
kvs_turn_server_on_line (GObject * source, GAsyncResult * res,
    gpointer user_data)
{
  KvsTurnServer *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM
      (source), res, NULL, &error);
  if (line == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      GST_INFO ("turnserver's output ended%s%s", error ? ": " : "",
          error ? error->message : "");
      self->exited = TRUE;
    }
    g_object_unref (self);
    return;
  }
  g_strchomp (line);
  GST_DEBUG ("turnserver: %s", line);
  if (strstr (line, "UDP listener opened on"))
    self->udp_open = TRUE;
  else if (strstr (line, "TCP listener opened on"))
    self->tcp_open = TRUE;
  kvs_turn_server_read_log (self);
  g_object_unref (self);
}

static void
kvs_turn_server_read_log (KvsTurnServer * self)
{
  g_data_input_stream_read_line_async (self->log, G_PRIORITY_DEFAULT,
      self->cancel, kvs_turn_server_on_line, g_object_ref (self));
}

static void
kvs_turn_server_child_setup (gpointer user_data)
{
  /* never outlive the service, even when it is killed */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
kvs_turn_server_on_deadline (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
kvs_turn_server_start (KvsTurnServer * self, GError ** error)
{
  g_autoptr (GInetAddress) addr = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree gchar *program = NULL;
  g_autofree gchar *conf = NULL, *conf_text = NULL;
  g_autofree gchar *pid = NULL, *db = NULL;
  g_autofree gchar *a_ip = NULL, *a_relay = NULL;
  g_autofree gchar *a_port = NULL, *a_pid = NULL, *a_db = NULL;
  g_autofree gchar *uri_host = NULL;
  guint8 raw[24];
  gboolean timed_out = FALSE;
  guint i, timer;

  g_return_val_if_fail (KVS_IS_TURN_SERVER (self), FALSE);
  g_return_val_if_fail (self->proc == NULL, FALSE);

  program = g_find_program_in_path ("turnserver");
  if (program == NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "turnserver is not installed (Debian package coturn)");
    return FALSE;
  }
  addr = g_inet_address_new_from_string (self->host);
  if (addr == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' is not an IP address", self->host);
    return FALSE;
  }
  self->port = kvs_turn_free_port (addr);
  if (self->port == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
        "no free UDP and TCP port on %s for the TURN server", self->host);
    return FALSE;
  }

  for (i = 0; i < sizeof (raw); i++)
    raw[i] = g_random_int_range (0, 256);
  self->secret = g_base64_encode (raw, sizeof (raw));

  /* The secret goes in a file only we can read, never on the command line
   * (other users see that in ps). */
  self->dir = g_dir_make_tmp ("kvs-turn-XXXXXX", error);
  if (self->dir == NULL)
    return FALSE;
  conf = g_build_filename (self->dir, "turnserver.conf", NULL);
  pid = g_build_filename (self->dir, "turnserver.pid", NULL);
  db = g_build_filename (self->dir, "turndb", NULL);
  conf_text = g_strdup_printf ("static-auth-secret=%s\n", self->secret);
  if (!g_file_set_contents_full (conf, conf_text, -1,
          G_FILE_SET_CONTENTS_CONSISTENT, 0600, error)) {
    kvs_turn_server_remove_files (self);
    return FALSE;
  }

  a_ip = g_strconcat ("--listening-ip=", self->host, NULL);
  a_relay = g_strconcat ("--relay-ip=", self->host, NULL);
  a_port = g_strdup_printf ("--listening-port=%u", self->port);
  a_pid = g_strconcat ("--pidfile=", pid, NULL);
  a_db = g_strconcat ("--userdb=", db, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_MERGE | G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_child_setup (launcher,
      kvs_turn_server_child_setup, NULL, NULL);
  self->proc = g_subprocess_launcher_spawn (launcher, error, program, "-c",
      conf, "-v", a_ip, a_relay, a_port, "--use-auth-secret",
      "--realm=" KVS_TURN_REALM, "--no-cli", "--no-tls", "--no-dtls",
      "--no-software-attribute", "--log-file=stdout", a_pid, a_db,
      g_inet_address_get_is_loopback (addr) ? "--allow-loopback-peers" :
      NULL, NULL);
  if (self->proc == NULL) {
    kvs_turn_server_remove_files (self);
    return FALSE;
  }
  GST_INFO ("started %s (pid %s) on %s:%u", program,
      g_subprocess_get_identifier (self->proc), self->host, self->port);

  self->cancel = g_cancellable_new ();
  self->log = g_data_input_stream_new (g_subprocess_get_stdout_pipe
      (self->proc));
  kvs_turn_server_read_log (self);
  timer = g_timeout_add (KVS_TURN_START_TIMEOUT_MS,
      kvs_turn_server_on_deadline, &timed_out);
  while (!(self->udp_open && self->tcp_open) && !self->exited && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timer);
  /* it has read its configuration: the secret need not stay on disk */
  g_unlink (conf);

  if (!(self->udp_open && self->tcp_open)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "turnserver %s within %u ms (GST_DEBUG=kvsserverturn:5 shows its "
        "log)", self->exited ? "exited before listening" :
        "did not open its listeners", KVS_TURN_START_TIMEOUT_MS);
    kvs_turn_server_stop (self);
    return FALSE;
  }

  uri_host = strchr (self->host, ':') ? g_strdup_printf ("[%s]", self->host)
      : g_strdup (self->host);
  self->uris = g_new0 (gchar *, 3);
  self->uris[0] = g_strdup_printf ("turn:%s:%u?transport=udp", uri_host,
      self->port);
  self->uris[1] = g_strdup_printf ("turn:%s:%u?transport=tcp", uri_host,
      self->port);
  return TRUE;
}

gchar **
kvs_turn_server_get_uris (KvsTurnServer * self)
{
  g_return_val_if_fail (KVS_IS_TURN_SERVER (self), NULL);
  return self->uris;
}

const gchar *
kvs_turn_server_get_secret (KvsTurnServer * self)
{
  g_return_val_if_fail (KVS_IS_TURN_SERVER (self), NULL);
  return self->secret;
}

static void
kvs_turn_server_on_exit (GObject * source, GAsyncResult * res,
    gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), res, NULL);
  *(gboolean *) user_data = TRUE;
}

void
kvs_turn_server_stop (KvsTurnServer * self)
{
  gboolean done = FALSE, timed_out = FALSE;
  guint timer;

  g_return_if_fail (KVS_IS_TURN_SERVER (self));

  if (self->cancel)
    g_cancellable_cancel (self->cancel);
  if (self->proc) {
    GST_INFO ("stopping turnserver (pid %s)",
        g_subprocess_get_identifier (self->proc));
    g_subprocess_send_signal (self->proc, SIGTERM);
    g_subprocess_wait_async (self->proc, NULL, kvs_turn_server_on_exit, &done);
    timer = g_timeout_add (KVS_TURN_STOP_TIMEOUT_MS,
        kvs_turn_server_on_deadline, &timed_out);
    while (!done && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    if (!done) {
      GST_WARNING ("turnserver did not exit on SIGTERM: killed");
      g_subprocess_force_exit (self->proc);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
    } else {
      g_source_remove (timer);
    }
    g_clear_object (&self->proc);
  }
  g_clear_object (&self->log);
  g_clear_object (&self->cancel);
  kvs_turn_server_remove_files (self);
}
