/* Tests of the viewer page's file serving (kvsviewerpage.c): what
 * kvs-signaling-server answers under /viewer, on an in-process SoupServer
 * (127.0.0.1, port 0) configured as the real server configures its own.
 * SPDX-License-Identifier: LGPL-2.1-or-later */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>

#include "kvsviewerpage.h"

#define INDEX_HTML "<!DOCTYPE html><title>viewer</title>" \
  "<script src=\"/viewer/viewer.js\"></script>\n"
#define VIEWER_JS "window.kvsViewer = {};\n"

typedef struct
{
  gchar *dir;                   /* the served folder (a fake dist/) */
  gchar *outside;               /* a file next to it, never served */
  SoupServer *server;
  SoupSession *session;
  gchar *base;                  /* http://127.0.0.1:PORT */
} Fixture;

typedef struct
{
  guint status;
  gchar *content_type;
  gchar *allow;
  gchar *cache_control;
  gchar *nosniff;
  goffset content_length;
  GBytes *body;
} Reply;

static void
write_file (const gchar * dir, const gchar * name, const gchar * contents)
{
  g_autofree gchar *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;

  fail_unless (g_file_set_contents (path, contents, -1, &error),
      "cannot write %s: %s", path, error ? error->message : "");
}

static Fixture *
fixture_new (gboolean built)
{
  Fixture *f = g_new0 (Fixture, 1);
  g_autofree gchar *sub = NULL;
  g_autofree gchar *link = NULL;
  g_autofree gchar *root = NULL;
  GError *error = NULL;
  GSList *uris;

  root = g_dir_make_tmp ("kvsviewerpage-XXXXXX", &error);
  fail_unless (root != NULL, "g_dir_make_tmp: %s", error ? error->message : "");
  f->dir = g_build_filename (root, "dist", NULL);
  fail_unless_equals_int (g_mkdir (f->dir, 0700), 0);
  f->outside = g_build_filename (root, "secret.txt", NULL);
  write_file (root, "secret.txt", "outside the served folder\n");
  if (built) {
    write_file (f->dir, "index.html", INDEX_HTML);
    write_file (f->dir, "viewer.js", VIEWER_JS);
    write_file (f->dir, "viewer.js.map", "{}");
    write_file (f->dir, "viewer.js.LEGAL.txt", "licenses\n");
    write_file (f->dir, "style.css", "body {}\n");
    write_file (f->dir, "data.bin", "\x01\x02");
    write_file (f->dir, ".hidden", "hidden\n");
    link = g_build_filename (f->dir, "link.txt", NULL);
    fail_unless_equals_int (symlink (f->outside, link), 0);
    sub = g_build_filename (f->dir, "sub", NULL);
    fail_unless_equals_int (g_mkdir (sub, 0700), 0);
    write_file (sub, "file.js", "nested\n");
  }

  /* As kvs-signaling-server makes its own: raw paths, so that escapes such
   * as %2F reach the handler undecoded. */
  f->server = soup_server_new ("raw-paths", TRUE, NULL);
  kvs_viewer_page_register (f->server, f->dir);
  fail_unless (soup_server_listen_local (f->server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY, &error), "listen: %s",
      error ? error->message : "");
  uris = soup_server_get_uris (f->server);
  fail_unless (uris != NULL);
  f->base = g_strdup_printf ("http://127.0.0.1:%d",
      g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  f->session = soup_session_new ();
  return f;
}

static void
remove_tree (const gchar * path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const gchar *name;

  if (dir == NULL) {
    g_remove (path);
    return;
  }
  while ((name = g_dir_read_name (dir))) {
    g_autofree gchar *child = g_build_filename (path, name, NULL);
    remove_tree (child);
  }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_free (Fixture * f)
{
  g_autofree gchar *root = g_path_get_dirname (f->dir);

  g_object_unref (f->session);
  soup_server_disconnect (f->server);
  g_object_unref (f->server);
  remove_tree (root);
  g_free (f->dir);
  g_free (f->outside);
  g_free (f->base);
  g_free (f);
}

static void
reply_clear (Reply * r)
{
  g_free (r->content_type);
  g_free (r->allow);
  g_free (r->cache_control);
  g_free (r->nosniff);
  g_clear_pointer (&r->body, g_bytes_unref);
}

static void
on_sent (GObject * source, GAsyncResult * result, gpointer user_data)
{
  GBytes **body = user_data;
  GError *error = NULL;

  *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
      &error);
  fail_unless (*body != NULL, "request failed: %s",
      error ? error->message : "");
}

/* Sends METHOD BASE+PATH (PATH sent as written: no normalisation) and runs
 * the default main context, which the server also runs in, until the
 * reply has arrived (10 s at most). */
static void
request (Fixture * f, const gchar * method, const gchar * path, Reply * r)
{
  g_autofree gchar *text = g_strconcat (f->base, path, NULL);
  g_autoptr (GUri) uri = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  SoupMessageHeaders *headers;
  GError *error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  memset (r, 0, sizeof (*r));
  uri = g_uri_parse (text, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED,
      &error);
  fail_unless (uri != NULL, "bad URI %s: %s", text,
      error ? error->message : "");
  msg = soup_message_new_from_uri (method, uri);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
      on_sent, &r->body);
  while (r->body == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  fail_unless (r->body != NULL, "no reply to %s %s within 10 s", method, path);

  headers = soup_message_get_response_headers (msg);
  r->status = soup_message_get_status (msg);
  r->content_type = g_strdup (soup_message_headers_get_one (headers,
          "Content-Type"));
  r->allow = g_strdup (soup_message_headers_get_one (headers, "Allow"));
  r->cache_control = g_strdup (soup_message_headers_get_one (headers,
          "Cache-Control"));
  r->nosniff = g_strdup (soup_message_headers_get_one (headers,
          "X-Content-Type-Options"));
  r->content_length = soup_message_headers_get_content_length (headers);
}

static void
assert_body (Reply * r, const gchar * expected)
{
  gsize size;
  const gchar *data = g_bytes_get_data (r->body, &size);

  fail_unless_equals_int (size, strlen (expected));
  fail_unless (memcmp (data, expected, size) == 0, "unexpected body '%.*s'",
      (int) size, data);
}

static gboolean
body_contains (Reply * r, const gchar * needle)
{
  gsize size;
  const gchar *data = g_bytes_get_data (r->body, &size);
  g_autofree gchar *text = g_strndup (data ? data : "", size);

  return strstr (text, needle) != NULL;
}

GST_START_TEST (test_index_paths)
{
  const gchar *paths[] = { "/viewer", "/viewer?channel=demo&region=us-west-2",
    "/viewer/", "/viewer/index.html"
  };
  Fixture *f = fixture_new (TRUE);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++) {
    Reply r;

    request (f, "GET", paths[i], &r);
    fail_unless_equals_int (r.status, 200);
    fail_unless_equals_string (r.content_type, "text/html; charset=utf-8");
    fail_unless_equals_string (r.cache_control, "no-cache");
    fail_unless_equals_string (r.nosniff, "nosniff");
    assert_body (&r, INDEX_HTML);
    reply_clear (&r);
  }
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_content_types)
{
  const gchar *cases[][2] = {
    {"/viewer/viewer.js", "text/javascript; charset=utf-8"},
    {"/viewer/viewer.js.map", "application/json"},
    {"/viewer/viewer.js.LEGAL.txt", "text/plain; charset=utf-8"},
    {"/viewer/style.css", "text/css; charset=utf-8"},
    {"/viewer/data.bin", "application/octet-stream"},
  };
  Fixture *f = fixture_new (TRUE);
  Reply r;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    request (f, "GET", cases[i][0], &r);
    fail_unless_equals_int (r.status, 200);
    fail_unless_equals_string (r.content_type, cases[i][1]);
    reply_clear (&r);
  }
  request (f, "GET", "/viewer/viewer.js", &r);
  assert_body (&r, VIEWER_JS);
  reply_clear (&r);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_head)
{
  Fixture *f = fixture_new (TRUE);
  Reply r;

  request (f, "HEAD", "/viewer/viewer.js", &r);
  fail_unless_equals_int (r.status, 200);
  fail_unless_equals_string (r.content_type, "text/javascript; charset=utf-8");
  fail_unless_equals_int (r.content_length, strlen (VIEWER_JS));
  fail_unless_equals_int (g_bytes_get_size (r.body), 0);
  reply_clear (&r);
  fixture_free (f);
}

