/* The library's endpoint for each argument "service region fips dualstack"
 * (service: kinesisvideo or sts; fips, dualstack: 0 or 1), one a line, as
 * gst_kvs_endpoint_resolve() gives it with AWS_USE_FIPS_ENDPOINT and
 * AWS_USE_DUALSTACK_ENDPOINT set: the library's side of
 * botocore_endpoints.py.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include <gst/gst.h>
#include <gst/kvssignaling/gstkvsendpoints.h>

int
main (int argc, char **argv)
{
  int i;

  gst_init (NULL, NULL);
  g_setenv ("AWS_CONFIG_FILE", "/nonexistent/kvs-test/config", TRUE);
  for (i = 1; i < argc; i++) {
    g_auto (GStrv) f = g_strsplit (argv[i], " ", -1);
    g_autofree gchar *url = NULL;
    GstKvsAwsService service;

    if (g_strv_length (f) != 4) {
      g_printerr ("bad argument: %s\n", argv[i]);
      return 2;
    }
    service = g_str_equal (f[0], "sts") ? GST_KVS_AWS_SERVICE_STS :
        GST_KVS_AWS_SERVICE_KINESIS_VIDEO;
    g_setenv ("AWS_USE_FIPS_ENDPOINT", g_str_equal (f[2], "1") ? "true" :
        "false", TRUE);
    g_setenv ("AWS_USE_DUALSTACK_ENDPOINT", g_str_equal (f[3], "1") ?
        "true" : "false", TRUE);
    url = gst_kvs_endpoint_resolve (service, NULL, f[1], NULL, NULL);
    printf ("%s\n", url);
  }
  return 0;
}
