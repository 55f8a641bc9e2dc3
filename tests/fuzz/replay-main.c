/* kvssignaling fuzzing: a main() for the fuzz targets without libFuzzer.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs every input named on the command line (files, or directories of
 * files) through LLVMFuzzerTestOneInput once, so any compiler and any
 * build (the ASan one of scripts/check-sanitizers included) replays the
 * seed corpus and the recorded findings. A broken property aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

static guint n_inputs;

static void
replay_file (const gchar * path)
{
  g_autofree gchar *data = NULL;
  g_autoptr (GError) err = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &err)) {
    g_printerr ("replay: %s\n", err->message);
    exit (1);
  }
  g_printerr ("replay: %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  n_inputs++;
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const gchar * const *) a, *(const gchar * const *) b);
}

static void
replay_path (const gchar * path)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = NULL;
  const gchar *name;
  guint i;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
    replay_file (path);
    return;
  }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (i = 0; i < names->len; i++)
    replay_path (g_ptr_array_index (names, i));
}

int
main (int argc, char **argv)
{
  int i;

  LLVMFuzzerInitialize (&argc, &argv);
  for (i = 1; i < argc; i++)
    replay_path (argv[i]);
  g_printerr ("replay: %u inputs, all passed\n", n_inputs);
  return n_inputs > 0 ? 0 : 1;
}
