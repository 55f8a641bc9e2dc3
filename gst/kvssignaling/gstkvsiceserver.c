/* kvssignaling: one ICE server set from GetIceServerConfig.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>

#include "gstkvshost.h"
#include "gstkvsiceserver.h"

/**
 * SECTION:gstkvsiceserver
 * @title: GstKvsIceServer
 * @short_description: a TURN server set as GetIceServerConfig returns it
 *
 * An immutable, reference-counted value: the URIs of one TURN server set,
 * the time-limited username and password that go with them, and their time
 * to live. gst_kvs_ice_server_to_gst_turn_uri() turns one of the URIs into
 * the form webrtcbin's #GstWebRTCBin::add-turn-server accepts.
 *
 * The password is a secret: it never appears in a log line.
 */

/* Longest region name accepted (real ones are under 20 characters). */
#define MAX_REGION 64

GST_DEBUG_CATEGORY_STATIC (kvs_ice_server_debug);
#define GST_CAT_DEFAULT kvs_ice_server_debug

static void
ensure_debug_category (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    GST_DEBUG_CATEGORY_INIT (kvs_ice_server_debug, "kvsiceserver", 0,
        "KVS ICE (TURN/STUN) server configuration");
    g_once_init_leave (&once, 1);
  }
}

/* The public struct comes first so that a GstKvsIceServer pointer is a
 * pointer to the whole allocation. */
typedef struct {
  GstKvsIceServer server;
  gint refcount;
} GstKvsIceServerImpl;

G_DEFINE_BOXED_TYPE (GstKvsIceServer, gst_kvs_ice_server,
    gst_kvs_ice_server_ref, gst_kvs_ice_server_unref);

/**
 * gst_kvs_ice_server_new:
 * @uris: (array zero-terminated=1): the server's URIs as AWS gives them
 * @username: (nullable): the TURN username ("<expiry>:<name>")
 * @password: (nullable): the TURN password
 * @ttl: validity of the credentials, in seconds
 *
 * Returns: (transfer full): a new #GstKvsIceServer holding copies of the
 * arguments.
 */
GstKvsIceServer *
gst_kvs_ice_server_new (const gchar * const *uris, const gchar * username,
    const gchar * password, guint ttl)
{
  GstKvsIceServerImpl *impl = g_new0 (GstKvsIceServerImpl, 1);
  const gchar *const empty[] = { NULL };

  impl->refcount = 1;
  impl->server.uris = g_strdupv ((gchar **) (uris ? uris : empty));
  impl->server.username = g_strdup (username);
  impl->server.password = g_strdup (password);
  impl->server.ttl = ttl;

  return &impl->server;
}

/**
 * gst_kvs_ice_server_ref:
 * @server: a #GstKvsIceServer
 *
 * Returns: (transfer full): @server, with one more reference.
 */
GstKvsIceServer *
gst_kvs_ice_server_ref (GstKvsIceServer * server)
{
  GstKvsIceServerImpl *impl = (GstKvsIceServerImpl *) server;

  g_return_val_if_fail (server != NULL, NULL);

  g_atomic_int_inc (&impl->refcount);
  return server;
}

/**
 * gst_kvs_ice_server_unref:
 * @server: (transfer full): a #GstKvsIceServer
 *
 * Drops one reference; the last one frees the value.
 */
void
gst_kvs_ice_server_unref (GstKvsIceServer * server)
{
  GstKvsIceServerImpl *impl = (GstKvsIceServerImpl *) server;

  g_return_if_fail (server != NULL);

  if (!g_atomic_int_dec_and_test (&impl->refcount))
    return;

  g_strfreev (server->uris);
  g_free (server->username);
  if (server->password) {
    /* Do not leave the secret lying around in freed memory. */
    memset (server->password, 0, strlen (server->password));
    g_free (server->password);
  }
  g_free (impl);
}

/* Splits "turn:host:port?query" into the lower-case scheme and what follows
 * it. Also takes "turn://host..." (some servers write it that way). */
static gboolean
split_turn_uri (const gchar * uri, const gchar ** scheme, const gchar ** rest)
{
  if (g_ascii_strncasecmp (uri, "turns:", 6) == 0) {
    *scheme = "turns";
    *rest = uri + 6;
  } else if (g_ascii_strncasecmp (uri, "turn:", 5) == 0) {
    *scheme = "turn";
    *rest = uri + 5;
  } else {
    return FALSE;
  }

  if (g_str_has_prefix (*rest, "//"))
    *rest += 2;

  return TRUE;
}

/* The port of a TURN URI: 1..65535, digits only. */
static gboolean
port_is_valid (const gchar * port, gsize len)
{
  guint v = 0;
  gsize i;

  if (len == 0 || len > 5)
    return FALSE;
  for (i = 0; i < len; i++) {
    if (!g_ascii_isdigit (port[i]))
      return FALSE;
    v = v * 10 + (port[i] - '0');
  }
  return v >= 1 && v <= 65535;
}

/* A query character that needs no escaping in a URI (RFC 3986 pchar, '/'
 * and '?'), or a valid %-escape at @p. */
