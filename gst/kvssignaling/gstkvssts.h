/* kvssignaling: AWS STS query API calls (AssumeRole,
 * AssumeRoleWithWebIdentity) and their XML replies.
 * Internal to the library (not installed).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>
#include "gstkvscredentials.h"
#include "gstkvserror.h"

G_BEGIN_DECLS

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
