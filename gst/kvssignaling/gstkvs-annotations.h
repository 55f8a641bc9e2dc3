/* kvssignaling: GObject-Introspection annotations of the public API.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Only comments. This file is read by g-ir-scanner (meson.build,
 * gnome.generate_gir) and by nothing else: it is neither compiled, included
 * nor installed. It gives bindings (Python gi, ...) what the C declarations
 * cannot say: which pointers may be NULL, what a GPtrArray holds, how long a
 * callback lives. The behaviour is documented in each function's header.
 * When a header gains its own gtk-doc block for one of these functions, move
 * the annotations there and delete the block here (g-ir-scanner warns about
 * two blocks for one symbol).
 */

/**
 * gst_kvs_signaling_client_new:
 * @role: master or viewer
 * @channel_name: (nullable): the channel's name; NULL when the
 *   "channel-arn" property is set instead
 *
 * Returns: (transfer full): a new client, not started
 */

/**
 * gst_kvs_signaling_client_set_credentials:
 * @self: a #GstKvsSignalingClient
 * @access_key: (nullable): the access key id, NULL for the AWS chain
 * @secret_key: (nullable): the secret access key
 * @session_token: (nullable): the session token of temporary credentials
 */

/**
 * gst_kvs_signaling_client_dup_client_id:
 * @self: a #GstKvsSignalingClient
 *
 * Returns: (transfer full) (nullable): the viewer's client id, NULL for a
 *   master
 */

/**
 * gst_kvs_signaling_client_dup_channel_arn:
 * @self: a #GstKvsSignalingClient
 *
 * Returns: (transfer full) (nullable): the channel ARN, NULL before
 *   DescribeSignalingChannel succeeded
 */

/**
 * gst_kvs_signaling_client_dup_region:
 * @self: a #GstKvsSignalingClient
 *
 * Returns: (transfer full) (nullable): the resolved region
 */

/**
 * gst_kvs_signaling_client_dup_region_source:
 * @self: a #GstKvsSignalingClient
 *
 * Returns: (transfer full) (nullable): where the resolved region came
 *   from, in words; NULL before start()
 */

/**
 * gst_kvs_signaling_client_dup_ice_servers:
 * @self: a #GstKvsSignalingClient
 *
 * Returns: (transfer container) (element-type GstKvsIceServer): the last
 *   GetIceServerConfig answer, possibly empty
 */

/**
 * gst_kvs_signaling_client_get_stats:
 * @self: a #GstKvsSignalingClient
 *
 * Returns: (transfer full): a snapshot of the connection's metrics
 */

/**
 * gst_kvs_message_new_sdp:
 * @type: %GST_KVS_MESSAGE_TYPE_SDP_OFFER or %GST_KVS_MESSAGE_TYPE_SDP_ANSWER
 * @recipient_client_id: (nullable): the viewer a master sends to; NULL for
 *   a viewer's message
 * @sdp: the SDP text
 * @correlation_id: (nullable): the correlation id, NULL for none
 *
 * Returns: (transfer full): a new message
 */

/**
 * gst_kvs_message_new_ice_candidate:
 * @recipient_client_id: (nullable): the viewer a master sends to
 * @candidate: "candidate:..."
 * @sdp_mid: (nullable): the media id, NULL when unknown
 * @sdp_mline_index: the m-line index, -1 when unknown
 * @correlation_id: (nullable): the correlation id, NULL for none
 *
 * Returns: (transfer full): a new message
 */

/**
 * gst_kvs_message_new:
 * @type: the message type
 *
 * Returns: (transfer full): a new message with no field set
 */

/**
 * gst_kvs_message_copy_with_correlation_id:
 * @msg: a #GstKvsMessage
 * @correlation_id: (nullable): the new correlation id, NULL removes it
 *
 * Returns: (transfer full): a new message
 */

/**
 * gst_kvs_message_to_client_frame:
 * @msg: a #GstKvsMessage
 * @sender_role: the role of the client that sends it
 * @max_payload: payload limit in base64 characters, 0 for the default
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the JSON frame, or NULL on a validation error
 */

/**
 * gst_kvs_message_parse_service_frame:
 * @data: (array length=len) (element-type guint8): the frame
 * @len: its length, or -1 when NUL-terminated
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the message, or NULL on error
 */

/**
 * gst_kvs_message_parse_client_frame:
 * @data: (array length=len) (element-type guint8): the frame
 * @len: its length, or -1 when NUL-terminated
 * @max_payload: payload limit in base64 characters, 0 for the default
 * @correlation_id: (out) (optional) (nullable) (transfer full): on failure,
 *   the frame's correlation id when one could be read
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the message, or NULL on error
 */

