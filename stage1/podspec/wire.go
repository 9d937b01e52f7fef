package podspec

import (
	"encoding/binary"
	"fmt"

	"github.com/saturnpod/saturn/internal/errdefs"
)

// The pod spec crosses the pipe in a compact binary form, not JSON: the
// pod init decodes it first thing, and encoding/json's first decoding of a
// set of types (reflection over each, about 0.3 ms in a fresh process) was
// as slow as the appc decoding it replaced. Fields are written in a fixed
// order (codec.go); integers are varints, strings and lists are
// length-prefixed.

// writer appends values to buf.
type writer struct{ buf []byte }

func (w *writer) uint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }
func (w *writer) int(v int64)   { w.buf = binary.AppendVarint(w.buf, v) }

func (w *writer) bool(v bool) {
	if v {
		w.uint(1)
	} else {
		w.uint(0)
	}
}

func (w *writer) string(s string) {
	w.uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *writer) strings(l []string) {
	w.uint(uint64(len(l)))
	for _, s := range l {
		w.string(s)
	}
}

// reader takes values from buf in the order a writer put them. The first
// error sticks: every later value reads as zero, and err says what broke.
type reader struct {
	buf []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("pod spec: bad %s: %w", what, errdefs.ErrInvalid)
	}
	r.buf = nil
}

func (r *reader) uint() uint64 { return number(r, binary.Uvarint) }
func (r *reader) int() int64   { return number(r, binary.Varint) }

// number takes one varint, which decode reads.
func number[T uint64 | int64](r *reader, decode func([]byte) (T, int)) T {
	v, n := decode(r.buf)
	if n <= 0 {
		r.fail("number")
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

func (r *reader) bool() bool {
	switch r.uint() {
	case 0:
		return false
	case 1:
		return true
	}
	r.fail("boolean")
	return false
}

// count reads a length or a number of items, each at least one byte long,
// so that a corrupt count cannot make it allocate beyond what is left.
func (r *reader) count() int {
	n := r.uint()
	if n > uint64(len(r.buf)) {
		r.fail("length")
		return 0
	}
	return int(n)
}

func (r *reader) string() string {
	n := r.count()
	s := string(r.buf[:n])
	r.buf = r.buf[n:]
	return s
}

func (r *reader) strings() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = r.string()
	}
	return l
}
