/* kvssignaling: a profile's credential_process.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "gstkvsprocessprovider.h"
#include "gstkvscredentialsutil.h"

struct _GstKvsProcessProvider
{
  GstKvsCredentialsProvider parent;
  gchar *command_line, *where;
  guint timeout_s;
};

G_DEFINE_TYPE (GstKvsProcessProvider, gst_kvs_process_provider,
    GST_KVS_TYPE_CREDENTIALS_PROVIDER);

typedef struct
{
  GSubprocess *process;
  GSource *timeout;
  gboolean timed_out;
} Run;

static void
run_free (Run * run)
{
  if (run->timeout) {
    g_source_destroy (run->timeout);
    g_source_unref (run->timeout);
  }
  g_clear_object (&run->process);
  g_free (run);
}

static gboolean
on_timeout (gpointer data)
{
  Run *run = data;

  run->timed_out = TRUE;
  g_subprocess_force_exit (run->process);
  return G_SOURCE_REMOVE;
}

static void
on_done (GObject * object, GAsyncResult * result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GstKvsProcessProvider *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr (GBytes) out = NULL, err_out = NULL;
  g_autoptr (GError) err = NULL;
  g_autoptr (JsonObject) obj = NULL;
  g_autofree gchar *what = g_strdup_printf ("credential process (%s)",
      self->where);
  GError *error = NULL;
  GstKvsCredentials *creds;
  JsonNode *version;

  if (!g_subprocess_communicate_finish (run->process, result, &out, &err_out,
          &err)) {
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_task_return_error (task, g_steal_pointer (&err));
    else
      g_task_return_new_error (task, GST_KVS_ERROR,
          GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: %s", what, err->message);
    return;
  }
  if (run->timed_out) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: killed after %u s without "
        "exiting", what, self->timeout_s);
    return;
  }
  if (!g_subprocess_get_successful (run->process)) {
    g_autofree gchar *text = NULL;
    gsize len = 0;
    const gchar *data = err_out ? g_bytes_get_data (err_out, &len) : NULL;

    text = g_strndup (data ? data : "", MIN (len, 300));
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: the process %s %d%s%s", what,
        g_subprocess_get_if_signaled (run->process) ? "was killed by signal" :
        "exited with status", g_subprocess_get_if_signaled (run->process) ?
        g_subprocess_get_term_sig (run->process) :
        g_subprocess_get_exit_status (run->process), *g_strstrip (text) ?
        ": " : "", text);
    return;
  }
  obj = gst_kvs_json_object_from_bytes (out, what, &error);
  if (obj == NULL) {
    g_task_return_error (task, error);
    return;
  }
  version = json_object_get_member (obj, "Version");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64
      || json_node_get_int (version) != 1) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "%s: the output's \"Version\" is "
        "not 1 (the only version of the credential_process output)", what);
    return;
  }
  creds = gst_kvs_credentials_from_json (obj, "AccessKeyId",
      "SecretAccessKey", "SessionToken", "Expiration", FALSE, what, what,
      &error);
  gst_kvs_credentials_task_return (task, creds, error);
  if (out)
    memset ((gpointer) g_bytes_get_data (out, NULL), 0, g_bytes_get_size (out));
}

static void
gst_kvs_process_provider_fetch (GstKvsCredentialsProvider * provider,
    GTask * task)
{
  GstKvsProcessProvider *self = GST_KVS_PROCESS_PROVIDER (provider);
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) err = NULL;
  Run *run;

  if (!g_shell_parse_argv (self->command_line, NULL, &argv, &err)) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "credential process (%s): cannot "
        "split the command line: %s", self->where, err->message);
    g_object_unref (task);
    return;
  }
  run = g_new0 (Run, 1);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  run->process = g_subprocess_newv ((const gchar * const *) argv,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &err);
  if (run->process == NULL) {
    g_task_return_new_error (task, GST_KVS_ERROR,
        GST_KVS_ERROR_CREDENTIALS_SOURCE, "credential process (%s): cannot "
        "start %s: %s", self->where, argv[0], err->message);
    g_object_unref (task);
    return;
  }
  run->timeout = g_timeout_source_new_seconds (self->timeout_s);
  g_source_set_callback (run->timeout, on_timeout, run, NULL);
  g_source_attach (run->timeout, g_task_get_context (task));
  g_subprocess_communicate_async (run->process, NULL,
      g_task_get_cancellable (task), on_done, task);
}

static void
gst_kvs_process_provider_finalize (GObject * object)
{
  GstKvsProcessProvider *self = GST_KVS_PROCESS_PROVIDER (object);

  g_free (self->command_line);
  g_free (self->where);
  G_OBJECT_CLASS (gst_kvs_process_provider_parent_class)->finalize (object);
}

static void
gst_kvs_process_provider_class_init (GstKvsProcessProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = gst_kvs_process_provider_finalize;
  GST_KVS_CREDENTIALS_PROVIDER_CLASS (klass)->fetch =
      gst_kvs_process_provider_fetch;
}

static void
gst_kvs_process_provider_init (GstKvsProcessProvider * self)
{
}

GstKvsCredentialsProvider *
gst_kvs_process_provider_new (const gchar * command_line, const gchar * where,
    guint timeout_s)
{
  GstKvsProcessProvider *self = g_object_new (GST_KVS_TYPE_PROCESS_PROVIDER,
      "name", "credential process", NULL);

  self->command_line = g_strdup (command_line);
  self->where = g_strdup (where ? where : "credential_process");
  self->timeout_s = timeout_s ? timeout_s : 60;
  return GST_KVS_CREDENTIALS_PROVIDER (self);
}
