/* kvssignaling: what a host in a URL the library writes may be.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gio/gio.h>

#include "gstkvshost.h"

#define MAX_HOST_NAME 253
#define MAX_LABEL 63

static gboolean
is_label_char (gchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

static gboolean
dns_name_is_valid (const gchar * host, gsize len)
{
  gsize i, label = 0;

  if (len == 0 || len > MAX_HOST_NAME)
    return FALSE;
  for (i = 0; i < len; i++) {
    gchar c = host[i];

    if (c == '.') {
      if (label == 0 || host[i - 1] == '-')
        return FALSE;
      label = 0;
    } else if (is_label_char (c)) {
      if (label == 0 && c == '-')
        return FALSE;
      if (++label > MAX_LABEL)
        return FALSE;
    } else {
      return FALSE;
    }
  }
  return label > 0 && host[len - 1] != '-';
}

static gboolean
ipv6_is_valid (const gchar * addr, gsize len)
{
  g_autofree gchar *copy = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  gsize i;

  /* Only hex digits, ':' and '.' (an IPv4 tail): no zone id ("%eth0"). */
  if (len == 0 || len > 45)
    return FALSE;
  for (i = 0; i < len; i++) {
    if (!g_ascii_isxdigit (addr[i]) && addr[i] != ':' && addr[i] != '.')
      return FALSE;
  }
  copy = g_strndup (addr, len);
  inet = g_inet_address_new_from_string (copy);
  return inet != NULL
      && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6;
}

gboolean
gst_kvs_host_is_valid (const gchar * host, gsize len, gboolean ipv6_bracketed)
{
  if (host == NULL)
    return FALSE;
  if (len == (gsize) - 1)
    len = strlen (host);
  if (memchr (host, '\0', len) != NULL)
    return FALSE;

  if (ipv6_bracketed && len > 0 && host[0] == '[') {
    if (len < 3 || host[len - 1] != ']')
      return FALSE;
    return ipv6_is_valid (host + 1, len - 2);
  }
  if (memchr (host, ':', len) != NULL)
    return !ipv6_bracketed && ipv6_is_valid (host, len);
  return dns_name_is_valid (host, len);
}
