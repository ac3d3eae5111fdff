package mlops

/*
#include "bridge.h"
#include <stdlib.h>
#include <string.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// CategoryDict maps category labels (any bytes) to dense codes 0, 1, 2, ...
// shared by a reference and a current sample (mlops_category_dict). Codes
// are assigned in first-seen order: add the reference first, then the
// current sample, and every label has one code in both, reference labels
// keeping theirs. Safe for concurrent use (Add takes the dictionary
// exclusively).
type CategoryDict struct{ h handle }

func cdp(p unsafe.Pointer) *C.mlops_category_dict { return (*C.mlops_category_dict)(p) }

// NewCategoryDict creates an empty dictionary.
func NewCategoryDict() (*CategoryDict, error) {
	var p *C.mlops_category_dict
	if err := call(func() C.int { return C.mlops_category_dict_new(&p, 0) }); err != nil {
		return nil, err
	}
	d := &CategoryDict{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_category_dict_free(cdp(p)) })}
	runtime.SetFinalizer(d, finalizeCloser[*CategoryDict])
	return d, nil
}

// Close releases the dictionary. Idempotent.
func (d *CategoryDict) Close() error {
	if d == nil {
		return nil
	}
	d.hd().close()
	runtime.SetFinalizer(d, nil)
	return nil
}

// cLabels holds a batch of labels in C memory (Go memory passed to C may
// not hold Go pointers): one blob, and a pointer and a length per label.
type cLabels struct {
	blob unsafe.Pointer
	ptrs **C.char
	lens *C.size_t
	n    int
}

func newCLabels(labels []string) *cLabels {
	total := 0
	for _, s := range labels {
		total += len(s)
	}
	n := len(labels)
	cl := &cLabels{n: n}
	cl.blob = C.malloc(C.size_t(total + 1))
	cl.ptrs = (**C.char)(C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	cl.lens = (*C.size_t)(C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof(C.size_t(0)))))
	if cl.blob == nil || cl.ptrs == nil || cl.lens == nil {
		panic("mlops: out of memory")
	}
	blob := unsafe.Slice((*byte)(cl.blob), total+1)
	ptrs := unsafe.Slice(cl.ptrs, n+1)
	lens := unsafe.Slice(cl.lens, n+1)
	off := 0
	for i, s := range labels {
		copy(blob[off:], s)
		ptrs[i] = (*C.char)(unsafe.Add(cl.blob, off))
		lens[i] = C.size_t(len(s))
		off += len(s)
	}
	return cl
}

func (cl *cLabels) free() {
	C.free(cl.blob)
	C.free(unsafe.Pointer(cl.ptrs))
	C.free(unsafe.Pointer(cl.lens))
}

// Add returns the code of each label, giving each label seen for the first
// time the next code. On error the dictionary is unchanged.
func (d *CategoryDict) Add(labels []string) ([]int64, error) {
	if d == nil {
		return nil, errNilObject()
	}
	cl := newCLabels(labels)
	defer cl.free()
	codes := make([]int64, len(labels)+1)
	d.h.mu.Lock()
	defer d.h.mu.Unlock()
	if d.h.closed || d.h.p == nil {
		return nil, ErrClosed
	}
	p := d.h.p
	err := call(func() C.int {
		return C.mlops_category_dict_add((*C.int64_t)(&codes[0]), cdp(p), (**C.char)(unsafe.Pointer(cl.ptrs)), cl.lens, C.size_t(cl.n), 0)
	})
	runtime.KeepAlive(d)
	if err != nil {
		return nil, err
	}
	return codes[:len(labels)], nil
}

// Encode returns the code of each label without adding any: a label the
// dictionary lacks gets -1 (CategoryUnseen), and unseen counts them.
func (d *CategoryDict) Encode(labels []string) (codes []int64, unseen uint64, err error) {
	cl := newCLabels(labels)
	defer cl.free()
	out := make([]int64, len(labels)+1)
	var u C.uint64_t
	err = d.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int {
			return C.mlops_category_dict_encode((*C.int64_t)(&out[0]), &u, cdp(p), (**C.char)(unsafe.Pointer(cl.ptrs)), cl.lens, C.size_t(cl.n), 0)
		})
	})
	if err != nil {
		return nil, 0, err
	}
	return out[:len(labels)], uint64(u), nil
}

// CategoryUnseen is the code Encode gives a label the dictionary lacks.
const CategoryUnseen = C.MLOPS_CATEGORY_UNSEEN

// Len returns the number of labels (the next code); 0 once closed.
func (d *CategoryDict) Len() int {
	n := 0
	_ = d.hd().use(func(p unsafe.Pointer) error {
		n = int(C.mlops_category_dict_count(cdp(p)))
		return nil
	})
	return n
}

// Label returns the label of a code.
func (d *CategoryDict) Label(code int64) (string, error) {
	var s string
	err := d.hd().use(func(p unsafe.Pointer) error {
		var l *C.char
		var n C.size_t
		if err := call(func() C.int { return C.mlops_category_dict_label(&l, &n, cdp(p), C.int64_t(code)) }); err != nil {
			return err
		}
		s = C.GoStringN(l, C.int(n))
		return nil
	})
	return s, err
}

// DriftCategoricalLabels compares two samples of category labels, aligned
// by label through one CategoryDict (reference first): the same label is the
// same category in both samples. It returns the result and the label of
// each of its Categories.
func DriftCategoricalLabels(metric DriftMetric, ref, cur []string, opts *DriftOptions) (*DriftResult, []string, error) {
	d, err := NewCategoryDict()
	if err != nil {
		return nil, nil, err
	}
	defer d.Close()
	rc, err := d.Add(ref)
	if err != nil {
		return nil, nil, err
	}
	cc, err := d.Add(cur)
	if err != nil {
		return nil, nil, err
	}
	n := d.Len()
	if n == 0 {
		n = 1
	}
	res, err := DriftCategorical(metric, rc, cc, n, opts)
	if err != nil {
		return nil, nil, err
	}
	labels := make([]string, len(res.Categories))
	for i, c := range res.Categories {
		if labels[i], err = d.Label(c); err != nil {
			return nil, nil, err
		}
	}
	return res, labels, nil
}