static gsize
query_char_len (const gchar * p)
{
  if (g_ascii_isalnum (*p) || strchr ("-._~!$&'()*+,;=:@/?", *p) != NULL)
    return *p != '\0' ? 1 : 0;
  if (p[0] == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
    return 3;
  return 0;
}

/* @rest, what follows "turn:" in @uri, is "<host>[:<port>][?<query>]" with a
 * host name, an IPv4 or a [IPv6] address, a port of 1..65535 and a query
 * of URI characters: what webrtcbin (gst_uri_from_string) parses back as
 * the same server. */
static gboolean
check_authority (const gchar * uri, const gchar * rest)
{
  const gchar *end, *port = NULL, *query;
  gsize host_len;

  query = strchr (rest, '?');
  end = query ? query : rest + strlen (rest);
  if (rest[0] == '[') {
    const gchar *close = memchr (rest, ']', end - rest);

    host_len = close ? (gsize) (close - rest) + 1 : (gsize) (end - rest);
  } else {
    host_len = strcspn (rest, ":?");
  }
  if (!gst_kvs_host_is_valid (rest, host_len, TRUE)) {
    GST_DEBUG ("'%s': the host is not a host name, an IPv4 or an [IPv6] "
        "address", uri);
    return FALSE;
  }
  if (rest + host_len < end) {
    if (rest[host_len] != ':'
        || !port_is_valid (rest + host_len + 1, end - (rest + host_len + 1))) {
      GST_DEBUG ("'%s': the port is not a number from 1 to 65535", uri);
      return FALSE;
    }
    port = rest + host_len + 1;
  }
  if (query != NULL) {
    const gchar *p = query + 1;

    while (*p != '\0') {
      gsize n = query_char_len (p);

      if (n == 0) {
        GST_DEBUG ("'%s': the query has a character that is not allowed in "
            "a URI", uri);
        return FALSE;
      }
      p += n;
    }
  }
  GST_LOG ("'%s': host of %" G_GSIZE_FORMAT " bytes, %s port", uri, host_len,
      port ? "a" : "no");
  return TRUE;
}

/**
 * gst_kvs_ice_server_to_gst_turn_uri:
 * @server: a #GstKvsIceServer
 * @uri_index: which of @server's URIs
 *
 * Turns "turn:host:443?transport=udp" (or turns:) into
 * "turn://user:password@host:443?transport=udp", the form of webrtcbin's
 * #GstWebRTCBin::add-turn-server. Username and password are percent-escaped
 * completely (only RFC 3986 unreserved characters stay as they are), since
 * KVS usernames contain ':' and the base64 passwords '/', '+' and '=':
 * webrtcbin splits user from password at the first ':' and unescapes both.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL when @uri_index is
 * out of range, the URI is not turn: or turns:, has no host or one that is
 * not a host name, an IPv4 or a bracketed IPv6 address, a port that is not
 * a number from 1 to 65535, a query with characters a URI may not hold,
 * already carries user information, or @server has no username or
 * password.
 */
gchar *
gst_kvs_ice_server_to_gst_turn_uri (const GstKvsIceServer * server,
    guint uri_index)
{
  const gchar *uri, *scheme, *rest;
  g_autofree gchar *user = NULL;
  g_autofree gchar *pass = NULL;
  gchar *result;

  g_return_val_if_fail (server != NULL, NULL);

  ensure_debug_category ();

  if (server->uris == NULL || uri_index >= g_strv_length (server->uris)) {
    GST_DEBUG ("no URI at index %u", uri_index);
    return NULL;
  }
  uri = server->uris[uri_index];

  if (!split_turn_uri (uri, &scheme, &rest)) {
    GST_DEBUG ("'%s' is not a turn: or turns: URI", uri);
    return NULL;
  }

  /* The host must be there, and nothing may smuggle in user information or
   * a path that would change what webrtcbin parses. */
  if (rest[0] == '\0' || rest[0] == ':' || rest[0] == '?'
      || strpbrk (rest, "@/#") != NULL) {
    GST_DEBUG ("'%s' has no usable host part", uri);
    return NULL;
  }
  if (!check_authority (uri, rest))
    return NULL;

  if (server->username == NULL || server->password == NULL
      || server->username[0] == '\0' || server->password[0] == '\0') {
    GST_DEBUG ("TURN server '%s' comes without username or password", uri);
    return NULL;
  }

  user = g_uri_escape_string (server->username, NULL, FALSE);
  pass = g_uri_escape_string (server->password, NULL, FALSE);

  result = g_strconcat (scheme, "://", user, ":", pass, "@", rest, NULL);
  /* Only the host part is logged: the password is a secret. */
  GST_LOG ("TURN URI for '%s' built", uri);

  return result;
}

static gboolean
region_is_valid (const gchar * region)
{
  const gchar *p;

  if (region == NULL || region[0] == '\0' || strlen (region) > MAX_REGION)
    return FALSE;

  for (p = region; *p; p++) {
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  }
  return TRUE;
}

/**
 * gst_kvs_stun_uri_for_region:
 * @region: an AWS region ("us-west-2", "cn-north-1")
 *
 * KVS never returns its STUN server through an API: it is
 * stun.kinesisvideo.<region>.amazonaws.com:443 for the channel's region,
 * under amazonaws.com.cn in the China regions.
 *
 * Returns: (transfer full) (nullable): "stun://stun.kinesisvideo.<region>.
 * amazonaws.com:443", the form of webrtcbin's stun-server property, or %NULL
 * when @region is not a region name: 1 to 64 characters, lower-case letters,
 * digits and '-' (a longer name is refused).
 */
gchar *
gst_kvs_stun_uri_for_region (const gchar * region)
{
  ensure_debug_category ();

  if (!region_is_valid (region)) {
    GST_DEBUG ("'%s' is not a region name", GST_STR_NULL (region));
    return NULL;
  }

  return g_strdup_printf ("stun://stun.kinesisvideo.%s.amazonaws.com%s:443",
      region, g_str_has_prefix (region, "cn-") ? ".cn" : "");
}
