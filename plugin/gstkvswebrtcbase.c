/* kvssignaling: what kvswebrtcsink and kvswebrtcsrc share.
 *
 * GstKvsWebrtcBase is the abstract parent of the two bins. It holds the
 * kvssignalingsrc/kvssignalingsink pair that speaks to the channel (the
 * bins never speak the protocol themselves), and gives the bin the pair's
 * connection properties under the same names: each value set on the bin is
 * handed to both inner elements, each value read comes from the src.
 *
 * A viewer bin without client-id gets one generated at NULL→READY, so that
 * two viewer bins in one pipeline are two viewers (the pair alone would
 * share one connection per pipeline).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvswebrtcbase.h"
#include "gstkvssignalingsrc.h"
#include "gstkvssignalingsink.h"

GST_DEBUG_CATEGORY_STATIC (kvs_webrtc_base_debug);
#define GST_CAT_DEFAULT kvs_webrtc_base_debug

enum
{
  PROP_0,
  PROP_FIRST_FORWARDED,
};

/* Properties of the pair that the bins do not forward: the bins bring and
 * drive their own webrtcbins, and report their own stats. */
static const gchar *const not_forwarded[] = {
  "name", "parent", "role", "webrtcbin", "webrtcbin-name", "auto-negotiate",
  "recv-caps", "stats", "join-storage-session", NULL
};

/* The forwarded properties, by property id - PROP_FIRST_FORWARDED. */
static GPtrArray *forwarded;

typedef struct
{
  GstElement *src;              /* kvssignalingsrc, owned by the bin */
  GstElement *sink;             /* kvssignalingsink, owned by the bin */
  GstKvsRole role;              /* object lock */
  gchar *generated_client_id;   /* object lock; NULL→READY to READY→NULL */
} GstKvsWebrtcBasePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (GstKvsWebrtcBase, gst_kvs_webrtc_base,
    GST_TYPE_BIN, G_ADD_PRIVATE (GstKvsWebrtcBase)
    GST_DEBUG_CATEGORY_INIT (kvs_webrtc_base_debug, "kvswebrtcbase", 0,
        "KVS WebRTC bins: the signaling pair inside"));

#define GET_PRIV(self) \
  ((GstKvsWebrtcBasePrivate *) gst_kvs_webrtc_base_get_instance_private (self))

/* ------------------------------------------------------------------------ */

GstElement *
gst_kvs_webrtc_base_get_signaling_src (GstKvsWebrtcBase * self)
{
  return GET_PRIV (self)->src;
}

GstElement *
gst_kvs_webrtc_base_get_signaling_sink (GstKvsWebrtcBase * self)
{
  return GET_PRIV (self)->sink;
}

GstKvsRole
gst_kvs_webrtc_base_get_role (GstKvsWebrtcBase * self)
{
  GstKvsRole role;

  GST_OBJECT_LOCK (self);
  role = GET_PRIV (self)->role;
  GST_OBJECT_UNLOCK (self);
  return role;
}

void
gst_kvs_webrtc_base_set_role (GstKvsWebrtcBase * self, GstKvsRole role)
{
  GstKvsWebrtcBasePrivate *priv = GET_PRIV (self);

  GST_OBJECT_LOCK (self);
  priv->role = role;
  GST_OBJECT_UNLOCK (self);
  g_object_set (priv->src, "role", role, NULL);
  g_object_set (priv->sink, "role", role, NULL);
}

gchar *
gst_kvs_webrtc_base_dup_client_id (GstKvsWebrtcBase * self)
{
  gchar *id = NULL;

  if (gst_kvs_webrtc_base_get_role (self) != GST_KVS_ROLE_VIEWER)
    return NULL;
  g_object_get (GET_PRIV (self)->src, "client-id", &id, NULL);
  return id;
}

gchar *
gst_kvs_webrtc_base_dup_channel (GstKvsWebrtcBase * self)
{
  gchar *name = NULL;

  g_object_get (GET_PRIV (self)->src, "channel-name", &name, NULL);
  if (name == NULL)
    g_object_get (GET_PRIV (self)->src, "channel-arn", &name, NULL);
  return name;
}

/* ------------------------------------------------------------------------ */
/* the pair's properties, under the same names */

/* A property of the bin with the name, blurb, type, default and flags of
 * @orig, a property of the pair. */