GST_END_TEST;

/* Missing files, names that would leave the folder or reach hidden files,
 * sub-folders or a symbolic link to a file outside (all in the fixture), and
 * paths that only start with "/viewer" are all 404, and never the contents
 * of the file outside. */
GST_START_TEST (test_not_found)
{
  const gchar *paths[] = {
    "/viewer/missing.js",
    "/viewer/link.txt",
    "/viewer/.hidden",
    "/viewer/sub/file.js",
    "/viewer/sub%2Ffile.js",
    "/viewer/..%2Fsecret.txt",
    "/viewer/%2e%2e%2Fsecret.txt",
    "/viewer/..",
    "/viewer/%2e%2e",
    "/viewer/..\\secret.txt",
    "/viewerx",
    "/viewer.js",
  };
  Fixture *f = fixture_new (TRUE);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (paths); i++) {
    Reply r;

    request (f, "GET", paths[i], &r);
    fail_unless (r.status == 404, "GET %s answered %u, expected 404",
        paths[i], r.status);
    fail_if (body_contains (&r, "outside the served folder"));
    fail_if (body_contains (&r, "hidden"));
    fail_if (body_contains (&r, "nested"));
    reply_clear (&r);
  }
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_method_not_allowed)
{
  const gchar *methods[] = { "POST", "PUT", "DELETE" };
  Fixture *f = fixture_new (TRUE);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (methods); i++) {
    Reply r;

    request (f, methods[i], "/viewer", &r);
    fail_unless_equals_int (r.status, 405);
    fail_unless_equals_string (r.allow, "GET, HEAD");
    reply_clear (&r);
  }
  fixture_free (f);
}

