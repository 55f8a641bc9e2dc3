#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`meson install` into a temporary DESTDIR, then use what was installed.

1. gst-inspect-1.0 finds both elements with GST_PLUGIN_PATH set to the
   installed plugin directory only (and reports the installed file);
2. pkg-config --cflags --libs gstreamer-kvssignaling-1.0 works from the
   installed .pc file;
3. a small C program compiles against the installed headers, links against
   the installed library and runs;
4. Python loads the installed GstKvs-1.0 typelib (GI_TYPELIB_PATH) and uses
   GstKvs.SignalingClient and a validation function.

The library lives under the prefix, which the dynamic linker does not know
inside a DESTDIR: LD_LIBRARY_PATH points at it (see docs/install.md).

    check-install.py BUILD_DIR INTROSPECTION(true|false)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

BUILD = sys.argv[1]
INTROSPECTION = sys.argv[2] == "true"
failures = []


def run(cmd, env=None, **kw):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True,
                       timeout=120, **kw)
    return r


def check(ok, what, detail=""):
    print("%s: %s" % ("ok" if ok else "FAIL", what), flush=True)
    if not ok:
        failures.append(what)
        if detail:
            print("    " + detail.strip().replace("\n", "\n    "),
                  flush=True)
    return ok


def build_option(name):
    r = run(["meson", "introspect", "--buildoptions", BUILD])
    for opt in json.loads(r.stdout):
        if opt["name"] == name:
            return opt["value"]
    raise SystemExit("no build option %s" % name)


def project_version():
    r = run(["meson", "introspect", "--projectinfo", BUILD])
    return json.loads(r.stdout)["version"]


def clean_env(**extra):
    """The environment of a user who has nothing of this build set up."""
    env = dict(os.environ)
    for var in ("GST_PLUGIN_PATH_1_0", "GST_PLUGIN_PATH", "LD_LIBRARY_PATH",
                "PKG_CONFIG_PATH", "PKG_CONFIG_SYSROOT_DIR",
                "GI_TYPELIB_PATH"):
        env.pop(var, None)
    env.update(extra)
    return env


