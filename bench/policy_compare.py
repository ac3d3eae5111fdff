#!/usr/bin/env python3
"""Side by side: bench_policy (libmlops, 20 rules over 500 features) and the same
20 rules written directly as Python + NumPy glue code, which is what a pipeline
would otherwise run. Same input shape and distributions (1,000 feature signals
plus 4 metrics per evaluation); both time the decision only, not building the
inputs. The Python version keeps the same state (streaks, latches, windows,
cooldowns, budget) but produces no trace.

    python3 bench/policy_compare.py build [runs]
"""
import statistics
import subprocess
import sys
import time

import numpy as np

MIN = 60_000


def holm_count(p, alpha):
    m = len(p)
    s = np.sort(p)
    ok = s <= alpha / (m - np.arange(m))
    return m if ok.all() else int(np.argmin(ok))


def bh_count(p, alpha):
    m = len(p)
    s = np.sort(p)
    ok = np.nonzero(s <= np.arange(1, m + 1) * alpha / m)[0]
    return int(ok[-1]) + 1 if len(ok) else 0


class Glue:
    def __init__(self):
        self.true_since = {}
        self.consec = {}
        self.window = {}
        self.latch = {"r11": False, "r12": False}
        self.last = {}
        self.history = {}
        self.last_training = None
        self.weights = np.ones(500)
        self.weights[:5] = [5, 5, 3, 3, 2]

    def qualify(self, rid, cond, now, for_ms=0, consecutive=0, m_of_n=None):
        if cond:
            self.true_since.setdefault(rid, now)
            self.consec[rid] = self.consec.get(rid, 0) + 1
        else:
            self.true_since.pop(rid, None)
            self.consec[rid] = 0
        if m_of_n:
            w = (self.window.get(rid, []) + [cond])[-m_of_n[1]:]
            self.window[rid] = w
        if not cond:
            return False
        if for_ms and now - self.true_since[rid] < for_ms:
            return False
        if consecutive and self.consec[rid] < consecutive:
            return False
        if m_of_n and sum(self.window[rid]) < m_of_n[0]:
            return False
        return True

    def hyst(self, rid, v, enter, exit_, up):
        if not self.latch[rid]:
            self.latch[rid] = v > enter if up else v < enter
            return self.latch[rid]
        hold = v > exit_ if up else v < exit_
        self.latch[rid] = hold
        return hold

    def decide(self, now, psi, ks, auc, err, lat, rows):
        fired = []
        r = self.qualify("r01", np.mean(psi > 0.25) >= 0.1, now, for_ms=30 * MIN)
        if r and not (now - self.last.get("retrain", -10**18) < 360 * MIN) and \
                len([t for t in self.history.get("retrain", []) if t > now - 7 * 1440 * MIN]) < 2:
            fired.append((2, "r01"))
        if self.qualify("r02", holm_count(ks, 0.01) >= 5, now, consecutive=3):
            fired.append((2, "r02"))
        if bh_count(ks, 0.05) / len(ks) >= 0.2:
            fired.append((2, "r03"))
        if (ks <= 0.05 / len(ks)).any():
            fired.append((1, "r04"))
        if (psi > 0.1).any():
            fired.append((1, "r05"))
        if (psi < 5).all():
            fired.append((1, "r06"))
        if self.weights[psi > 0.2].sum() / self.weights.sum() >= 0.3:
            fired.append((2, "r07"))
        if ((psi >= 0.1) & (psi <= 0.25)).sum() >= 50:
            fired.append((1, "r08"))
        if (ks <= 0.001).sum() >= 1:
            fired.append((1, "r09"))
        if self.qualify("r10", ((psi < 0) | (psi > 0.3)).mean() > 0.05, now, m_of_n=(3, 6)):
            fired.append((2, "r10"))
        if self.qualify("r11", self.hyst("r11", auc, 0.7, 0.75, False), now, consecutive=2):
            fired.append((4, "r11"))
        if self.qualify("r12", self.hyst("r12", err, 0.05, 0.02, True), now, for_ms=10 * MIN):
            fired.append((4, "r12"))
        if auc < 0.8 and rows > 1000:
            fired.append((3, "r13"))
        if self.qualify("r14", lat > 250 * 1.02, now, m_of_n=(2, 5)):
            fired.append((1, "r14"))
        if err > 0.03 or lat > 200:
            fired.append((1, "r15"))
        if (err > 0.02) + (lat > 150) + (auc < 0.85) >= 2:
            fired.append((1, "r16"))
        if not auc >= 0.8 and not (self.last_training is not None and now - self.last_training < 1440 * MIN):
            fired.append((2, "r17"))
        if 0.04 <= err <= 0.05:
            fired.append((3, "r19"))
        if auc < 0.6 or auc > 0.99:
            fired.append((1, "r20"))
        if not fired:
            return "none"
        rank, rid = max(fired, key=lambda f: f[0])
        action = ["none", "warn", "retrain", "block_promotion", "rollback"][rank]
        self.last[action] = now
        self.history.setdefault(action, []).append(now)
        if action == "retrain":
            self.last_training = now
        return action


def run_python(n=3000, seed=1):
    rng = np.random.default_rng(seed)
    g = Glue()
    times = []
    for i in range(n):
        psi = 0.3 * rng.random(500) * rng.random(500)
        ks = rng.random(500) * rng.random(500)
        auc, err, lat = 0.7 + 0.25 * rng.random(), 0.06 * rng.random(), 100 + 200 * rng.random()
        t0 = time.perf_counter_ns()
        g.decide(i * MIN, psi, ks, auc, err, lat, 3000)
        times.append((time.perf_counter_ns() - t0) / 1000)
    return statistics.median(times[1:])


def run_c(build):
    out = subprocess.run([f"{build}/bench/bench_policy", "20000"], capture_output=True, text=True,
                         check=True).stdout
    line = [l for l in out.splitlines() if l.startswith("decide:")][0]
    median = float(line.split("median ")[1].split(" us")[0])
    allocs = int(line.rsplit(": ", 1)[1])
    return median, allocs


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    c, py, allocs = [], [], []
    for _ in range(runs):  # alternate the two contenders
        m, a = run_c(build)
        c.append(m)
        allocs.append(a)
        py.append(run_python())
    cm, pm = statistics.median(c), statistics.median(py)
    print(f"libmlops mlops_policy_decide: median of {runs} run medians {cm:.1f} us "
          f"(runs: {', '.join(f'{x:.1f}' for x in c)}); allocations in decide: {max(allocs)}")
    print(f"Python + NumPy glue         : median of {runs} run medians {pm:.1f} us "
          f"(runs: {', '.join(f'{x:.1f}' for x in py)})")
    print(f"ratio glue / libmlops: {pm / cm:.1f}x")


if __name__ == "__main__":
    main()