static GParamSpec *
clone_pspec (GParamSpec * orig)
{
  const gchar *name = g_param_spec_get_name (orig);
  const gchar *nick = g_param_spec_get_nick (orig);
  const gchar *blurb = g_param_spec_get_blurb (orig);
  GParamFlags flags = orig->flags & ~(G_PARAM_CONSTRUCT |
      G_PARAM_CONSTRUCT_ONLY);
  GType type = G_PARAM_SPEC_TYPE (orig);

  flags |= G_PARAM_STATIC_STRINGS;
  if (type == G_TYPE_PARAM_STRING)
    return g_param_spec_string (name, nick, blurb,
        G_PARAM_SPEC_STRING (orig)->default_value, flags);
  if (type == G_TYPE_PARAM_BOOLEAN)
    return g_param_spec_boolean (name, nick, blurb,
        G_PARAM_SPEC_BOOLEAN (orig)->default_value, flags);
  if (type == G_TYPE_PARAM_ENUM)
    return g_param_spec_enum (name, nick, blurb, orig->value_type,
        G_PARAM_SPEC_ENUM (orig)->default_value, flags);
  if (type == G_TYPE_PARAM_UINT) {
    GParamSpecUInt *u = G_PARAM_SPEC_UINT (orig);

    return g_param_spec_uint (name, nick, blurb, u->minimum, u->maximum,
        u->default_value, flags);
  }
  if (type == G_TYPE_PARAM_INT) {
    GParamSpecInt *i = G_PARAM_SPEC_INT (orig);

    return g_param_spec_int (name, nick, blurb, i->minimum, i->maximum,
        i->default_value, flags);
  }
  if (type == G_TYPE_PARAM_UINT64) {
    GParamSpecUInt64 *u = G_PARAM_SPEC_UINT64 (orig);

    return g_param_spec_uint64 (name, nick, blurb, u->minimum, u->maximum,
        u->default_value, flags);
  }
  if (type == G_TYPE_PARAM_BOXED)
    return g_param_spec_boxed (name, nick, blurb, orig->value_type, flags);
  if (type == G_TYPE_PARAM_OBJECT)
    return g_param_spec_object (name, nick, blurb, orig->value_type, flags);

  g_critical ("kvswebrtcbase: cannot forward property '%s' of type %s",
      name, g_type_name (type));
  return NULL;
}

static void
install_forwarded (GObjectClass * gobject_class)
{
  GObjectClass *pair_class = g_type_class_ref (GST_TYPE_KVS_SIGNALING_SRC);
  GParamSpec **pspecs;
  guint n, i;

  forwarded = g_ptr_array_new ();
  pspecs = g_object_class_list_properties (pair_class, &n);
  for (i = 0; i < n; i++) {
    GParamSpec *pspec;

    if (g_strv_contains (not_forwarded, pspecs[i]->name)
        || pspecs[i]->owner_type != GST_TYPE_KVS_SIGNALING_BASE)
      continue;
    pspec = clone_pspec (pspecs[i]);
    if (pspec == NULL)
      continue;
    g_ptr_array_add (forwarded, pspec);
    g_object_class_install_property (gobject_class,
        PROP_FIRST_FORWARDED + forwarded->len - 1, pspec);
  }
  g_free (pspecs);
  g_type_class_unref (pair_class);
}

static gboolean
can_change (GstKvsWebrtcBase * self, GParamSpec * pspec)
{
  GstState state;

  GST_OBJECT_LOCK (self);
  state = GST_STATE (self);
  GST_OBJECT_UNLOCK (self);

  if (state > GST_STATE_READY && !(pspec->flags & GST_PARAM_MUTABLE_PLAYING)) {
    g_warning ("%s: property '%s' can only be set in the NULL or READY state",
        GST_OBJECT_NAME (self), pspec->name);
    return FALSE;
  }
  return TRUE;
}

static void
gst_kvs_webrtc_base_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstKvsWebrtcBase *self = GST_KVS_WEBRTC_BASE (object);
  GstKvsWebrtcBasePrivate *priv = GET_PRIV (self);

  if (!can_change (self, pspec))
    return;

  if (prop_id >= PROP_FIRST_FORWARDED
      && prop_id - PROP_FIRST_FORWARDED < forwarded->len) {
    g_object_set_property (G_OBJECT (priv->src), pspec->name, value);
    g_object_set_property (G_OBJECT (priv->sink), pspec->name, value);
    return;
  }
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_kvs_webrtc_base_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstKvsWebrtcBasePrivate *priv = GET_PRIV (GST_KVS_WEBRTC_BASE (object));

  if (prop_id >= PROP_FIRST_FORWARDED
      && prop_id - PROP_FIRST_FORWARDED < forwarded->len) {
    g_object_get_property (G_OBJECT (priv->src), pspec->name, value);
    return;
  }
  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

