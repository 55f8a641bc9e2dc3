/* Shared by the tests that play the service in-process (the client's unit
 * tests, the hostile fault tests): a SoupServer on 127.0.0.1:0 in its own
 * thread and GMainContext, whose handlers the test writes.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _KvsFakeServer KvsFakeServer;

struct _KvsFakeServer
{
  /* set by kvs_fake_server_new(), read-only afterwards */
  gchar *http_base;             /* http(s)://127.0.0.1:port */
  gchar *ws_base;               /* ws(s)://127.0.0.1:port */

  /*< private >*/
  GMutex lock;
  GCond cond;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  GTlsCertificate *certificate;
  SoupServerCallback handler;
  SoupServerWebsocketCallback ws_handler;
  gpointer user_data;
};

/* Runs in the server's thread (kvs_fake_server_call()). */
typedef void (*KvsFakeServerFunc) (gpointer data);

/* Starts a server (HTTPS and WSS with @certificate, else HTTP and WS) on
 * 127.0.0.1, a port of its own: @handler answers every HTTP request and
 * @ws_handler takes every accepted WebSocket, both with @user_data in the
 * server's thread. Fails the test when it does not listen within 5 s. */
KvsFakeServer *kvs_fake_server_new (GTlsCertificate * certificate,
    SoupServerCallback handler, SoupServerWebsocketCallback ws_handler,
    gpointer user_data);

/* Runs @func (@data) in the server's thread and waits for it (fails the
 * test after 15 s). */
void kvs_fake_server_call (KvsFakeServer * self, KvsFakeServerFunc func,
    gpointer data);

/* Runs @teardown (@data) (if not NULL) in the server's thread, then closes
 * the server, joins its thread and frees it. */
void kvs_fake_server_free (KvsFakeServer * self, KvsFakeServerFunc teardown,
    gpointer data);

G_END_DECLS
