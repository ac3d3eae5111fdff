#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the API reference with Doxygen and fails on any undocumented public symbol.

usage: check_api_reference.py DOXYFILE INCLUDE_DIR

Runs doxygen on the configured DOXYFILE (docs/Doxyfile.in), with the output sent
to a temporary directory so the test never disturbs `ninja docs`, and fails when

  - doxygen exits non-zero or prints any warning (the Doxyfile sets
    WARN_AS_ERROR = FAIL_ON_WARNINGS: an undocumented function, macro, type,
    struct field or file, a @param naming no parameter, an incomplete
    @param list, malformed markup);
  - a symbol Doxygen extracted has no text of its own: checked on the XML
    output, because Doxygen 1.9 does not warn about undocumented enum values
    (and a documented enum could otherwise hide them);
  - a public header (INCLUDE_DIR/mlops.h, INCLUDE_DIR/mlops/**/*.h) is not in
    the reference: without a @file comment, Doxygen leaves the functions,
    macros and typedefs of a header out of the reference without a warning.

Exits 77 (skipped) when doxygen is not installed.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77


def text_of(elem):
    return "" if elem is None else "".join(elem.itertext()).strip()


def undocumented_in_xml(xml_dir):
    """Symbols in the XML output whose brief and detailed descriptions are empty."""
    missing = []
    index = ET.parse(os.path.join(xml_dir, "index.xml")).getroot()
    for compound in index.findall("compound"):
        if compound.get("kind") not in ("file", "struct", "union"):
            continue
        path = os.path.join(xml_dir, compound.get("refid") + ".xml")
        root = ET.parse(path).getroot()
        for cdef in root.iter("compounddef"):
            cname = text_of(cdef.find("compoundname"))
            for member in cdef.iter("memberdef"):
                loc = member.find("location")
                where = "%s:%s" % (loc.get("file"), loc.get("line")) if loc is not None else cname
                name = text_of(member.find("name"))
                if not (text_of(member.find("briefdescription")) or
                        text_of(member.find("detaileddescription")) or
                        text_of(member.find("inbodydescription"))):
                    missing.append("%s: %s %s of %s has no documentation"
                                   % (where, member.get("kind"), name, cname))
                for value in member.findall("enumvalue"):
                    if not (text_of(value.find("briefdescription")) or
                            text_of(value.find("detaileddescription"))):
                        missing.append("%s: enum value %s of %s has no documentation"
                                       % (where, text_of(value.find("name")), name))
    return sorted(set(missing))


def public_headers(include_dir):
    """Paths relative to include_dir, as Doxygen reports them (STRIP_FROM_PATH)."""
    found = []
    if os.path.isfile(os.path.join(include_dir, "mlops.h")):
        found.append("mlops.h")
    for dirpath, _, files in os.walk(os.path.join(include_dir, "mlops")):
        for name in files:
            if name.endswith(".h"):
                rel = os.path.relpath(os.path.join(dirpath, name), include_dir)
                found.append(rel.replace(os.sep, "/"))
    return sorted(found)


def files_in_xml(xml_dir):
    """The files the reference documents (with a @file comment), by path."""
    documented = set()
    index = ET.parse(os.path.join(xml_dir, "index.xml")).getroot()
    for compound in index.findall("compound"):
        if compound.get("kind") != "file":
            continue
        root = ET.parse(os.path.join(xml_dir, compound.get("refid") + ".xml")).getroot()
        for cdef in root.iter("compounddef"):
            loc = cdef.find("location")
            if loc is not None and (text_of(cdef.find("briefdescription")) or
                                    text_of(cdef.find("detaileddescription"))):
                documented.add(loc.get("file"))
    return documented


def dedupe(lines):
    """Doxygen may print one multi-line warning twice (declaration and
    definition of the same symbol): keep the first copy of each."""
    blocks = []
    for line in lines:
        if line[:1].isspace() and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    seen, out = set(), []
    for block in blocks:
        key = "\n".join(block)
        if key not in seen:
            seen.add(key)
            out.extend(block)
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    doxygen = shutil.which("doxygen")
    if doxygen is None:
        print("doxygen not installed: skipped (apt-get install doxygen)")
        return SKIP
    with open(sys.argv[1], encoding="utf-8") as f:
        config = f.read()
    with tempfile.TemporaryDirectory(prefix="mlops-apiref-") as out:
        # Later settings win: same configuration, output elsewhere, plus XML.
        config += "\nOUTPUT_DIRECTORY = \"%s\"\nGENERATE_XML = YES\nXML_OUTPUT = xml\n" % out
        proc = subprocess.run([doxygen, "-"], input=config, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        warnings = dedupe(line for line in proc.stderr.splitlines() if line.strip())
        failed = False
        if proc.returncode != 0 or warnings:
            failed = True
            print("doxygen exited with %d and %d warning line(s):"
                  % (proc.returncode, len(warnings)))
            for line in warnings:
                print("  " + line)
        xml_dir = os.path.join(out, "xml")
        # FAIL_ON_WARNINGS still writes the output: report everything in one run.
        if os.path.isfile(os.path.join(xml_dir, "index.xml")):
            missing = undocumented_in_xml(xml_dir)
            documented = files_in_xml(xml_dir)
            for header in public_headers(sys.argv[2]):
                if header not in documented:
                    missing.append("%s: the header is not in the reference: its opening "
                                   "comment needs /** and @file" % header)
            if missing:
                failed = True
                print("%d symbol(s) without documentation:" % len(missing))
                for line in missing:
                    print("  " + line)
        if failed:
            print("see docs/api-reference.md: how to document a public symbol")
            return 1
    print("API reference: every public symbol documented, no doxygen warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
