#!/usr/bin/env python3
# Side-by-side JSON throughput: bench_json (parse + canonical write) against
# Python's json.loads on the same bytes, in one run.
#
# SPDX-License-Identifier: Apache-2.0
#
#   python3 bench/json_compare.py build/bench/bench_json [--files N] [--rounds R] [--runs K] [--inplace]
#
# Generates the manifest-like document with `bench_json --gen`, then
# alternates R rounds of (bench_json --runs K) and K timings of json.loads
# (and of json.loads + json.dumps in the canonical-looking form
# sort_keys=True, separators=(",", ":")), and prints the medians and ratios.
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_c(binary, path, runs, inplace):
    args = [binary, "--runs", str(runs)] + (["--inplace"] if inplace else []) + [path]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--inplace", action="store_true",
                    help="mlops__json_parse_inplace (no copy of the input)")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "manifest.json")
        subprocess.run([a.binary, "--gen", path, str(a.files)], check=True)
        with open(path, "rb") as f:
            data = f.read()
        mem = subprocess.run([a.binary, "--mem"] + (["--inplace"] if a.inplace else []) + [path],
                             check=True, capture_output=True, text=True).stdout
        mem = dict(line.split("=", 1) for line in mem.split())
        c_parse, c_write, c_both, py_loads, py_both = [], [], [], [], []
        c = {}
        for _ in range(a.rounds):
            c = run_c(a.binary, path, a.runs, a.inplace)
            c_parse.append(float(c["parse_ms"]))
            c_write.append(float(c["write_ms"]))
            c_both.append(float(c["parse_write_ms"]))
            for _ in range(a.runs):
                t0 = time.perf_counter()
                obj = json.loads(data)
                t1 = time.perf_counter()
                json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                t2 = time.perf_counter()
                py_loads.append((t1 - t0) * 1e3)
                py_both.append((t2 - t0) * 1e3)
                del obj

    med = statistics.median
    mb = len(data) / 1e6
    print(f"document: {len(data)} bytes ({mb:.1f} MB), {a.files} file entries"
          f"{', mlops__json_parse_inplace' if a.inplace else ''}")
    print(f"rounds: {a.rounds} x {a.runs} runs (C value per round = median of its runs)")
    print(f"libmlops parse             median {med(c_parse):8.2f} ms  {mb / med(c_parse) * 1e3:7.1f} MB/s")
    print(f"libmlops canonical write   median {med(c_write):8.2f} ms")
    print(f"libmlops parse + write     median {med(c_both):8.2f} ms  {mb / med(c_both) * 1e3:7.1f} MB/s")
    print(f"python json.loads          median {med(py_loads):8.2f} ms  {mb / med(py_loads) * 1e3:7.1f} MB/s")
    print(f"python loads + dumps       median {med(py_both):8.2f} ms")
    print(f"ratio json.loads / libmlops parse+write: {med(py_loads) / med(c_both):.2f}x")
    print(f"ratio json.loads / libmlops parse:       {med(py_loads) / med(c_parse):.2f}x")
    print(f"ratio python loads+dumps / libmlops parse+write: {med(py_both) / med(c_both):.2f}x")
    print(f"libmlops document peak: {int(c['doc_peak_bytes'])} bytes = {c['doc_peak_ratio']}x input")
    print(f"one parse: peak RSS grows by {mem['parse_rss_growth_ratio']}x the input "
          f"(process total {mem['process_rss_ratio']}x, counting the input buffer)")
    print(f"bench_json peak RSS over all runs: {int(c['rss_peak_kb']) // 1024} MiB = "
          f"{c['rss_peak_ratio']}x input (input, document and canonical output alive together)")
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
