#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The man3 pages of the public API, generated from the header comments.

Runs Doxygen with the API reference's configuration (docs/Doxyfile) and man
output, then keeps only pages that cannot collide with another package's:

- one page per public header, renamed from Doxygen's `digest.h.3` to
  `mlops_digest.h.3` (`mlops.h.3` keeps its name);
- one page per public struct (`mlops_buf.3`, the `*_options` structs);
- a link page (`.so`) for every public function, type and macro, named after
  it (`mlops_digest.3`, `MLOPS_E_INVALID.3`), pointing at its header's page.

Doxygen's link pages for struct fields (`data.3`, `size.3`, ...) are dropped:
they would shadow other pages of those names. Doxygen warnings do not fail
this step; the `api_reference` test (tests/docs) fails on any of them.

usage: man3.py DOXYGEN DOXYFILE OUTPUT_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

PUBLIC = re.compile(r"^(mlops_|MLOPS_)[A-Za-z0-9_]*\.3$")


def main() -> int:
    doxygen, doxyfile, out_dir = sys.argv[1:4]
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    with tempfile.TemporaryDirectory(dir=parent, prefix=".man3-") as tmp:
        conf = os.path.join(tmp, "Doxyfile.man")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(
                f'@INCLUDE = "{os.path.abspath(doxyfile)}"\n'
                f'OUTPUT_DIRECTORY = "{tmp}"\n'
                "GENERATE_HTML = NO\n"
                "GENERATE_TREEVIEW = NO\n"
                "SEARCHENGINE = NO\n"
                "GENERATE_MAN = YES\n"
                "MAN_OUTPUT = man\n"
                "MAN_EXTENSION = .3\n"
                "MAN_SUBDIR = man3\n"
                "MAN_LINKS = YES\n"
                "WARN_AS_ERROR = NO\n"
                "WARNINGS = NO\n"
                "WARN_IF_UNDOCUMENTED = NO\n"
                "QUIET = YES\n"
            )
        subprocess.run([doxygen, conf], check=True, cwd=tmp)
        src = os.path.join(tmp, "man", "man3")
        names = sorted(os.listdir(src))

        def read(name: str) -> str:
            with open(os.path.join(src, name), encoding="utf-8") as f:
                return f.read()

        # Header pages: Doxygen names them after the file (digest.h.3).
        renamed = {}
        for name in names:
            if name.endswith(".h.3") and not read(name).startswith(".so "):
                base = name[:-2]
                renamed[name] = name if base == "mlops.h" else "mlops_" + name

        stage = os.path.join(tmp, "out")
        os.mkdir(stage)
        kept = dropped = 0
        for name in names:
            text = read(name)
            if text.startswith(".so "):
                if not PUBLIC.match(name):
                    dropped += 1
                    continue
                target = text.split()[1]  # man3/digest.h.3
                page = os.path.basename(target)
                if page in renamed:
                    text = f".so man3/{renamed[page]}\n"
                elif not PUBLIC.match(page):
                    sys.exit(f"man3: {name} links to {target}, which is not installed")
                new = name
            elif name in renamed:
                new = renamed[name]
                header = "mlops/" + name[:-2] if name != "mlops.h.3" else "mlops.h"
                # NAME: the page's name as man and whatis look it up.
                text = text.replace(f"\n{header} \\- ", f"\n{new[:-2]} \\- ", 1)
                # SYNOPSIS: how to include this header, not what it includes.
                include = "\\fC#include <" + header.replace(".", "\\&.") + ">\\fP\n.br\n"
                text = re.sub(r"(\.SH SYNOPSIS\n\.br\n\.PP\n)(?:\\fC#include '[^'\n]*'\\fP\n\.br\n)*",
                              lambda m: m.group(1) + include, text, count=1)
            elif PUBLIC.match(name):
                new = name
            else:
                sys.exit(f"man3: Doxygen wrote an unexpected page {name}; "
                         "extend docs/man3.py to name it")
            # A quote escaped inside a quoted example in a comment
            # ("duplicate key \"version\"") comes out of Doxygen as \\',
            # which man renders as an acute accent: it is a double quote.
            text = text.replace("\\\\'", "\\(dq")
            with open(os.path.join(stage, new), "w", encoding="utf-8") as f:
                f.write(text)
            kept += 1
        if not renamed or kept == 0:
            sys.exit("man3: Doxygen wrote no header pages")
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.rename(stage, out_dir)
    print(f"man3: {kept} pages ({len(renamed)} headers), {dropped} field links left out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
