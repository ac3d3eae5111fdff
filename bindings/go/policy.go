package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"math"
	"runtime"
	"time"
	"unsafe"
)

// Action is a policy's decision, in rank order.
type Action int

const (
	ActionNone           Action = C.MLOPS_ACTION_NONE
	ActionWarn           Action = C.MLOPS_ACTION_WARN
	ActionRetrain        Action = C.MLOPS_ACTION_RETRAIN
	ActionBlockPromotion Action = C.MLOPS_ACTION_BLOCK_PROMOTION
	ActionRollback       Action = C.MLOPS_ACTION_ROLLBACK
)

// String returns "none", "warn", "retrain", "block_promotion" or "rollback".
func (a Action) String() string { return C.GoString(C.mlops_policy_action_name(C.int(a))) }

// Truth is a three-valued result.
type Truth int

const (
	False   Truth = C.MLOPS_TRUTH_FALSE
	True    Truth = C.MLOPS_TRUTH_TRUE
	Unknown Truth = C.MLOPS_TRUTH_UNKNOWN
)

func (t Truth) String() string { return C.GoString(C.mlops_policy_truth_name(C.int(t))) }

// Reason says why a condition, rule or gate check came out as it did.
type Reason int

const (
	ReasonOK               Reason = C.MLOPS_REASON_OK
	ReasonMissing          Reason = C.MLOPS_REASON_MISSING
	ReasonNaN              Reason = C.MLOPS_REASON_NAN
	ReasonLowSamples       Reason = C.MLOPS_REASON_LOW_SAMPLES
	ReasonPending          Reason = C.MLOPS_REASON_PENDING
	ReasonCooldown         Reason = C.MLOPS_REASON_COOLDOWN
	ReasonLatched          Reason = C.MLOPS_REASON_LATCHED
	ReasonDryRun           Reason = C.MLOPS_REASON_DRY_RUN
	ReasonSuppressedBy     Reason = C.MLOPS_REASON_SUPPRESSED_BY
	ReasonMinSinceTraining Reason = C.MLOPS_REASON_MIN_SINCE_TRAINING
	ReasonBudget           Reason = C.MLOPS_REASON_BUDGET
	ReasonUnknown          Reason = C.MLOPS_REASON_UNKNOWN
	ReasonNoInterval       Reason = C.MLOPS_REASON_NO_INTERVAL
	ReasonNoChampion       Reason = C.MLOPS_REASON_NO_CHAMPION
	ReasonOtherModel       Reason = C.MLOPS_REASON_OTHER_MODEL
	ReasonDowngrade        Reason = C.MLOPS_REASON_DOWNGRADE
)

func (r Reason) String() string { return C.GoString(C.mlops_policy_reason_name(C.int(r))) }

// Policy is a parsed libmlops.policy/v1 document (mlops_policy). Immutable:
// it may be shared between goroutines. Objects made for it keep it open.
type Policy struct{ h handle }

func pp(p unsafe.Pointer) *C.mlops_policy { return (*C.mlops_policy)(p) }

// ParsePolicy parses a policy; source names it in messages ("" for none).
func ParsePolicy(data []byte, source string) (*Policy, error) {
	cs, err := optString(source, "source")
	if err != nil {
		return nil, err
	}
	var p *C.mlops_policy
	if err := call(func() C.int {
		return C.mlops_policy_parse(&p, (*C.char)(bytesPtr(data)), C.size_t(len(data)), cs, 0)
	}); err != nil {
		return nil, err
	}
	pol := &Policy{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_policy_free(pp(p)) })}
	runtime.SetFinalizer(pol, finalizeCloser[*Policy])
	return pol, nil
}

// Close releases the policy once nothing made for it is open. Idempotent.
func (pol *Policy) Close() error {
	if pol == nil {
		return nil
	}
	pol.hd().close()
	runtime.SetFinalizer(pol, nil)
	return nil
}

// withInfo calls f with the policy's summary (struct mlops_policy_info,
// borrowed from the policy) while the policy is held; not at all for a nil
// or closed policy.
func (pol *Policy) withInfo(f func(p *C.mlops_policy, in *C.struct_mlops_policy_info)) {
	_ = pol.hd().use(func(p unsafe.Pointer) error {
		if in := C.mlops_policy_info(pp(p)); in != nil {
			f(pp(p), in)
		}
		return nil
	})
}

