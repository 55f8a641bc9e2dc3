/* A temporary HOME and a clean AWS environment for the unit tests of the
 * shared AWS files and the credential chain.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Save and unset every variable of the NULL-terminated @vars (which must
 * stay valid until kvs_test_env_teardown()), then point HOME at a new
 * temporary directory named after @tmpl (a g_dir_make_tmp() template). */
void kvs_test_env_setup (const gchar * const *vars, const gchar * tmpl);

/* Remove the temporary HOME and restore the saved variables. */
void kvs_test_env_teardown (void);

/* The temporary HOME of the running test. */
const gchar *kvs_test_env_home (void);

/* Write @contents to @relpath under the temporary HOME (directories made
 * as needed); returns the file's path. */
gchar *kvs_test_env_write_home_file (const gchar * relpath,
    const gchar * contents);

G_END_DECLS
