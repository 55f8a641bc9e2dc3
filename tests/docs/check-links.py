#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every relative link of README.md and docs/*.md points at a file of the
tree and, for Markdown targets, at a heading that exists (GitHub's anchor
rules). Links inside code blocks and to http(s) are not checked.

    check-links.py SOURCE_ROOT
"""

import glob
import os
import re
import sys


def anchors(path):
    out, seen = set(), {}
    in_code = False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            in_code = not in_code
        m = None if in_code else re.match(r"^(#+)\s+(.*)", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(2).strip().lower())
            slug = slug.replace(" ", "-")
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            out.add(slug if n == 0 else "%s-%d" % (slug, n))
    return out


def main():
    root = sys.argv[1]
    files = sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    files.append(os.path.join(root, "README.md"))
    bad = 0
    for f in files:
        text = re.sub(r"```.*?```", "", open(f, encoding="utf-8").read(),
                      flags=re.S)
        for m in re.finditer(r"\]\(([^)\s]+)\)", text):
            link = m.group(1)
            if re.match(r"^[a-z]+:", link):
                continue
            path, _, frag = link.partition("#")
            target = os.path.normpath(os.path.join(os.path.dirname(f), path)) \
                if path else f
            where = os.path.relpath(f, root)
            if not os.path.exists(target):
                print("%s: link to a missing file: %s" % (where, link))
                bad += 1
            elif frag and target.endswith(".md") and \
                    frag not in anchors(target):
                print("%s: link to a missing heading: %s" % (where, link))
                bad += 1
    print("%d files, %d broken links" % (len(files), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
