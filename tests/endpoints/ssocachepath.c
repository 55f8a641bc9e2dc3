/* The library's SSO token cache file for "<sso_session>" or, with
 * --start-url, for a legacy start URL: the library's side of
 * botocore_sso.py.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/kvssignaling/gstkvsssoprovider.h>

int
main (int argc, char **argv)
{
  g_autofree gchar *path = NULL;

  gst_init (NULL, NULL);
  if (argc == 3 && strcmp (argv[1], "--start-url") == 0)
    path = gst_kvs_sso_cache_file (NULL, argv[2]);
  else if (argc == 2)
    path = gst_kvs_sso_cache_file (argv[1], NULL);
  else {
    g_printerr ("usage: %s SSO_SESSION | --start-url URL\n", argv[0]);
    return 2;
  }
  printf ("%s\n", path);
  return 0;
}
