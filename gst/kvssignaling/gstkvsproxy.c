/* kvssignaling: the HTTP(S) proxy of the usual environment variables.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvsproxy.h"

static const gchar *
env_nonempty (const gchar * lower, const gchar * upper)
{
  const gchar *v = g_getenv (lower);

  if (!v || !*v)
    v = g_getenv (upper);
  return v && *v ? v : NULL;
}

GProxyResolver *
gst_kvs_proxy_resolver_from_env (void)
{
  const gchar *all = env_nonempty ("all_proxy", "ALL_PROXY");
  const gchar *https = env_nonempty ("https_proxy", "HTTPS_PROXY");
  const gchar *http = env_nonempty ("http_proxy", "HTTP_PROXY");
  const gchar *no = env_nonempty ("no_proxy", "NO_PROXY");
  g_auto (GStrv) ignore = NULL;
  GSimpleProxyResolver *resolver;

  if (!all && !https && !http)
    return NULL;

  ignore = no ? g_strsplit (no, ",", -1) : NULL;
  resolver = G_SIMPLE_PROXY_RESOLVER (g_simple_proxy_resolver_new (all,
          ignore));
  if (https) {
    g_simple_proxy_resolver_set_uri_proxy (resolver, "https", https);
    g_simple_proxy_resolver_set_uri_proxy (resolver, "wss", https);
  }
  if (http) {
    g_simple_proxy_resolver_set_uri_proxy (resolver, "http", http);
    g_simple_proxy_resolver_set_uri_proxy (resolver, "ws", http);
  }
  return G_PROXY_RESOLVER (resolver);
}
