#!/usr/bin/env python3
"""The API conventions of docs/api-conventions.md, checked on the public headers
(and, for the rules about returned values, on the built library).

usage: check_conventions.py INCLUDE_DIR [LIBRARY]

Rules (each failure names its rule):
  C1 header = prefix   every function of include/mlops/<h>.h is named mlops_<h>...
                       (common.h holds the library-wide ones)
  C2 outputs first     no output parameter (T **, mlops_buf *, a non-const pointer
                       to a number, array or public struct) after an input one; a
                       capacity (size_t *cap*) may sit between outputs
  C3 serialisers       no _to_json/_serialize/_deserialize/_save/_explain/
                       _write_canonical/_write_pretty; every mlops_<x>_write[_json|
                       _text|_pem] is (mlops_buf *out, const <x> *obj, uint32_t flags)
  C4 readers           bytes are read by _parse(T **out, ...); _load only as
                       _load_file(T **out, const char *path, ...)
  C5 copies            no _copy or _clone; every _dup is (T **out, const T *src)
  C6 destructors       no _close/_destroy/_release; every opaque type with a
                       constructor has void mlops_<type>_free(T *) (mlops_buf_dispose
                       releases the contents of a caller-owned struct, not a handle)
  C7 category codes    no int32_t anywhere in a declaration (codes are int64_t)
  C8 digest spelling   the stable tier returns digests as "sha256:<hex>" named
                       *digest*: no stable function or info field named *sha256*
  C9 options structs   every mlops_<x>_options starts with MLOPS_OPTIONS_HEADER and
                       has mlops_<x>_options_init(mlops_<x>_options *opts, size_t size)
  C10 info structs     every mlops_<x>_info starts with MLOPS_INFO_HEADER and has its
                       MLOPS_<X>_INFO_VERSION macro
  C11 tiers            the experimental tier is one #ifdef MLOPS_EXPERIMENTAL block at
                       the end of a header; nothing stable is declared after it
  C12 enum names       (library) every mlops_*_name(int) gives "unknown" for a value
                       it does not know (mlops_error_name: "MLOPS_E_UNKNOWN", the
                       spelling of its names)
  C13 NULL objects     (library) a stable accessor given a NULL object returns NULL,
                       0 or NaN, never a value that reads as an answer
"""
import ctypes
import math
import pathlib
import re
import sys

SCALARS = {"char", "uint8_t", "size_t", "uint64_t", "int64_t", "int", "double", "uint32_t",
           "int32_t", "void"}
failures = []


def fail(rule, msg):
    failures.append(f"{rule}: {msg}")


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def split_params(params):
    out, depth, cur = [], 0, ""
    for ch in params:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return [] if out == ["void"] else out


class Decl:
    def __init__(self, header, ret, name, params, experimental):
        self.header, self.ret, self.name = header, ret, name
        self.params = split_params(params)
        self.experimental = experimental

    def __repr__(self):
        return f"{self.ret} {self.name}({', '.join(self.params)})"


def parse_headers(include_dir):
    decls, types, opaque, texts = [], {}, set(), {}
    for h in sorted(pathlib.Path(include_dir, "mlops").glob("*.h")):
        raw = h.read_text()
        texts[h.stem] = raw
        text = strip_comments(raw)
        exp_start = text.find("#ifdef MLOPS_EXPERIMENTAL")
        for m in re.finditer(r"MLOPS_EXTERN\s+([^;{]*?)\b(mlops_\w+)\s*\((.*?)\)\s*;", text,
                             flags=re.S):
            ret = " ".join(m.group(1).split())
            params = " ".join(m.group(3).split())
            experimental = exp_start >= 0 and m.start() > exp_start
            decls.append(Decl(h.stem, ret, m.group(2), params, experimental))
        for m in re.finditer(r"typedef struct (mlops_\w+) \1;", text):
            opaque.add(m.group(1))
        for m in re.finditer(r"typedef struct (mlops_\w+) \{(.*?)\} \1;", text, flags=re.S):
            types[m.group(1)] = m.group(2)
        # a summary struct is a tag only: its accessor has its name
        for m in re.finditer(r"^struct (mlops_\w+) \{(.*?)^\};", text, flags=re.S | re.M):
            types[m.group(1)] = m.group(2)
    opaque -= set(types)
    return decls, types, opaque, texts


