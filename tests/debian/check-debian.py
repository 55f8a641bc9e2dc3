#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Build the Debian packages (debian/) and use them from a temporary root.

1. a copy of the source tree (without build directories, .git and npm
   trees) is built with `dpkg-buildpackage -us -uc -b`: the artifacts land
   in the temporary directory, never beside the user's clone;
2. lintian reports no error (E:) on the .changes;
3. every .deb is unpacked with `dpkg -x` into a temporary root, and from
   there, with nothing of the build tree in the environment:
   - gst-inspect-1.0 finds kvssignalingsink and kvssignalingsrc in the
     packaged plugin (system plugin path empty, GST_PLUGIN_PATH = the root's
     plugin directory and the system's);
   - a C program compiles with `pkg-config --cflags --libs
     gstreamer-kvssignaling-1.0` from the packaged .pc (its prefix moved into
     the root), links, runs, and uses the packaged library;
   - Python loads GstKvs-1.0 from the packaged typelib;
   - the packaged kvs-signaling-server answers --version with the project
     version and serves the packaged viewer page under /viewer with no flag
     (on 127.0.0.1, port 0).

Skipped (exit 77) only when dpkg-buildpackage is not installed
(`scripts/run deps` installs it: dpkg-dev, debhelper, lintian).

    check-debian.py SOURCE_ROOT BUILD_ROOT PROJECT_VERSION
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request

SOURCE = os.path.realpath(sys.argv[1])
BUILD = os.path.realpath(sys.argv[2])
VERSION = sys.argv[3]
PACKAGES = ["gstreamer1.0-kvssignaling", "libgstkvssignaling-1.0-0",
            "libgstkvssignaling-1.0-dev", "gir1.2-gstkvs-1.0",
            "kvs-signaling-server"]
failures = []


def run(cmd, env=None, timeout=120, **kw):
    return subprocess.run(cmd, env=env, capture_output=True, text=True,
                          timeout=timeout, **kw)


def check(ok, what, detail=""):
    print("%s: %s" % ("ok" if ok else "FAIL", what), flush=True)
    if not ok:
        failures.append(what)
        if detail:
            print("    " + detail.strip().replace("\n", "\n    "),
                  flush=True)
    return ok


def clean_env(**extra):
    """The environment of a user who has nothing of this build set up
    (meson test sets LD_LIBRARY_PATH and GST_PLUGIN_PATH_1_0 to the build
    tree)."""
    env = dict(os.environ)
    for var in ("GST_PLUGIN_PATH_1_0", "GST_PLUGIN_PATH",
                "GST_PLUGIN_SYSTEM_PATH_1_0", "GST_PLUGIN_SYSTEM_PATH",
                "GST_REGISTRY", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH",
                "PKG_CONFIG_SYSROOT_DIR", "GI_TYPELIB_PATH",
                "KVS_SOURCE_ROOT", "KVS_BUILD_ROOT", "KVS_TEST_VECTORS"):
        env.pop(var, None)
    env.update(extra)
    return env


def copy_source(dest):
    """The source tree as a user's checkout has it, without what building
    and testing left in it: build directories, npm trees, .git, and what an
    earlier dpkg-buildpackage left in debian/."""
    debian_products = ("files", "debhelper-build-stamp")

    def ignore(d, names):
        out = set()
        for n in names:
            p = os.path.join(d, n)
            if n in ("node_modules", ".git", "__pycache__"):
                out.add(n)
            elif os.path.realpath(p) == BUILD:
                out.add(n)
            elif d == SOURCE and (n.startswith("build") or n == "_build" or
                                  n.startswith("obj-")):
                out.add(n)
            elif d == os.path.join(SOURCE, "debian") and (
                    n in debian_products or n.endswith(".substvars") or
                    n.endswith(".debhelper") or n.endswith(".log") or
                    (os.path.isdir(p) and n != "source")):
                out.add(n)
        return out

    shutil.copytree(SOURCE, dest, symlinks=True, ignore=ignore)


def multiarch():
    r = run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"])
    return r.stdout.strip()


def main():
    if shutil.which("dpkg-buildpackage") is None:
        print("skip: dpkg-buildpackage is not installed "
              "(scripts/run deps installs dpkg-dev, debhelper, lintian)")
        return 77
    tmp = tempfile.mkdtemp(prefix="kvs-debian-")
    try:
        return in_tmp(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def in_tmp(tmp):
    # 1. The packages, from a copy of the source.
    src = os.path.join(tmp, "src", "kvssignaling-%s" % VERSION)
    copy_source(src)
    built_page = os.path.isfile(os.path.join(src, "tools", "viewer", "dist",
                                             "index.html"))
    env = clean_env(DEB_BUILD_OPTIONS="parallel=%d" %
                    min(2, os.cpu_count() or 1))
    r = run(["dpkg-buildpackage", "-us", "-uc", "-b"], env=env, cwd=src,
            timeout=840)
    if not check(r.returncode == 0, "dpkg-buildpackage -us -uc -b",
                 (r.stdout + r.stderr)[-6000:]):
        return 1
    out = os.path.dirname(src)
    debs = sorted(f for f in os.listdir(out) if f.endswith(".deb"))
    names = {f.split("_")[0] for f in debs}
    check(all(p in names for p in PACKAGES),
          "packages built: %s" % ", ".join(sorted(names)),
          "expected at least %s" % ", ".join(PACKAGES))
    for f in debs:
        if f.startswith("kvs-signaling-server_"):
            r = run(["dpkg-deb", "-f", os.path.join(out, f), "Version"])
            check(r.stdout.strip() == VERSION,
                  "package version %s = project version %s" %
                  (r.stdout.strip(), VERSION),
                  "debian/changelog and meson.build disagree")

    # 2. lintian: no error.
    changes = [f for f in os.listdir(out) if f.endswith(".changes")]
    r = run(["lintian", "--info"] + [os.path.join(out, c) for c in changes],
            timeout=300)
    tags = [l for l in r.stdout.splitlines() if l[:2] in ("E:", "W:", "I:")]
    errors = [l for l in tags if l.startswith("E:")]
    for l in tags:
        if not l.startswith("E:"):
            print("    lintian " + l)
    check(changes and not errors and r.returncode == 0,
          "lintian: no error (%d warnings/infos above)" %
          (len(tags) - len(errors)), "exit %d\n%s\n%s" % (r.returncode, "\n".join(errors), r.stderr))

    # 3. Unpacked into a temporary root.
    root = os.path.join(tmp, "root")
    for f in debs:
        r = run(["dpkg", "-x", os.path.join(out, f), root])
        check(r.returncode == 0, "dpkg -x %s" % f, r.stderr)
    lib = os.path.join(root, "usr", "lib", multiarch())
    plugindir = os.path.join(lib, "gstreamer-1.0")
    plugin = os.path.join(plugindir, "libgstkvssignaling.so")
    check(os.path.isfile(plugin), "the plugin is in %s" %
          os.path.relpath(plugindir, root))

    check_gst_inspect(tmp, lib, plugindir, plugin)
    check_pkg_config(tmp, root, lib)
    check_python(root, lib)
    check_server(root, lib, built_page)
    return 1 if failures else 0


def check_gst_inspect(tmp, lib, plugindir, plugin):
    r = run(["pkg-config", "--variable=pluginsdir", "gstreamer-1.0"],
            env=clean_env())
    system_plugins = r.stdout.strip()
    env = clean_env(GST_PLUGIN_SYSTEM_PATH_1_0="",
                    GST_PLUGIN_PATH=plugindir + ":" + system_plugins,
                    LD_LIBRARY_PATH=lib,
                    GST_REGISTRY=os.path.join(tmp, "registry.bin"))
    for element in ("kvssignalingsink", "kvssignalingsrc"):
        r = run(["gst-inspect-1.0", element], env=env)
        check(r.returncode == 0 and plugin in r.stdout,
              "gst-inspect-1.0 %s finds the packaged plugin" % element,
              r.stdout[-2000:] + r.stderr[-2000:])


def check_pkg_config(tmp, root, lib):
    pcfile = os.path.join(lib, "pkgconfig", "gstreamer-kvssignaling-1.0.pc")
    if not check(os.path.isfile(pcfile), "the .pc file is packaged"):
        return
    with open(pcfile) as f:
        pc = f.read()
    if not check("prefix=/usr\n" in pc, "the .pc file says prefix=/usr", pc):
        return
    # The .pc as installed, with its prefix moved into the root (the other
    # packages it requires stay where the system has them).
    moved = os.path.join(tmp, "pkgconfig")
    os.makedirs(moved)
    with open(os.path.join(moved, os.path.basename(pcfile)), "w") as f:
        f.write(pc.replace("prefix=/usr\n",
                           "prefix=%s\n" % os.path.join(root, "usr"), 1))
    pcenv = clean_env(PKG_CONFIG_PATH=moved)
    r = run(["pkg-config", "--modversion", "gstreamer-kvssignaling-1.0"],
            env=pcenv)
    check(r.returncode == 0 and r.stdout.strip() == VERSION,
          "pkg-config --modversion gstreamer-kvssignaling-1.0 = %s" % VERSION,
          r.stdout + r.stderr)
    r = run(["pkg-config", "--cflags", "--libs",
             "gstreamer-kvssignaling-1.0"], env=pcenv)
    flags = r.stdout.split()
    check(r.returncode == 0 and "-lgstkvssignaling-1.0" in flags and
          "-I%s/usr/include/gstreamer-1.0" % root in flags and
          "-L%s" % lib in flags,
          "pkg-config --cflags --libs gstreamer-kvssignaling-1.0 points "
          "into the root", r.stdout + r.stderr)

    src = os.path.join(tmp, "prog.c")
    with open(src, "w") as f:
        f.write('#define _GNU_SOURCE\n'
                '#include <dlfcn.h>\n'
                '#include <stdio.h>\n'
                '#include <gst/kvssignaling/kvssignaling.h>\n'
                'int main (void) {\n'
                '  g_autoptr (GError) err = NULL;\n'
                '  Dl_info info;\n'
                '  if (!gst_kvs_validate_channel_name ("demo", NULL)) return 2;\n'
                '  if (gst_kvs_validate_viewer_client_id ("AWS_x", &err))'
                ' return 3;\n'
                '  if (!g_error_matches (err, GST_KVS_VALIDATION_ERROR,'
                ' GST_KVS_VALIDATION_ERROR_CLIENT_ID_RESERVED)) return 4;\n'
                '  if (!dladdr ((void *) gst_kvs_validate_channel_name, &info))'
                ' return 5;\n'
                '  printf ("%s\\n", info.dli_fname);\n'
                '  return 0;\n'
                '}\n')
    exe = os.path.join(tmp, "prog")
    cc = os.environ.get("CC", "cc")
    r = run([cc, "-Wall", "-Werror", "-o", exe, src] + flags, env=pcenv)
    if check(r.returncode == 0, "a C program compiles and links with the "
             "packaged headers, .pc and library", r.stdout + r.stderr):
        r = run([exe], env=clean_env(LD_LIBRARY_PATH=lib))
        check(r.returncode == 0 and r.stdout.strip().startswith(root),
              "the program runs on the packaged library (exit %d, %s)" %
              (r.returncode, r.stdout.strip()), r.stderr)


def check_python(root, lib):
    typelibdir = os.path.join(lib, "girepository-1.0")
    script = r'''
import gi
gi.require_version("GstKvs", "1.0")
from gi.repository import GstKvs
assert GstKvs.validate_channel_name("demo")
client = GstKvs.SignalingClient.new(GstKvs.Role.VIEWER, "demo")
assert client.props.channel_name == "demo"
repo = gi.Repository.get_default()
print(repo.get_typelib_path("GstKvs"))
print([l for l in open("/proc/self/maps")
       if "libgstkvssignaling" in l][0].split()[-1])
'''
    r = run(["/usr/bin/python3", "-c", script],
            env=clean_env(GI_TYPELIB_PATH=typelibdir, LD_LIBRARY_PATH=lib))
    paths = r.stdout.split()
    check(r.returncode == 0 and len(paths) == 2 and
          all(p.startswith(root) for p in paths),
          "Python gi loads GstKvs-1.0 from the packaged typelib and library",
          r.stdout + r.stderr)


def check_server(root, lib, built_page):
    server = os.path.join(root, "usr", "bin", "kvs-signaling-server")
    env = clean_env(LD_LIBRARY_PATH=lib)
    r = run([server, "--version"], env=env)
    check(r.returncode == 0 and
          r.stdout == "kvs-signaling-server %s\n" % VERSION,
          "kvs-signaling-server --version prints %s" % VERSION,
          r.stdout + r.stderr)

    page = os.path.join(root, "usr", "share", "kvs-signaling-server",
                        "viewer", "index.html")
    if not check(os.path.isfile(page), "the viewer page is packaged"):
        return
    with open(page, "rb") as f:
        packaged = f.read()
    # What went in: the page built in tools/viewer/dist of the source, or,
    # without it, the placeholder that says how to build it.
    if built_page:
        check(b'<script src="/viewer/viewer.js">' in packaged and
              os.path.isfile(os.path.join(os.path.dirname(page),
                                          "viewer.js")),
              "the packaged viewer page is the built one (tools/viewer/dist)")
    else:
        check(b"npm run build" in packaged,
              "the packaged viewer page is the placeholder (no "
              "tools/viewer/dist in the source)")

    proc = subprocess.Popen([server, "--no-auth", "--listen", "127.0.0.1:0"],
                            env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        prefix = "kvs-signaling-server listening on "
        if not check(line.startswith(prefix + "http://127.0.0.1:"),
                     "the packaged server starts on 127.0.0.1", line):
            return
        url = line[len(prefix):].strip() + "/viewer"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(url, timeout=10) as reply:
                status, body = reply.status, reply.read()
        except OSError as e:
            status, body = -1, str(e).encode()
        check(status == 200 and body == packaged,
              "GET /viewer (no --viewer-dir) answers the packaged page "
              "(HTTP %d)" % status, body[:500].decode(errors="replace"))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        check(rc == 0, "the packaged server exits 0 on SIGTERM (%d)" % rc,
              proc.stderr.read())


if __name__ == "__main__":
    sys.exit(main())
