/* kvssignaling: AWS STS query API calls (AssumeRole,
 * AssumeRoleWithWebIdentity) and their XML replies.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include "gstkvscredentials.h"
#include "gstkvscredentialsprovider.h"
#include "gstkvserror.h"

G_BEGIN_DECLS

/* GstKvsStsProvider: the base of the providers whose credentials come from
 * STS (AssumeRole, AssumeRoleWithWebIdentity): the profile that names
 * STS's region and endpoint, the HTTP session (made on first use) and the
 * call that completes a fetch. */
#define GST_KVS_TYPE_STS_PROVIDER (gst_kvs_sts_provider_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstKvsStsProvider, gst_kvs_sts_provider, GST_KVS,
    STS_PROVIDER, GstKvsCredentialsProvider)

struct _GstKvsStsProviderClass
{
  GstKvsCredentialsProviderClass parent_class;
};

/* The profile (NULL: the default) whose region and endpoint settings
 * (AWS_ENDPOINT_URL_STS, FIPS, dual-stack) the calls go to. */
void gst_kvs_sts_provider_set_profile (GstKvsStsProvider * self,
    const gchar * profile);
/* For the fetch @task (taken): the STS call of @params (see
 * gst_kvs_sts_call_async()), @task completed with its credentials or its
 * error. */
void gst_kvs_sts_provider_call (GstKvsStsProvider * self, GTask * task,
    const gchar * const *params, GstKvsCredentials * sign_with,
    const gchar * source, const gchar * what);
/* @configured, else "kvssignaling-<unix time>" (transfer full): the
 * RoleSessionName. */
gchar *gst_kvs_sts_session_name (const gchar * configured);

/* POST @params (NULL-terminated name, value, name, value, ...; Version is
 * added) to the STS @endpoint as a form; signed with SigV4 (service sts,
 * @region) when @sign_with is given. The reply's Credentials become a
 * credential set named @source. Errors (CREDENTIALS_SOURCE) start with
 * @what and carry AWS's code and message ("AccessDenied: ..."). */
void gst_kvs_sts_call_async (SoupSession * session, const gchar * endpoint,
    const gchar * region, const gchar * const *params,
    GstKvsCredentials * sign_with, const gchar * source, const gchar * what,
    GCancellable * cancellable, GAsyncReadyCallback callback,
    gpointer user_data);
GstKvsCredentials *gst_kvs_sts_call_finish (GAsyncResult * result,
    GError ** error);

/* The <Credentials> of an STS reply (GMarkup). */
GstKvsCredentials *gst_kvs_sts_parse_credentials (const gchar * xml,
    gsize len, const gchar * source, const gchar * what, GError ** error);

G_END_DECLS