def param_type_name(p):
    m = re.match(r"(.*?)(\w+)\s*(\[[^\]]*\])?$", p)
    if not m or p.endswith("*"):
        return p, "", False
    return m.group(1).strip(), m.group(2), bool(m.group(3))


def is_output(p, opaque):
    if "(" in p:  # a function pointer
        return False
    t, name, array = param_type_name(p)
    if array:
        return not t.startswith("const")
    if t.count("*") >= 2:
        # T **out, const char **label: the pointed-to pointer is written
        return not re.search(r"\*\s*const\s*\*", t)
    if t.count("*") == 1 and not t.startswith("const"):
        base = t.replace("*", "").strip()
        if base in opaque or base == "void":
            return False  # the object acted on, or a caller's context
        return True  # mlops_buf, a number, a public struct filled by the call
    return False


def check_static(decls, types, opaque, texts):
    for d in decls:
        # C1
        if d.header != "common" and not d.name.startswith("mlops_" + d.header):
            fail("C1", f"{d.name} is declared in {d.header}.h")
        # C2
        seen_input, prev_output = False, False
        for p in d.params:
            t, name, _ = param_type_name(p)
            out = is_output(p, opaque)
            if out and seen_input:
                fail("C2", f"{d.name}: output parameter '{p}' after an input one")
                break
            if not out:
                if prev_output and t == "size_t" and "cap" in name:
                    continue  # the capacity of the output before it
                seen_input = True
            prev_output = out
        # C3
        if re.search(r"_(to_json|serialize|deserialize|save|explain|write_canonical|write_pretty)"
                     r"(_\w+)?$", d.name) or re.search(r"_save_\w+$", d.name):
            fail("C3", f"{d.name}: serialisers are mlops_<x>_write[_json|_text|_pem]")
        m = re.match(r"(mlops_\w+?)_write(_json|_text|_pem)?$", d.name)
        if m:
            obj = m.group(1)
            want = ["mlops_buf *out", f"const {obj} *", "uint32_t flags"]
            ok = (len(d.params) == 3 and d.params[0] == want[0] and
                  d.params[1].startswith(want[1]) and d.params[2] == want[2])
            if not ok:
                fail("C3", f"{d.name}: want ({want[0]}, {want[1]}obj, {want[2]}), got {d}")
        # C4
        if re.search(r"_load(_\w+)?$", d.name):
            if not (d.name.endswith("_load_file") and len(d.params) >= 2 and
                    d.params[0].endswith("**out") and d.params[1] == "const char *path"):
                fail("C4", f"{d.name}: bytes are read by _parse; _load only as _load_file(out, path)")
        if d.name.endswith("_parse") and d.header not in ("digest", "timestamp"):
            if not (d.params and re.match(r"mlops_\w+ \*\*out$", d.params[0])):
                fail("C4", f"{d.name}: a parser is (T **out, ...), got {d}")
        # C5
        if re.search(r"_(copy|clone)$", d.name):
            fail("C5", f"{d.name}: copies are _dup")
        if d.name.endswith("_dup"):
            obj = d.name[: -len("_dup")]
            if d.params != [f"{obj} **out", d.params[1] if len(d.params) == 2 else ""] or \
                    not d.params[1].startswith(f"const {obj} *"):
                fail("C5", f"{d.name}: want ({obj} **out, const {obj} *src), got {d}")
        # C6
        if re.search(r"_(close|destroy|release)$", d.name) or \
                (d.name.endswith("_dispose") and d.name != "mlops_buf_dispose"):
            fail("C6", f"{d.name}: destructors are _free")
        if d.name.endswith("_free") and d.name != "mlops_free":
            if d.ret != "void" or len(d.params) != 1:
                fail("C6", f"{d.name}: a destructor is void mlops_<x>_free(T *)")
        # C7
        if "int32_t" in re.sub(r"uint32_t", "", d.ret + " ".join(d.params)):
            fail("C7", f"{d.name}: int32_t in {d}")
        # C8
        if not d.experimental and "sha256" in d.name:
            fail("C8", f"{d.name}: the stable tier names digests *digest* (\"sha256:<hex>\")")
    names = {d.name for d in decls}
    constructed = set()
    for d in decls:
        if d.params and re.match(r"(mlops_\w+) \*\*out$", d.params[0]):
            constructed.add(d.params[0].split()[0])
    for t in sorted(opaque & constructed):
        if t + "_free" not in names:
            fail("C6", f"{t} has a constructor but no {t}_free")
    # C8 (fields), C9, C10
    for t, body in sorted(types.items()):
        if t.endswith("_options"):
            if not body.strip().startswith("MLOPS_OPTIONS_HEADER"):
                fail("C9", f"{t} does not start with MLOPS_OPTIONS_HEADER")
            if t + "_init" not in names:
                fail("C9", f"{t} has no {t}_init")
        if t.endswith("_info"):
            if not body.strip().startswith("MLOPS_INFO_HEADER"):
                fail("C10", f"{t} does not start with MLOPS_INFO_HEADER")
            macro = t.upper() + "_VERSION"
            if not any(re.search(rf"#define {macro}\b", x) for x in texts.values()):
                fail("C10", f"{t} has no {macro}")
            if re.search(r"\bsha256\w*\s*;", body):
                fail("C8", f"{t}: a field named *sha256*")
    # C11
    for h, raw in texts.items():
        n = raw.count("#ifdef MLOPS_EXPERIMENTAL")
        if n > 1:
            fail("C11", f"{h}.h has {n} experimental blocks")
        if n == 1:
            after = strip_comments(raw[raw.index("#endif /* MLOPS_EXPERIMENTAL */"):])
            if "MLOPS_EXTERN" in after:
                fail("C11", f"{h}.h declares functions after its experimental block")


