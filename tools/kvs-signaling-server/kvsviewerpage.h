/* kvs-signaling-server: the browser viewer page (/viewer).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Serves the viewer page built by `npm run build` in tools/viewer (its dist/
 * folder, @dir) on @server, without authentication:
 *   GET|HEAD /viewer, /viewer/, /viewer/index.html   @dir/index.html
 *   GET|HEAD /viewer/NAME                            @dir/NAME
 * NAME is one path segment of [A-Za-z0-9_.-] not starting with '.', and
 * symbolic links are not followed, so no request reaches outside @dir.
 * Other names and missing files are 404, other methods 405. When @dir has
 * no index.html, /viewer answers 404 with a page saying how to build it.
 * @dir is read at each request (a rebuild needs no restart). */
void kvs_viewer_page_register (SoupServer * server, const gchar * dir);

G_END_DECLS