// ID returns the policy_id.
func (pol *Policy) ID() string {
	var s string
	pol.withInfo(func(_ *C.mlops_policy, in *C.struct_mlops_policy_info) { s = goStr(in.id) })
	return s
}

// Digest returns "sha256:<hex>" of the policy's canonical bytes.
func (pol *Policy) Digest() string {
	var s string
	pol.withInfo(func(_ *C.mlops_policy, in *C.struct_mlops_policy_info) { s = goStr(in.digest) })
	return s
}

// Revision returns the revision.
func (pol *Policy) Revision() int64 {
	var r int64
	pol.withInfo(func(_ *C.mlops_policy, in *C.struct_mlops_policy_info) { r = int64(in.revision) })
	return r
}

// RuleIDs returns the rule ids in document order.
func (pol *Policy) RuleIDs() []string {
	var out []string
	pol.withInfo(func(p *C.mlops_policy, in *C.struct_mlops_policy_info) {
		for i := C.size_t(0); i < in.rule_count; i++ {
			if r := C.mlops_policy_rule(p, i); r != nil {
				out = append(out, goStr(r.id))
			}
		}
	})
	return out
}

// TestCount returns the number of embedded tests.
func (pol *Policy) TestCount() int {
	var n int
	pol.withInfo(func(_ *C.mlops_policy, in *C.struct_mlops_policy_info) { n = int(in.test_count) })
	return n
}

// Lint returns the JSON lint report and the number of findings.
func (pol *Policy) Lint() ([]byte, int, error) {
	var out []byte
	var n C.size_t
	err := pol.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int { return C.mlops_policy_lint(&b, &n, pp(p), 0) })
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, int(n), err
}

// RunTests runs the embedded tests; failures are counted, not errors.
func (pol *Policy) RunTests() (passed, failed int, report []byte, err error) {
	var np, nf C.size_t
	err = pol.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int { return C.mlops_policy_run_tests(&np, &nf, &b, pp(p), 0) })
		if err == nil {
			report = goBuf(&b)
		}
		return err
	})
	return int(np), int(nf), report, err
}

// Replay replays a JSON Lines observation log; with record, report is the
// log with each step's decision as its expectation.
func (pol *Policy) Replay(log []byte, record bool) (steps, mismatches uint64, report []byte, err error) {
	var s, m C.uint64_t
	flags := C.uint32_t(0)
	if record {
		flags = C.MLOPS_POLICY_REPLAY_RECORD
	}
	err = pol.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int {
			return C.mlops_policy_replay(&s, &m, &b, pp(p), (*C.char)(bytesPtr(log)), C.size_t(len(log)), flags)
		})
		if err == nil {
			report = goBuf(&b)
		}
		return err
	})
	return uint64(s), uint64(m), report, err
}

// child makes the handle of an object created for pol.
// The policy stays retained on success: the caller's handle lists pol.hd()
// among its dependencies.
func (pol *Policy) child(make func(p *C.mlops_policy) (unsafe.Pointer, error)) (unsafe.Pointer, error) {
	if pol == nil {
		return nil, goError(CodeInvalid, -1, "", "nil *Policy")
	}
	if err := pol.hd().retain(); err != nil {
		return nil, err
	}
	var obj unsafe.Pointer
	err := pol.hd().use(func(p unsafe.Pointer) error {
		var err error
		obj, err = make(pp(p))
		return err
	})
	if err != nil {
		pol.hd().release()
		return nil, err
	}
	return obj, nil
}

// Observations are the signal values of one evaluation (mlops_policy_obs).
// One goroutine at a time.
type Observations struct {
	h   handle
	pol *Policy
}

// NewObservations makes an empty set for pol.
func NewObservations(pol *Policy) (*Observations, error) {
	h, err := pol.child(func(p *C.mlops_policy) (unsafe.Pointer, error) {
		var o *C.mlops_policy_obs
		err := call(func() C.int { return C.mlops_policy_obs_new(&o, p) })
		return unsafe.Pointer(o), err
	})
	if err != nil {
		return nil, err
	}
	o := &Observations{h: newHandle(h, func(p unsafe.Pointer) { C.mlops_policy_obs_free((*C.mlops_policy_obs)(p)) }, pol.hd()), pol: pol}
	runtime.SetFinalizer(o, finalizeCloser[*Observations])
	return o, nil
}

