package applog

import (
	"bytes"
	"io"
	"os"
	"sync"
	"time"
)

// file is an app's log file, shared by the copies of its two streams.
type file struct {
	path  string
	mu    sync.Mutex
	f     *os.File
	size  int64
	users int // copies still running; the last one closes f
	buf   []byte
}

func (l *file) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, st.Size()
	return nil
}

// write appends the records of one chunk of a stream's output. A failing
// log never stops the copy to saturn's output.
func (l *file) write(stream string, chunk []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	l.buf = appendRecords(l.buf[:0], time.Now(), stream, chunk)
	if l.size+int64(len(l.buf)) > MaxSize && l.size > 0 {
		l.rotate()
		if l.f == nil {
			return
		}
	}
	n, _ := l.f.Write(l.buf)
	l.size += int64(n)
	if cap(l.buf) > 64<<10 {
		l.buf = nil // keep the long-lived process small
	}
}

// rotate renames the full file to .1 and starts a new one.
func (l *file) rotate() {
	l.f.Close()
	l.f = nil
	if os.Rename(l.path, l.path+".1") != nil {
		return
	}
	l.open()
}

func (l *file) done() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users--; l.users == 0 && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// appendRecords encodes chunk as records: a record per line, the last one
// partial ("P") when chunk does not end with a newline.
func appendRecords(b []byte, now time.Time, stream string, chunk []byte) []byte {
	ts := now.UTC().AppendFormat(nil, time.RFC3339Nano)
	for len(chunk) > 0 {
		line, rest, full := bytes.Cut(chunk, []byte{'\n'})
		tag := " P "
		if full {
			tag = " F "
		}
		b = append(b, ts...)
		b = append(b, ' ')
		b = append(b, stream...)
		b = append(b, tag...)
		b = append(b, line...)
		b = append(b, '\n')
		chunk = rest
	}
	return b
}

// copyStream copies r to dst and to the log until every writer of r is
// gone. Once dst fails (saturn's output was closed) only the log gets it.
func copyStream(r, dst *os.File, l *file, stream string) {
	defer r.Close()
	defer dst.Close()
	defer l.done()
	buf := make([]byte, 32<<10)
	out := io.Writer(dst)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			// The log first: it stays complete even while saturn's output blocks.
			l.write(stream, buf[:n])
			if out != nil {
				if _, werr := out.Write(buf[:n]); werr != nil {
					out = nil
				}
			}
		}
		if err != nil {
			return
		}
	}
}
