#!/usr/bin/env python3
"""Generate replay-10k.jsonl: 10,000 evaluations of replay-policy.json, 5 minutes
apart, with the decision each one must produce.

The expected decisions are computed by the model below, written from the
definitions in docs/formats/policy-v1.md (not from the C code): comparisons,
hysteresis latches, Kleene UNKNOWN, share aggregation with unknown members (membership = set in this evaluation),
consecutive / for / m_of_n, per-action cooldown and budget, min_since_training
(counted from RETRAIN decisions), on_unknown, and the action ranking.

Deterministic (fixed seed). Regenerate with:
    python3 tests/vectors/policy/gen_replay.py > tests/vectors/policy/replay-10k.jsonl
"""
import json
import random

T, F, U = "T", "F", "U"
RANK = {"none": 0, "warn": 1, "retrain": 2, "block_promotion": 3, "rollback": 4}
MIN = 60_000
START = 1_767_225_600_000  # 2026-01-01T00:00:00Z


class Model:
    def __init__(self):
        self.latch = False              # collapse hysteresis
        self.consec = 0                 # collapse consecutive TRUE count
        self.true_since = None          # drift `for`
        self.window = []                # errors m_of_n, newest last
        self.last = {}                  # action -> last decision time
        self.history = {}               # action -> decision times
        self.last_training = None

    def collapse_cond(self, sig):
        auc = sig.get("auc")
        if auc is None:
            return U
        if not self.latch:
            if auc < 0.7:
                self.latch = True
                return T
            return F
        if auc < 0.75:
            return T
        self.latch = False
        return F

    @staticmethod
    def drift_cond(sig):
        names = [k for k in sig if k.startswith("psi.")]
        if not names:
            return U
        n = len(names)
        # a member with fewer than 50 samples is UNKNOWN
        known = [sig[k][0] for k in names if sig[k][1] >= 50]
        t = sum(1 for v in known if v > 0.2)
        u = n - len(known)
        lo, hi = t / n, (t + u) / n
        if lo >= 0.25:
            return T
        if hi < 0.25:
            return F
        return U

    @staticmethod
    def errors_cond(sig):
        e = sig.get("err")
        if e is None or e[1] < 100:
            return U
        return T if e[0] > 0.05 else F

    def step(self, now, sig):
        candidates = []  # (rank, order, action, rule)
        # collapse: rollback, consecutive 2
        c = self.collapse_cond(sig)
        self.consec = self.consec + 1 if c == T else 0
        if c == T and self.consec >= 2:
            candidates.append((4, 0, "rollback", "collapse"))
        # drift: retrain, for 30m, cooldown 6h, min_since_training 2h, budget 3 / 7d
        d = self.drift_cond(sig)
        if d == T:
            if self.true_since is None:
                self.true_since = now
            if now - self.true_since >= 30 * MIN:
                last = self.last.get("retrain")
                used = [x for x in self.history.get("retrain", []) if now - 7 * 1440 * MIN < x <= now]
                if last is not None and now - last < 360 * MIN:
                    pass
                elif self.last_training is not None and now - self.last_training < 120 * MIN:
                    pass
                elif len(used) >= 3:
                    pass
                else:
                    candidates.append((2, 1, "retrain", "drift"))
        else:
            self.true_since = None
        # errors: warn, 3 of the last 5, on_unknown warn
        e = self.errors_cond(sig)
        self.window = (self.window + [e == T])[-5:]
        if e == T and sum(self.window) >= 3:
            candidates.append((1, 2, "warn", "errors"))
        elif e == U:
            candidates.append((1, 2, "warn", "errors"))
        if not candidates:
            return "none", None
        best = max(candidates, key=lambda c: (c[0], -c[1]))
        action = best[2]
        self.last[action] = now
        self.history.setdefault(action, []).append(now)
        if action == "retrain":
            self.last_training = now
        return action, best[3]


def main():
    rng = random.Random(20261126)
    model = Model()
    auc = 0.85
    psi = {f: 0.05 for f in "abcd"}
    err = 0.02
    for i in range(10_000):
        now = START + i * 5 * MIN
        # slow random walks with occasional shocks
        auc = min(0.99, max(0.5, auc + rng.gauss(0, 0.02) + (0.85 - auc) * 0.05))
        if rng.random() < 0.01:
            auc -= 0.2
        for f in psi:
            psi[f] = max(0.0, psi[f] + rng.gauss(0, 0.03) + (0.08 - psi[f]) * 0.05)
            if rng.random() < 0.003:
                psi[f] += 0.4
        err = min(1.0, max(0.0, err + rng.gauss(0, 0.01) + (0.03 - err) * 0.1))
        signals = {}
        model_sig = {}
        r = rng.random()
        if r > 0.02:
            v = round(auc, 4)
            signals["auc"] = v
            model_sig["auc"] = v
        for f in "abcd":
            name = "psi." + f
            r = rng.random()
            if r < 0.01:
                continue  # absent: not a member this step
            if r < 0.03:
                signals[name] = None  # explicitly unobserved: not a member either
                continue
            v = round(psi[f], 4)
            if r < 0.06:
                signals[name] = {"value": v, "samples": 10}  # too few: UNKNOWN member
                model_sig[name] = (v, 10)
            else:
                signals[name] = {"value": v, "samples": 1000}
                model_sig[name] = (v, 1000)
        samples = rng.choice([40, 500, 800, 1000, 1000, 1000, 2000])
        v = round(err, 4)
        signals["err"] = {"value": v, "samples": samples}
        model_sig["err"] = (v, samples)
        action, rule = model.step(now, model_sig)
        line = {"now_ms": now, "signals": signals, "expect": {"action": action, "rule": rule}}
        print(json.dumps(line, separators=(",", ":")))


if __name__ == "__main__":
    main()