/**
 * gst_kvs_message_type_to_string:
 * @type: a #GstKvsMessageType
 *
 * Returns: (nullable): "SDP_OFFER", ...; NULL for UNKNOWN
 */

/**
 * gst_kvs_credentials_resolve:
 * @access_key_id: (nullable): an explicit access key id
 * @secret_access_key: (nullable): an explicit secret access key
 * @session_token: (nullable): an explicit session token
 * @profile: (nullable): the profile, NULL for AWS_PROFILE or "default"
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the credentials, or NULL when the chain found
 *   none
 */

/**
 * gst_kvs_aws_profile_name:
 * @profile: (nullable): an explicit profile name
 *
 * Returns: (transfer full): the profile in use
 */

/**
 * gst_kvs_aws_credentials_file_get:
 * @profile: (nullable): the profile, NULL for the one in use
 * @key: the key
 *
 * Returns: (transfer full) (nullable): the value, or NULL
 */

/**
 * gst_kvs_aws_config_file_get:
 * @profile: (nullable): the profile, NULL for the one in use
 * @key: the key
 *
 * Returns: (transfer full) (nullable): the value, or NULL
 */

/**
 * gst_kvs_aws_credentials_file_lookup:
 * @profile: (nullable): the profile, NULL for the one in use
 * @key: the key
 * @file_found: (out) (optional): whether the file could be read
 * @profile_found: (out) (optional): whether it has the profile
 *
 * Returns: (transfer full) (nullable): the value, or NULL
 */

/**
 * gst_kvs_aws_config_file_lookup:
 * @profile: (nullable): the profile, NULL for the one in use
 * @key: the key
 * @file_found: (out) (optional): whether the file could be read
 * @profile_found: (out) (optional): whether it has the profile
 *
 * Returns: (transfer full) (nullable): the value, or NULL
 */

/**
 * gst_kvs_aws_resolve_region:
 * @explicit_region: (nullable): the region set by the application
 * @profile: (nullable): the profile, NULL for the one in use
 *
 * Returns: (transfer full): the region
 */

/**
 * gst_kvs_aws_resolve_region_full:
 * @explicit_region: (nullable): the region set by the application
 * @profile: (nullable): the profile, NULL for the one in use
 * @source: (out) (optional) (transfer full): where the region came from
 *
 * Returns: (transfer full): the region
 */

/**
 * gst_kvs_aws_resolve_endpoint:
 * @explicit_endpoint: (nullable): the endpoint set by the application
 * @region: the region
 *
 * Returns: (transfer full): the control-plane endpoint URL
 */

/**
 * gst_kvs_error_to_aws_name:
 * @code: a #GstKvsError
 *
 * Returns: (nullable): the AWS name, or NULL when the code has none
 */

/**
 * gst_kvs_error_from_aws:
 * @aws_name: (nullable): the x-amzn-ErrorType value
 * @http_status: the HTTP status
 * @message: (nullable): the service's message
 *
 * Returns: the error code
 */

/**
 * gst_kvs_validation_quote_value:
 * @value: (nullable): the value
 * @len: its length, or -1 when NUL-terminated
 *
 * Returns: (transfer full): the value quoted for an error message
 */

/**
 * gst_kvs_sigv4_canonical_request:
 * @method: the HTTP method
 * @path: the raw request path
 * @query: (nullable): the raw query string without '?'
 * @headers: (array length=n_headers): the request headers
 * @n_headers: the number of @headers
 * @payload_hash: hex SHA-256 of the body
 * @signed_headers: (out) (optional) (transfer full): the signed header list
 *
 * Returns: (transfer full): the canonical request
 */

/**
 * gst_kvs_sigv4_sign_message:
 * @msg: the message to sign in place
 * @body: (nullable): what will be sent, NULL for nothing
 * @creds: the credentials
 * @region: the region
 * @service: the service name ("kinesisvideo")
 * @now: (nullable): the signing time, NULL for now
 * @error: return location for a #GError
 *
 * Returns: whether @msg was signed
 */

/**
 * gst_kvs_sigv4_presign_url:
 * @url: the URL to presign
 * @creds: the credentials
 * @region: the region
 * @service: the service name ("kinesisvideo")
 * @expires: validity in seconds, 1..604800
 * @now: (nullable): the signing time, NULL for now
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the presigned URL, or NULL on error
 */
