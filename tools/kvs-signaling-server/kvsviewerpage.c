/* kvs-signaling-server: the browser viewer page (/viewer).
 * SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Static files of tools/viewer/dist: the page and its bundle of AWS's
 * JavaScript SDKs. The page talks to this same origin as its KVS endpoint;
 * the REST calls and the WebSocket it makes are signed and checked as any
 * other client's. Serving the files needs no signature.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include "kvsviewerpage.h"

GST_DEBUG_CATEGORY_STATIC (kvs_viewer_page_debug);
#define GST_CAT_DEFAULT kvs_viewer_page_debug

#define KVS_VIEWER_PATH "/viewer"
#define KVS_VIEWER_INDEX "index.html"

typedef struct
{
  const gchar *suffix;
  const gchar *content_type;
} KvsViewerContentType;

static const KvsViewerContentType kvs_viewer_content_types[] = {
  {".html", "text/html; charset=utf-8"},
  {".js", "text/javascript; charset=utf-8"},
  {".mjs", "text/javascript; charset=utf-8"},
  {".css", "text/css; charset=utf-8"},
  {".map", "application/json"},
  {".json", "application/json"},
  {".txt", "text/plain; charset=utf-8"},
  {".svg", "image/svg+xml"},
  {".png", "image/png"},
  {".ico", "image/x-icon"},
};

static const gchar *
kvs_viewer_page_content_type (const gchar * name)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (kvs_viewer_content_types); i++) {
    if (g_str_has_suffix (name, kvs_viewer_content_types[i].suffix))
      return kvs_viewer_content_types[i].content_type;
  }
  return "application/octet-stream";
}

/* One path segment of [A-Za-z0-9_.-], not starting with '.': never "..",
 * never a hidden file, never a separator or an escaped one ("%2F"). */
static gboolean
kvs_viewer_page_name_is_safe (const gchar * name)
{
  const gchar *p;

  if (name[0] == '\0' || name[0] == '.' || strlen (name) > 255)
    return FALSE;
  for (p = name; *p; p++) {
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  }
  return TRUE;
}

static void
kvs_viewer_page_respond_text (SoupServerMessage * msg, guint status,
    const gchar * content_type, gchar * body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE,
      body, strlen (body));
}

static void
kvs_viewer_page_not_built (SoupServerMessage * msg, const gchar * dir)
{
  g_autofree gchar *escaped = g_markup_escape_text (dir, -1);

  GST_WARNING ("viewer page requested but %s/" KVS_VIEWER_INDEX
      " does not exist: it is not built", dir);
  kvs_viewer_page_respond_text (msg, SOUP_STATUS_NOT_FOUND,
      "text/html; charset=utf-8",
      g_strdup_printf ("<!DOCTYPE html>\n<html lang=\"en\"><head>"
          "<meta charset=\"utf-8\"><title>Viewer page not built</title>"
          "</head><body>\n<h1>The viewer page is not built</h1>\n"
          "<p>kvs-signaling-server serves the browser viewer from "
          "<code>%s</code>, which has no <code>" KVS_VIEWER_INDEX
          "</code>. Build it once (Node.js 20 and npm; the npm packages "
          "are pinned in <code>package-lock.json</code>):</p>\n"
          "<pre>cd tools/viewer\nnpm ci --legacy-peer-deps\n"
          "npm run build</pre>\n<p>then reload this page. No restart of "
          "the server is needed.</p>\n</body></html>\n", escaped));
}

static void
kvs_viewer_page_handle (SoupServer * server, SoupServerMessage * msg,
    const gchar * path, GHashTable * query, gpointer user_data)
{
  const gchar *dir = user_data;
  const gchar *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers;
  const gchar *name;
  g_autofree gchar *filename = NULL;
  g_autofree gchar *index = NULL;
  g_autoptr (GError) error = NULL;
  gchar *contents = NULL;
  gsize length = 0;

  /* SoupServer also hands us "/viewerX": only /viewer and /viewer/… are
   * ours. @path has no query string: keys given there are never logged. */
  if (strcmp (path, KVS_VIEWER_PATH) == 0) {
    name = KVS_VIEWER_INDEX;
  } else if (g_str_has_prefix (path, KVS_VIEWER_PATH "/")) {
    name = path + strlen (KVS_VIEWER_PATH "/");
    if (name[0] == '\0')
      name = KVS_VIEWER_INDEX;
  } else {
    name = NULL;
  }

  if (name == NULL || !kvs_viewer_page_name_is_safe (name)) {
    GST_DEBUG ("%s %s: not a viewer page file", method, path);
    kvs_viewer_page_respond_text (msg, SOUP_STATUS_NOT_FOUND,
        "text/plain; charset=utf-8", g_strdup ("Not found\n"));
    return;
  }

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    GST_DEBUG ("%s %s: method not allowed", method, path);
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", "GET, HEAD");
    kvs_viewer_page_respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        "text/plain; charset=utf-8",
        g_strdup ("The viewer page only answers GET and HEAD\n"));
    return;
  }

  index = g_build_filename (dir, KVS_VIEWER_INDEX, NULL);
  if (!g_file_test (index, G_FILE_TEST_IS_REGULAR)) {
    if (strcmp (name, KVS_VIEWER_INDEX) == 0) {
      kvs_viewer_page_not_built (msg, dir);
    } else {
      kvs_viewer_page_respond_text (msg, SOUP_STATUS_NOT_FOUND,
          "text/plain; charset=utf-8",
          g_strdup ("Not found: the viewer page is not built\n"));
    }
    return;
  }

  /* Symbolic links are not followed: nothing outside @dir, even by a link. */
  filename = g_build_filename (dir, name, NULL);
  if (!g_file_test (filename, G_FILE_TEST_IS_REGULAR) ||
      g_file_test (filename, G_FILE_TEST_IS_SYMLINK) ||
      !g_file_get_contents (filename, &contents, &length, &error)) {
    GST_DEBUG ("%s %s: %s", method, path,
        error ? error->message : "no such file");
    kvs_viewer_page_respond_text (msg, SOUP_STATUS_NOT_FOUND,
        "text/plain; charset=utf-8", g_strdup ("Not found\n"));
    return;
  }

  GST_DEBUG ("%s %s: %s, %" G_GSIZE_FORMAT " bytes", method, path, filename,
      length);
  headers = soup_server_message_get_response_headers (msg);
  /* Rebuilds show at the next reload; the page's address may carry keys in
   * its query: never send it on as a Referer. */
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, kvs_viewer_page_content_type (name),
      SOUP_MEMORY_TAKE, contents, length);
}

void
kvs_viewer_page_register (SoupServer * server, const gchar * dir)
{
  static gsize debug_once = 0;

  g_return_if_fail (SOUP_IS_SERVER (server));
  g_return_if_fail (dir != NULL);

  if (g_once_init_enter (&debug_once)) {
    GST_DEBUG_CATEGORY_INIT (kvs_viewer_page_debug, "kvsviewerpage", 0,
        "kvs-signaling-server browser viewer page");
    g_once_init_leave (&debug_once, 1);
  }

  GST_INFO ("serving the viewer page from %s under " KVS_VIEWER_PATH, dir);
  soup_server_add_handler (server, KVS_VIEWER_PATH, kvs_viewer_page_handle,
      g_strdup (dir), g_free);
}