def main():
    prefix = build_option("prefix")
    version = project_version()
    dirs = {}
    for name in ("libdir", "includedir", "datadir"):
        d = build_option(name)
        dirs[name] = d if os.path.isabs(d) else os.path.join(prefix, d)
    tmp = tempfile.mkdtemp(prefix="kvs-install-")
    try:
        return in_destdir(tmp, prefix, version, **dirs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def in_destdir(tmp, prefix, version, libdir, includedir, datadir):
    destdir = os.path.join(tmp, "root")
    r = run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet",
             "--destdir", destdir])
    if not check(r.returncode == 0, "meson install --destdir",
                 r.stdout + r.stderr):
        return 1
    lib = destdir + libdir
    plugindir = os.path.join(lib, "gstreamer-1.0")
    plugin = os.path.join(plugindir, "libgstkvssignaling.so")
    check(os.path.exists(plugin), "plugin installed in %s" %
          os.path.relpath(plugindir, destdir))
    check(os.path.exists(os.path.join(lib, "libgstkvssignaling-1.0.so.0")),
          "library installed in %s" % os.path.relpath(lib, destdir))

    # The installed plugin must not look for the library in the build tree
    # (meson drops the build run path at install); a run path, if any, is
    # the prefix's libdir (install_rpath).
    r = run(["readelf", "-d", plugin])
    runpaths = [l.split("[", 1)[1].rstrip("]") for l in r.stdout.splitlines()
                if "RUNPATH" in l or "RPATH" in l]
    check(r.returncode == 0 and all(
        p == libdir for rp in runpaths for p in rp.split(":")),
          "installed plugin run path: %s" % (runpaths or "none"), r.stdout)

    # 1. gst-inspect-1.0 with only the installed plugin directory.
    env = clean_env(GST_PLUGIN_PATH=plugindir, LD_LIBRARY_PATH=lib,
                    GST_REGISTRY=os.path.join(tmp, "registry.bin"))
    for element in ("kvssignalingsink", "kvssignalingsrc"):
        r = run(["gst-inspect-1.0", element], env=env)
        check(r.returncode == 0 and plugin in r.stdout,
              "gst-inspect-1.0 %s finds the installed plugin" % element,
              r.stdout[-2000:] + r.stderr[-2000:])
    r = run(["gst-inspect-1.0", "kvssignaling"], env=env)
    check(r.returncode == 0 and "kvssignalingsink" in r.stdout and
          "kvssignalingsrc" in r.stdout,
          "gst-inspect-1.0 kvssignaling lists both elements",
          r.stdout + r.stderr)

    # 2. pkg-config from the installed .pc: as installed, and with its
    # prefix moved into DESTDIR so that the flags point at the files there.
    pcdir = os.path.join(lib, "pkgconfig")
    pcfile = os.path.join(pcdir, "gstreamer-kvssignaling-1.0.pc")
    r = run(["pkg-config", "--modversion", "gstreamer-kvssignaling-1.0"],
            env=clean_env(PKG_CONFIG_PATH=pcdir))
    check(r.returncode == 0 and r.stdout.strip() == version,
          "pkg-config --modversion gstreamer-kvssignaling-1.0 = %s" % version,
          r.stdout + r.stderr)
    moved = os.path.join(tmp, "pkgconfig")
    os.makedirs(moved)
    with open(pcfile) as f:
        pc = f.read()
    check(("prefix=%s\n" % prefix) in pc, "the .pc file says prefix=%s" %
          prefix, pc)
    with open(os.path.join(moved, os.path.basename(pcfile)), "w") as f:
        f.write(pc.replace("prefix=%s\n" % prefix,
                           "prefix=%s\n" % (destdir + prefix), 1))
    pcenv = clean_env(PKG_CONFIG_PATH=moved)
    r = run(["pkg-config", "--cflags", "--libs",
             "gstreamer-kvssignaling-1.0"], env=pcenv)
    flags = r.stdout.split()
    check(r.returncode == 0 and "-lgstkvssignaling-1.0" in flags and
          "-I%s/gstreamer-1.0" % (destdir + includedir) in flags,
          "pkg-config --cflags --libs gstreamer-kvssignaling-1.0",
          r.stdout + r.stderr)

    # 3. A program against the installed headers and library.
    src = os.path.join(tmp, "prog.c")
    with open(src, "w") as f:
        f.write('#include <gst/kvssignaling/kvssignaling.h>\n'
                'int main (void) {\n'
                '  g_autoptr (GError) err = NULL;\n'
                '  if (!gst_kvs_validate_channel_name ("demo", NULL)) return 2;\n'
                '  return gst_kvs_validate_viewer_client_id ("AWS_x", &err) ? 3 :'
                ' !g_error_matches (err, GST_KVS_VALIDATION_ERROR,'
                ' GST_KVS_VALIDATION_ERROR_CLIENT_ID_RESERVED);\n'
                '}\n')
    exe = os.path.join(tmp, "prog")
    cc = os.environ.get("CC", "cc")
    r = run([cc, "-Wall", "-Werror", "-o", exe, src] + flags, env=pcenv)
    if check(r.returncode == 0, "a program compiles and links against the "
             "installed headers and library", r.stdout + r.stderr):
        r = run([exe], env=clean_env(LD_LIBRARY_PATH=lib))
        check(r.returncode == 0, "the program runs against the installed "
              "library (exit %d)" % r.returncode, r.stderr)

    # 4. Python through the installed typelib.
    typelib = os.path.join(lib, "girepository-1.0", "GstKvs-1.0.typelib")
    if not INTROSPECTION:
        print("skip: introspection disabled in this build (no typelib)")
        return 1 if failures else 0
    check(os.path.exists(typelib), "typelib installed in %s" %
          os.path.relpath(os.path.dirname(typelib), destdir))
    check(os.path.exists(os.path.join(destdir + datadir, "gir-1.0",
                                      "GstKvs-1.0.gir")), "GIR installed")
    script = r'''
import gi
gi.require_version("GstKvs", "1.0")
from gi.repository import GLib, GstKvs
import os, sys
client = GstKvs.SignalingClient.new(GstKvs.Role.VIEWER, "demo")
assert client.props.channel_name == "demo", client.props.channel_name
assert client.get_role() == GstKvs.Role.VIEWER
assert client.get_state() == GstKvs.SignalingState.NEW
assert GstKvs.validate_channel_name("demo")
try:
    GstKvs.validate_viewer_client_id("AWS_x")
    sys.exit("AWS_x was accepted")
except GLib.Error as e:
    assert e.matches(GstKvs.ValidationError.quark(),
                     GstKvs.ValidationError.CLIENT_ID_RESERVED), e
msg = GstKvs.Message.new_sdp(GstKvs.MessageType.SDP_OFFER, None,
                             "v=0\r\n", None)
frame = msg.to_client_frame(GstKvs.Role.VIEWER, 0)
assert frame.startswith('{"action":"SDP_OFFER"'), frame
path = [l for l in open("/proc/self/maps") if "libgstkvssignaling" in l]
print(path[0].split()[-1])
'''
    r = run(["/usr/bin/python3", "-c", script],
            env=clean_env(GI_TYPELIB_PATH=os.path.dirname(typelib),
                          LD_LIBRARY_PATH=lib))
    check(r.returncode == 0 and r.stdout.strip().startswith(destdir),
          "Python gi loads GstKvs-1.0 from the installed typelib and "
          "library", r.stdout + r.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