// Close releases the set. Idempotent.
func (o *Observations) Close() error {
	if o == nil {
		return nil
	}
	o.hd().close()
	runtime.SetFinalizer(o, nil)
	return nil
}

func op(p unsafe.Pointer) *C.mlops_policy_obs { return (*C.mlops_policy_obs)(p) }

// Clear forgets every value.
func (o *Observations) Clear() {
	_ = o.hd().use(func(p unsafe.Pointer) error { C.mlops_policy_obs_clear(op(p)); return nil })
}

// Set sets a signal; samples < 0: unknown count.
func (o *Observations) Set(name string, value float64, samples int64) error {
	cn, err := mustCString(name, "signal name")
	if err != nil {
		return err
	}
	return o.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_policy_obs_set(op(p), cn, C.double(value), C.int64_t(samples)) })
	})
}

// SetMany sets len(names) signals in one C call; samples may be nil.
// values and samples are passed to C without copying.
func (o *Observations) SetMany(names []string, values []float64, samples []int64) error {
	if len(values) != len(names) || (samples != nil && len(samples) != len(names)) {
		return goError(CodeInvalid, -1, "", "SetMany: names, values and samples differ in length")
	}
	cs, err := newCStrings(names, "signal name")
	if err != nil {
		return err
	}
	defer cs.free()
	var vp *C.double
	var sp *C.int64_t
	if len(values) > 0 {
		vp = (*C.double)(&values[0])
	}
	if len(samples) > 0 {
		sp = (*C.int64_t)(&samples[0])
	}
	return o.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_policy_obs_set_many(op(p), cs.arr, vp, sp, C.size_t(len(names))) })
	})
}

// State is what one evaluation hands to the next (mlops_policy_state).
type State struct {
	h   handle
	pol *Policy
}

func stp(p unsafe.Pointer) *C.mlops_policy_state { return (*C.mlops_policy_state)(p) }

// NewState makes a fresh state for pol.
func NewState(pol *Policy) (*State, error) {
	h, err := pol.child(func(p *C.mlops_policy) (unsafe.Pointer, error) {
		var s *C.mlops_policy_state
		err := call(func() C.int { return C.mlops_policy_state_new(&s, p) })
		return unsafe.Pointer(s), err
	})
	if err != nil {
		return nil, err
	}
	s := &State{h: newHandle(h, func(p unsafe.Pointer) { C.mlops_policy_state_free(stp(p)) }, pol.hd()), pol: pol}
	runtime.SetFinalizer(s, finalizeCloser[*State])
	return s, nil
}

// Close releases the state. Idempotent.
func (s *State) Close() error {
	if s == nil {
		return nil
	}
	s.hd().close()
	runtime.SetFinalizer(s, nil)
	return nil
}

// Reset returns the state to fresh.
func (s *State) Reset() {
	_ = s.hd().use(func(p unsafe.Pointer) error { C.mlops_policy_state_reset(stp(p)); return nil })
}

// SetLastTraining records a (re)training at t.
func (s *State) SetLastTraining(t time.Time) error {
	return s.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_policy_state_set_last_training(stp(p), C.int64_t(t.UnixMilli())) })
	})
}

// MarshalJSON returns the state as canonical JSON (json.Marshaler).
func (s *State) MarshalJSON() ([]byte, error) {
	var out []byte
	err := s.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int { return C.mlops_policy_state_write_json(&b, stp(p), 0) })
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}

// UnmarshalJSON loads a saved state into s (json.Unmarshaler); on failure
// s is unchanged.
func (s *State) UnmarshalJSON(data []byte) error {
	if s == nil || s.pol == nil {
		return errNilObject()
	}
	var fresh *C.mlops_policy_state
	err := s.pol.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int {
			return C.mlops_policy_state_parse(&fresh, pp(p), (*C.char)(bytesPtr(data)), C.size_t(len(data)))
		})
	})
	if err != nil {
		return err
	}
	return s.hd().replace(unsafe.Pointer(fresh))
}

