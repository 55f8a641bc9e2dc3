/* A SoupServer in a thread of its own (see kvsfakeserver.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kvsfakeserver.h"
#include "kvstestwait.h"

static gpointer
server_thread (gpointer user_data)
{
  KvsFakeServer *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GInetAddress) loopback = NULL;
  GSList *uris;
  GUri *uri;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("tls-certificate", self->certificate, NULL);
  soup_server_add_handler (self->server, NULL, self->handler,
      self->user_data, NULL);
  soup_server_add_websocket_handler (self->server, NULL, NULL, NULL,
      self->ws_handler, self->user_data, NULL);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (!soup_server_listen (self->server, address,
          self->certificate ? SOUP_SERVER_LISTEN_HTTPS : 0, &error))
    g_error ("fake: cannot listen: %s", error->message);

  uris = soup_server_get_uris (self->server);
  uri = uris->data;
  g_mutex_lock (&self->lock);
  self->http_base = g_strdup_printf ("%s://127.0.0.1:%d",
      self->certificate ? "https" : "http", g_uri_get_port (uri));
  self->ws_base = g_strdup_printf ("%s://127.0.0.1:%d",
      self->certificate ? "wss" : "ws", g_uri_get_port (uri));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (self->loop);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE));
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

KvsFakeServer *
kvs_fake_server_new (GTlsCertificate * certificate,
    SoupServerCallback handler, SoupServerWebsocketCallback ws_handler,
    gpointer user_data)
{
  KvsFakeServer *self = g_new0 (KvsFakeServer, 1);

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->certificate = certificate ? g_object_ref (certificate) : NULL;
  self->handler = handler;
  self->ws_handler = ws_handler;
  self->user_data = user_data;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("fake-kvs", server_thread, self);
  KVS_TEST_WAIT (&self->lock, &self->cond, self->ws_base != NULL, 5);
  return self;
}

typedef struct
{
  KvsFakeServer *self;
  KvsFakeServerFunc func;
  gpointer data;
  gboolean done;
} Call;

static gboolean
call_idle (gpointer user_data)
{
  Call *call = user_data;

  call->func (call->data);
  g_mutex_lock (&call->self->lock);
  call->done = TRUE;
  g_cond_broadcast (&call->self->cond);
  g_mutex_unlock (&call->self->lock);
  return G_SOURCE_REMOVE;
}

void
kvs_fake_server_call (KvsFakeServer * self, KvsFakeServerFunc func,
    gpointer data)
{
  Call call = { self, func, data, FALSE };
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, call_idle, &call, NULL);
  g_source_attach (source, self->context);
  g_source_unref (source);
  KVS_TEST_WAIT (&self->lock, &self->cond, call.done, 15);
}

static void
quit (gpointer data)
{
  g_main_loop_quit (data);
}

void
kvs_fake_server_free (KvsFakeServer * self, KvsFakeServerFunc teardown,
    gpointer data)
{
  if (teardown)
    kvs_fake_server_call (self, teardown, data);
  kvs_fake_server_call (self, quit, self->loop);
  g_thread_join (self->thread);

  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_clear_object (&self->certificate);
  g_free (self->http_base);
  g_free (self->ws_base);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