/* ------------------------------------------------------------------------ */
/* life cycle */

/* NULL→READY: a viewer without client-id gets one of its own. */
static void
generate_client_id (GstKvsWebrtcBase * self)
{
  GstKvsWebrtcBasePrivate *priv = GET_PRIV (self);
  g_autofree gchar *id = NULL;
  g_autofree gchar *uuid = NULL;

  if (gst_kvs_webrtc_base_get_role (self) != GST_KVS_ROLE_VIEWER)
    return;
  g_object_get (priv->src, "client-id", &id, NULL);
  if (id != NULL)
    return;

  uuid = g_uuid_string_random ();
  GST_OBJECT_LOCK (self);
  g_free (priv->generated_client_id);
  priv->generated_client_id = g_strdup_printf ("gst-%s", uuid);
  GST_OBJECT_UNLOCK (self);
  GST_INFO_OBJECT (self, "viewer client id %s", priv->generated_client_id);
  g_object_set (priv->src, "client-id", priv->generated_client_id, NULL);
  g_object_set (priv->sink, "client-id", priv->generated_client_id, NULL);
}

/* READY→NULL: forget the generated id, so that the property reads unset
 * again and a later run generates a fresh one. */
static void
forget_client_id (GstKvsWebrtcBase * self)
{
  GstKvsWebrtcBasePrivate *priv = GET_PRIV (self);
  gchar *id;

  GST_OBJECT_LOCK (self);
  id = priv->generated_client_id;
  priv->generated_client_id = NULL;
  GST_OBJECT_UNLOCK (self);
  if (id == NULL)
    return;
  g_object_set (priv->src, "client-id", NULL, NULL);
  g_object_set (priv->sink, "client-id", NULL, NULL);
  g_free (id);
}

static GstStateChangeReturn
gst_kvs_webrtc_base_change_state (GstElement * element,
    GstStateChange transition)
{
  GstKvsWebrtcBase *self = GST_KVS_WEBRTC_BASE (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_NULL_TO_READY)
    generate_client_id (self);

  ret = GST_ELEMENT_CLASS (gst_kvs_webrtc_base_parent_class)->change_state
      (element, transition);

  if (transition == GST_STATE_CHANGE_READY_TO_NULL
      || (transition == GST_STATE_CHANGE_NULL_TO_READY
          && ret == GST_STATE_CHANGE_FAILURE))
    forget_client_id (self);
  return ret;
}

/* ------------------------------------------------------------------------ */

static void
on_state_notify (GObject * src, GParamSpec * pspec, GstKvsWebrtcBase * self)
{
  g_object_notify (G_OBJECT (self), "state");
}

static void
gst_kvs_webrtc_base_constructed (GObject * object)
{
  GstKvsWebrtcBase *self = GST_KVS_WEBRTC_BASE (object);
  GstKvsWebrtcBaseClass *klass = GST_KVS_WEBRTC_BASE_GET_CLASS (self);
  GstKvsWebrtcBasePrivate *priv = GET_PRIV (self);

  G_OBJECT_CLASS (gst_kvs_webrtc_base_parent_class)->constructed (object);

  priv->src = gst_element_factory_make ("kvssignalingsrc", "signaling-src");
  priv->sink = gst_element_factory_make ("kvssignalingsink", "signaling-sink");
  g_assert (priv->src && priv->sink);
  gst_kvs_webrtc_base_set_role (self, klass->default_role);
  gst_bin_add_many (GST_BIN (self), priv->src, priv->sink, NULL);
  g_signal_connect_object (priv->src, "notify::state",
      G_CALLBACK (on_state_notify), self, 0);
}

static void
gst_kvs_webrtc_base_finalize (GObject * object)
{
  GstKvsWebrtcBasePrivate *priv = GET_PRIV (GST_KVS_WEBRTC_BASE (object));

  g_free (priv->generated_client_id);
  G_OBJECT_CLASS (gst_kvs_webrtc_base_parent_class)->finalize (object);
}

static void
gst_kvs_webrtc_base_class_init (GstKvsWebrtcBaseClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_kvs_webrtc_base_set_property;
  gobject_class->get_property = gst_kvs_webrtc_base_get_property;
  gobject_class->constructed = gst_kvs_webrtc_base_constructed;
  gobject_class->finalize = gst_kvs_webrtc_base_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_kvs_webrtc_base_change_state);

  klass->default_role = GST_KVS_ROLE_MASTER;

  install_forwarded (gobject_class);
}

static void
gst_kvs_webrtc_base_init (GstKvsWebrtcBase * self)
{
}