// CopyFrom copies src into s (both for the same policy).
func (s *State) CopyFrom(src *State) error {
	if s == nil || src == nil || s.pol != src.pol {
		if s != nil && src != nil && s.pol != src.pol {
			return goError(CodeInvalid, -1, "", "states of different policies")
		}
		return errNilObject()
	}
	if s == src {
		return s.hd().use(func(unsafe.Pointer) error { return nil })
	}
	var fresh *C.mlops_policy_state
	err := src.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_policy_state_dup(&fresh, stp(p)) })
	})
	if err != nil {
		return err
	}
	return s.hd().replace(unsafe.Pointer(fresh))
}

// Decision is the result of one evaluation with its trace (mlops_decision).
type Decision struct {
	h   handle
	pol *Policy
}

func decp(p unsafe.Pointer) *C.mlops_decision { return (*C.mlops_decision)(p) }

// NewDecision makes a decision object for pol.
func NewDecision(pol *Policy) (*Decision, error) {
	h, err := pol.child(func(p *C.mlops_policy) (unsafe.Pointer, error) {
		var d *C.mlops_decision
		err := call(func() C.int { return C.mlops_decision_new(&d, p) })
		return unsafe.Pointer(d), err
	})
	if err != nil {
		return nil, err
	}
	d := &Decision{h: newHandle(h, func(p unsafe.Pointer) { C.mlops_decision_free(decp(p)) }, pol.hd()), pol: pol}
	runtime.SetFinalizer(d, finalizeCloser[*Decision])
	return d, nil
}

// Close releases the decision. Idempotent.
func (d *Decision) Close() error {
	if d == nil {
		return nil
	}
	d.hd().close()
	runtime.SetFinalizer(d, nil)
	return nil
}

// Decide evaluates the policy on obs at now from stateIn (nil: fresh),
// writing the decision into d and the next state into stateOut (which may
// be stateIn; nil: the next state is not kept, as with the Python
// binding's state=None). A nil d, obs or pol is an ErrInvalid error.
func (pol *Policy) Decide(d *Decision, stateOut *State, obs *Observations, now time.Time, stateIn *State) error {
	if stateOut == nil {
		if pol == nil || d == nil || obs == nil {
			return errNilObject()
		}
		scratch, err := NewState(pol)
		if err != nil {
			return err
		}
		defer scratch.Close()
		stateOut = scratch
	}
	in := stateIn
	if in == nil {
		in = stateOut
	}
	return d.hd().use(func(pd unsafe.Pointer) error {
		return use2(stateOut.hd(), in.hd(), func(so, si unsafe.Pointer) error {
			return obs.hd().use(func(po unsafe.Pointer) error {
				return pol.hd().use(func(p unsafe.Pointer) error {
					var sin *C.mlops_policy_state
					if stateIn != nil {
						sin = stp(si)
					}
					return call(func() C.int {
						return C.mlops_policy_decide(decp(pd), stp(so), pp(p), op(po), C.int64_t(now.UnixMilli()), sin, 0)
					})
				})
			})
		})
	})
}

// SuppressedRule is a rule that fired but was not decided.
type SuppressedRule struct {
	Rule   string
	Action Action
	Reason Reason
}

// RuleTrace is the outcome of one rule (in policy order).
type RuleTrace struct {
	Rule   string
	Truth  Truth
	Reason Reason
	Wait   time.Duration
}

// withInfo calls f with the decision's summary (struct mlops_decision_info,
// rewritten by each Decide) while the decision is held; not at all for a
// nil or closed decision or one nothing was decided into yet.
func (d *Decision) withInfo(f func(p *C.mlops_decision, in *C.struct_mlops_decision_info)) {
	_ = d.hd().use(func(p unsafe.Pointer) error {
		if in := C.mlops_decision_info(decp(p)); in != nil {
			f(decp(p), in)
		}
		return nil
	})
}

// Action returns the decided action (ActionNone before the first Decide).
func (d *Decision) Action() Action {
	a := ActionNone
	d.withInfo(func(_ *C.mlops_decision, in *C.struct_mlops_decision_info) { a = Action(in.action) })
	return a
}