def check_library(lib_path, decls, opaque):
    lib = ctypes.CDLL(lib_path)
    ctype = {"double": ctypes.c_double, "int": ctypes.c_int, "size_t": ctypes.c_size_t,
             "uint64_t": ctypes.c_uint64, "int64_t": ctypes.c_int64,
             "uint32_t": ctypes.c_uint32}
    for d in decls:
        # C12
        if d.name.endswith("_name") and len(d.params) == 1 and \
                param_type_name(d.params[0])[0] in ("int", "uint32_t"):
            f = getattr(lib, d.name)
            f.restype = ctypes.c_char_p
            unsigned = d.params[0].startswith("uint32_t")
            f.argtypes = [ctypes.c_uint32 if unsigned else ctypes.c_int]
            want = b"MLOPS_E_UNKNOWN" if d.name == "mlops_error_name" else b"unknown"
            values = (3, 1 << 20, 0xFFFFFFFF) if unsigned else (-1, 99, 1 << 30, -(1 << 31))
            if d.name == "mlops_error_name":
                values = (1, 99, -1000, -(1 << 31))  # its negative range is the codes
            for v in values:
                got = f(v)
                if got != want:
                    fail("C12", f"{d.name}({v}) = {got!r}, want {want!r}")
        # C13: stable accessors of one const object (and an index)
        if d.experimental or not d.params:
            continue
        m = re.match(r"const (mlops_\w+) \*\w+$", d.params[0])
        if not m or m.group(1) not in opaque or len(d.params) > 2:
            continue
        if len(d.params) == 2 and not re.match(r"size_t \w+$", d.params[1]):
            continue
        f = getattr(lib, d.name)
        pointer = "*" in d.ret
        if not pointer and d.ret not in ctype:
            continue
        f.restype = ctypes.c_void_p if pointer else ctype[d.ret]
        f.argtypes = [ctypes.c_void_p] + ([ctypes.c_size_t] if len(d.params) == 2 else [])
        got = f(*([None] + [0] * (len(d.params) - 1)))
        if pointer:
            ok = got is None
        elif d.ret == "double":
            ok = math.isnan(got)
        else:
            # 0 for counts and flags, -1 for a signed value whose 0 is an answer
            ok = got == 0 or (d.ret in ("int", "int64_t") and got == -1)
        if not ok:
            fail("C13", f"{d.name}(NULL) = {got!r}")


def main():
    include_dir = sys.argv[1]
    decls, types, opaque, texts = parse_headers(include_dir)
    if len(decls) < 100:
        print(f"parsed only {len(decls)} declarations from {include_dir}")
        return 1
    check_static(decls, types, opaque, texts)
    if len(sys.argv) > 2:
        check_library(sys.argv[2], decls, opaque)
    stable = sum(not d.experimental for d in decls)
    for f in failures:
        print(f)
    print(f"{len(decls)} declarations ({stable} stable, {len(decls) - stable} experimental), "
          f"13 rules: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