GST_END_TEST;

/* Without a build, /viewer says how to make one (and where it looked). */
GST_START_TEST (test_not_built)
{
  Fixture *f = fixture_new (FALSE);
  Reply r;

  request (f, "GET", "/viewer?channel=demo", &r);
  fail_unless_equals_int (r.status, 404);
  fail_unless_equals_string (r.content_type, "text/html; charset=utf-8");
  fail_unless (body_contains (&r, "The viewer page is not built"));
  fail_unless (body_contains (&r, "npm ci --legacy-peer-deps"));
  fail_unless (body_contains (&r, "npm run build"));
  fail_unless (body_contains (&r, f->dir), "the page names the folder");
  reply_clear (&r);

  request (f, "GET", "/viewer/viewer.js", &r);
  fail_unless_equals_int (r.status, 404);
  fail_unless_equals_string (r.content_type, "text/plain; charset=utf-8");
  reply_clear (&r);

  /* Built while the server runs: served at the next request. */
  write_file (f->dir, "index.html", INDEX_HTML);
  request (f, "GET", "/viewer", &r);
  fail_unless_equals_int (r.status, 200);
  assert_body (&r, INDEX_HTML);
  reply_clear (&r);
  fixture_free (f);
}

GST_END_TEST;

static Suite *
viewerpage_suite (void)
{
  Suite *s = suite_create ("viewerpage");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_index_paths);
  tcase_add_test (tc, test_content_types);
  tcase_add_test (tc, test_head);
  tcase_add_test (tc, test_not_found);
  tcase_add_test (tc, test_method_not_allowed);
  tcase_add_test (tc, test_not_built);
  return s;
}

GST_CHECK_MAIN (viewerpage);
