/* A temporary HOME and a clean AWS environment for unit tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "testenv.h"

static const gchar *const *env_vars;
static GPtrArray *saved_env;
static gchar *home;

static void
remove_tree (const gchar * path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR)
      && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)) {
    GDir *dir = g_dir_open (path, 0, NULL);
    const gchar *name;

    while (dir && (name = g_dir_read_name (dir))) {
      g_autofree gchar *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
    if (dir)
      g_dir_close (dir);
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

void
kvs_test_env_setup (const gchar * const *vars, const gchar * tmpl)
{
  guint i;

  env_vars = vars;
  saved_env = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; env_vars[i]; i++) {
    g_ptr_array_add (saved_env, g_strdup (g_getenv (env_vars[i])));
    g_unsetenv (env_vars[i]);
  }
  home = g_dir_make_tmp (tmpl, NULL);
  fail_unless (home != NULL);
  g_setenv ("HOME", home, TRUE);
}

void
kvs_test_env_teardown (void)
{
  guint i;

  remove_tree (home);
  g_clear_pointer (&home, g_free);
  for (i = 0; env_vars[i]; i++) {
    const gchar *value = g_ptr_array_index (saved_env, i);

    if (value)
      g_setenv (env_vars[i], value, TRUE);
    else
      g_unsetenv (env_vars[i]);
  }
  g_clear_pointer (&saved_env, g_ptr_array_unref);
  env_vars = NULL;
}

const gchar *
kvs_test_env_home (void)
{
  return home;
}

gchar *
kvs_test_env_write_home_file (const gchar * relpath, const gchar * contents)
{
  gchar *path = g_build_filename (home, relpath, NULL);
  g_autofree gchar *dir = g_path_get_dirname (path);

  fail_unless (g_mkdir_with_parents (dir, 0700) == 0);
  fail_unless (g_file_set_contents (path, contents, -1, NULL));
  return path;
}
