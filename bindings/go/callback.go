package mlops

// This file holds the Go functions C calls back. A file with //export may
// only declare things in its preamble; the C trampolines are in bridge.c.

/*
#include <stdint.h>
*/
import "C"

import (
	"context"
	"runtime/cgo"
)

// progressState is what a progress callback needs. C never sees a pointer to
// it: it gets a cgo.Handle, an integer that the Go side maps back to this
// value, and the handle is deleted when the call returns.
type progressState struct {
	ctx      context.Context
	done     <-chan struct{}
	fn       func(done, total uint64)
	ctxErr   error       // the context's error when it cancelled the call
	panicVal interface{} // a panic of fn, re-raised once the C call returned
	panicked bool
}

// mlopsgoProgress is the mlops_progress_fn of every call that takes one: it
// reports progress to the caller's function and cancels (returns 1) once the
// context is done. A panic in the caller's function must not unwind through
// C frames, so it is recovered here, cancels the call, and is raised again
// by the wrapper after the C function returned.
//
//export mlopsgoProgress
func mlopsgoProgress(done, total C.uint64_t, handle C.uintptr_t) (rc C.int) {
	st := cgo.Handle(handle).Value().(*progressState)
	defer func() {
		if r := recover(); r != nil {
			st.panicVal, st.panicked = r, true
			rc = 1
		}
	}()
	if st.fn != nil {
		st.fn(uint64(done), uint64(total))
	}
	if st.done != nil {
		select {
		case <-st.done:
			st.ctxErr = st.ctx.Err()
			return 1
		default:
		}
	}
	return 0
}
