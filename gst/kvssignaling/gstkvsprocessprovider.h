/* kvssignaling: a profile's credential_process (its JSON output,
 * Version 1).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "gstkvscredentialsprovider.h"

G_BEGIN_DECLS

#define GST_KVS_TYPE_PROCESS_PROVIDER (gst_kvs_process_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstKvsProcessProvider, gst_kvs_process_provider,
    GST_KVS, PROCESS_PROVIDER, GstKvsCredentialsProvider)

/* Runs @command_line (split as a POSIX shell would, not run by a shell)
 * at each fetch; @where names the setting for errors ("credential_process
 * of profile 'x' in /path/config"). A process that runs longer than
 * @timeout_s (0: 60) is killed. */
GstKvsCredentialsProvider *gst_kvs_process_provider_new (const gchar *
    command_line, const gchar * where, guint timeout_s);

G_END_DECLS