// Rule returns the deciding rule's id ("" for none).
func (d *Decision) Rule() string {
	var s string
	d.withInfo(func(_ *C.mlops_decision, in *C.struct_mlops_decision_info) { s = goStr(in.rule) })
	return s
}

// Time returns the time decided for (the epoch before the first Decide).
func (d *Decision) Time() time.Time {
	var t int64
	d.withInfo(func(_ *C.mlops_decision, in *C.struct_mlops_decision_info) { t = int64(in.time_ms) })
	return time.UnixMilli(t).UTC()
}

// Suppressed returns the rules that fired but were not decided.
func (d *Decision) Suppressed() []SuppressedRule {
	var out []SuppressedRule
	d.withInfo(func(p *C.mlops_decision, in *C.struct_mlops_decision_info) {
		for i := C.size_t(0); i < in.suppressed_count; i++ {
			if s := C.mlops_decision_suppressed(p, i); s != nil {
				out = append(out, SuppressedRule{goStr(s.rule), Action(s.action), Reason(s.reason)})
			}
		}
	})
	return out
}

// Rules returns each rule's outcome. Before the first Decide every rule is
// listed with Truth and Reason -1 (nothing evaluated).
func (d *Decision) Rules() []RuleTrace {
	if d == nil {
		return nil
	}
	var out []RuleTrace
	undecided := false
	_ = d.hd().use(func(pd unsafe.Pointer) error {
		p := decp(pd)
		in := C.mlops_decision_info(p)
		if in == nil {
			undecided = true
			return nil
		}
		for i := C.size_t(0); i < in.rule_count; i++ {
			if t := C.mlops_decision_rule_trace(p, i); t != nil {
				out = append(out, RuleTrace{goStr(t.rule), Truth(t.truth), Reason(t.reason),
					time.Duration(t.wait_ms) * time.Millisecond})
			}
		}
		return nil
	})
	if undecided {
		for _, id := range d.pol.RuleIDs() {
			out = append(out, RuleTrace{id, Truth(-1), Reason(-1), 0})
		}
	}
	return out
}

// JSON returns the decision and trace (libmlops.decision/v1).
func (d *Decision) JSON(pretty bool) ([]byte, error) {
	flags := C.uint32_t(0)
	if pretty {
		flags = C.MLOPS_JSON_PRETTY
	}
	return d.buf(func(b *C.mlops_buf, p *C.mlops_decision) C.int { return C.mlops_decision_write_json(b, p, flags) })
}

// Explain returns a human explanation of the decision.
func (d *Decision) Explain() (string, error) {
	b, err := d.buf(func(b *C.mlops_buf, p *C.mlops_decision) C.int { return C.mlops_decision_write_text(b, p, 0) })
	return string(b), err
}

func (d *Decision) buf(f func(*C.mlops_buf, *C.mlops_decision) C.int) ([]byte, error) {
	var out []byte
	err := d.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int { return f(&b, decp(p)) })
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}

// MetricValue is one metric for the promotion gate.
type MetricValue struct {
	Value         float64
	CILow, CIHigh float64 // both NaN (or HasCI false): no interval
	HasCI         bool
	Samples       int64 // negative: unknown
}

// MetricSet is a candidate's or champion's metrics (mlops_gate_metrics).
type MetricSet struct{ h handle }

// NewMetricSet makes an empty set.
func NewMetricSet() (*MetricSet, error) {
	var p *C.mlops_gate_metrics
	if err := call(func() C.int { return C.mlops_gate_metrics_new(&p) }); err != nil {
		return nil, err
	}
	s := &MetricSet{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_gate_metrics_free((*C.mlops_gate_metrics)(p)) })}
	runtime.SetFinalizer(s, finalizeCloser[*MetricSet])
	return s, nil
}

// Close releases the set. Idempotent.
func (s *MetricSet) Close() error {
	if s == nil {
		return nil
	}
	s.hd().close()
	runtime.SetFinalizer(s, nil)
	return nil
}

// Put sets a metric (replacing it).
func (s *MetricSet) Put(name string, v MetricValue) error {
	cn, err := mustCString(name, "metric name")
	if err != nil {
		return err
	}
	lo, hi := math.NaN(), math.NaN()
	if v.HasCI {
		lo, hi = v.CILow, v.CIHigh
	}
	return s.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int {
			return C.mlops_gate_metrics_put((*C.mlops_gate_metrics)(p), cn, C.double(v.Value), C.double(lo), C.double(hi), C.int64_t(v.Samples))
		})
	})
}

