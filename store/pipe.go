package store

import (
	"crypto/sha512"
	"hash"
	"os"
)

// hashWriter writes a stream to a file (unless f is nil) and hashes it on
// another goroutine,
// so that decompressing and checking the tar (this goroutine) overlaps with
// sha512 and the copy to disk (that one). Data moves in large buffers.
type hashWriter struct {
	f    *os.File
	h    hash.Hash
	buf  []byte
	full chan []byte
	free chan []byte
	done chan error
	n    int64
	err  error
}

const pipeBuf = 1 << 20

func newHashWriter(f *os.File) *hashWriter {
	w := &hashWriter{f: f, h: sha512.New(), full: make(chan []byte, 4), free: make(chan []byte, 4), done: make(chan error, 1)}
	for range 4 {
		w.free <- make([]byte, 0, pipeBuf)
	}
	w.buf = <-w.free
	go w.drain()
	return w
}

func (w *hashWriter) drain() {
	var err error
	for b := range w.full {
		if err == nil {
			w.h.Write(b)
			if w.f != nil {
				_, err = w.f.Write(b)
			}
		}
		w.free <- b[:0]
	}
	w.done <- err
}

func (w *hashWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		if len(w.buf) == cap(w.buf) {
			w.full <- w.buf
			w.buf = <-w.free
		}
	}
	w.n += int64(n)
	return n, nil
}

// close flushes, waits for the writer goroutine and returns the image ID
// and size of what was written.
func (w *hashWriter) close() (string, int64, error) {
	if len(w.buf) > 0 {
		w.full <- w.buf
	}
	close(w.full)
	if err := <-w.done; err != nil {
		return "", 0, err
	}
	return idOf(w.h), w.n, nil
}