// SetModel says which model version the set's metrics were measured for:
// the manifest's name and SemVer version. When either side of Gate says,
// the gate checks that the candidate is the champion's model ("model"/
// "name", ReasonOtherModel) and not an older version ("model"/"version",
// ReasonDowngrade) (mlops_gate_metrics_set_model).
func (s *MetricSet) SetModel(name, version string) error {
	cn, err := mustCString(name, "model name")
	if err != nil {
		return err
	}
	cv, err := mustCString(version, "model version")
	if err != nil {
		return err
	}
	return s.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_gate_metrics_set_model((*C.mlops_gate_metrics)(p), cn, cv, 0) })
	})
}

// GateOptions are the options of GateWithOptions.
type GateOptions struct {
	// AllowDowngrade lets a candidate with a lower version than the
	// champion's pass the "version" check (MLOPS_GATE_ALLOW_DOWNGRADE).
	AllowDowngrade bool
}

// GateCheck is one evaluated check of the promotion gate.
type GateCheck struct {
	Metric string
	Kind   string // "samples", "value", "min", "max", "regression", ...
	Passed bool
	Reason Reason
}

// GateResult is the promotion gate's result, copied into Go.
type GateResult struct {
	Action      Action // ActionBlockPromotion or ActionNone
	Checks      []GateCheck
	JSON        []byte // libmlops.gate/v1, canonical
	Explanation string
}

// Blocked reports whether promotion is blocked. A nil result (no gate was
// evaluated, as Gate returns with an error) is blocked: it never reads as a
// pass.
func (r *GateResult) Blocked() bool { return r == nil || r.Action == ActionBlockPromotion }

// Gate evaluates the policy's promotion gate for candidate against
// champion (nil: no champion, a first release).
func (pol *Policy) Gate(candidate, champion *MetricSet) (*GateResult, error) {
	return pol.GateWithOptions(candidate, champion, nil)
}

// GateWithOptions is Gate with options (nil: the defaults).
func (pol *Policy) GateWithOptions(candidate, champion *MetricSet, opts *GateOptions) (*GateResult, error) {
	var flags C.uint32_t
	if opts != nil && opts.AllowDowngrade {
		flags |= C.MLOPS_GATE_ALLOW_DOWNGRADE
	}
	var res *C.mlops_gate_result
	run := func(cand, champ *C.mlops_gate_metrics) error {
		return pol.hd().use(func(p unsafe.Pointer) error {
			return call(func() C.int { return C.mlops_policy_gate(&res, pp(p), cand, champ, flags) })
		})
	}
	var err error
	if champion == nil {
		err = candidate.hd().use(func(c unsafe.Pointer) error { return run((*C.mlops_gate_metrics)(c), nil) })
	} else {
		err = use2(candidate.hd(), champion.hd(), func(c, k unsafe.Pointer) error {
			return run((*C.mlops_gate_metrics)(c), (*C.mlops_gate_metrics)(k))
		})
	}
	if err != nil {
		return nil, err
	}
	defer C.mlops_gate_result_free(res)
	// Check names may be borrowed from the policy: copy them while it is held.
	var out *GateResult
	err = pol.hd().use(func(unsafe.Pointer) error {
		in := C.mlops_gate_result_info(res) // struct mlops_gate_result_info
		out = &GateResult{Action: Action(in.action)}
		for i := C.size_t(0); i < in.check_count; i++ {
			c := C.mlops_gate_result_check(res, i)
			out.Checks = append(out.Checks, GateCheck{goStr(c.metric), goStr(c.kind), c.passed == 1,
				Reason(c.reason)})
		}
		var b C.mlops_buf
		if err := call(func() C.int { return C.mlops_gate_result_write_json(&b, res, 0) }); err != nil {
			return err
		}
		out.JSON = goBuf(&b)
		var e C.mlops_buf
		if err := call(func() C.int { return C.mlops_gate_result_write_text(&e, res, 0) }); err != nil {
			return err
		}
		out.Explanation = string(goBuf(&e))
		return nil
	})
	return out, err
}
