package stage0

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/saturnpod/saturn/internal/errdefs"
	"github.com/saturnpod/saturn/stage0/pod"
)

// LogsOptions says which output Logs shows and where.
type LogsOptions struct {
	// App selects one app; "" shows every app's, each line prefixed by the
	// app's name when the pod has more than one.
	App string
	// Tail shows only the last Tail lines (of all shown apps together);
	// negative: all.
	Tail int
	// Follow keeps printing what the apps write until the pod is no
	// longer running (or ctx ends).
	Follow bool
	// Stdout and Stderr get what the apps wrote to each.
	Stdout, Stderr io.Writer
}

// followPoll is how often Follow looks for more output.
const followPoll = 200 * time.Millisecond

// Logs prints what a pod's apps wrote to stdout and stderr, from the logs
// its stage1 keeps in the pod dir: while it runs, and after it exited
// until it is removed.
func (r *Runtime) Logs(ctx context.Context, ref string, o LogsOptions) error {
	p, err := r.pods.Get(ref)
	if err != nil {
		return err
	}
	apps, err := logApps(p.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("pod %s has no logs (its stage1 keeps none, or no app started): %w", p.UUID, errdefs.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if o.App != "" {
		if !slices.Contains(apps, o.App) {
			return fmt.Errorf("pod %s has no log of app %q: %w", p.UUID, o.App, errdefs.ErrNotFound)
		}
		apps = []string{o.App}
	}
	w := &logWriter{o: o, prefix: len(apps) > 1}
	var tails []*logTail
	var recs []logRecord
	for _, app := range apps {
		t := &logTail{app: app}
		rs, err := t.readAll(p.Path())
		if err != nil {
			return err
		}
		recs = append(recs, rs...)
		tails = append(tails, t)
	}
	lines := joinLines(recs)
	if o.Tail >= 0 && len(lines) > o.Tail {
		lines = lines[len(lines)-o.Tail:]
	}
	for _, l := range lines {
		if err := w.piece(l.app, l.stderr, l.content); err != nil {
			return err
		}
	}
	if !o.Follow {
		return nil
	}
	return r.follow(ctx, p, tails, w)
}

// follow prints new records until the pod stops running; after that it
// reads once more, so nothing written before the end is missed.
func (r *Runtime) follow(ctx context.Context, p *pod.Pod, tails []*logTail, w *logWriter) error {
	for {
		running := false
		if q, err := r.pods.Get(p.UUID); err == nil {
			p = q // gc may have moved it to another state dir
			st, err := p.State()
			running = err == nil && st == pod.Running
		}
		for _, t := range tails {
			recs, err := t.readNew(p.Path())
			if err != nil {
				return err
			}
			for _, rec := range recs {
				content := rec.content
				if rec.full {
					content = append(content, '\n')
				}
				if err := w.piece(rec.app, rec.stderr, content); err != nil {
					return err
				}
			}
		}
		if !running {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(followPoll):
		}
	}
}

// logTail reads one app's log and remembers where it stopped.
type logTail struct {
	app    string
	ino    uint64 // of the file read last
	offset int64
}

// readAll reads the rotated file, then the current one.
func (t *logTail) readAll(podDir string) ([]logRecord, error) {
	old, _, _, err := readLogFrom(logPath(podDir, t.app)+".1", 0)
	if err != nil {
		return nil, err
	}
	recs, ino, off, err := readLogFrom(logPath(podDir, t.app), 0)
	if err != nil {
		return nil, err
	}
	t.ino, t.offset = ino, off
	return append(parsed(old, t.app), parsed(recs, t.app)...), nil
}

// readNew reads what was appended since the last read; when the file was
// rotated, first the rest of the old one (now NAME.1).
func (t *logTail) readNew(podDir string) ([]logRecord, error) {
	path := logPath(podDir, t.app)
	var out []logRecord
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err == nil && st.Ino != t.ino {
		var old syscall.Stat_t
		if syscall.Stat(path+".1", &old) == nil && old.Ino == t.ino {
			b, _, _, err := readLogFrom(path+".1", t.offset)
			if err != nil {
				return nil, err
			}
			out = parsed(b, t.app)
		}
		t.ino, t.offset = st.Ino, 0
	}
	b, ino, off, err := readLogFrom(path, t.offset)
	if err != nil {
		return nil, err
	}
	if ino != 0 {
		t.ino, t.offset = ino, off
	}
	return append(out, parsed(b, t.app)...), nil
}

func parsed(b []byte, app string) []logRecord {
	recs, _ := parseRecords(b, app)
	return recs
}

// readLogFrom reads a log file's complete records from offset on. It
// returns them, the file's inode and the offset after them; a missing
// file is empty.
func readLogFrom(path string, offset int64) ([]byte, uint64, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, offset, nil
	}
	if err != nil {
		return nil, 0, offset, err
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return nil, 0, offset, err
	}
	b, err := io.ReadAll(io.NewSectionReader(f, offset, st.Size-offset))
	if err != nil {
		return nil, 0, offset, err
	}
	_, used := parseRecords(b, "")
	return b[:used], st.Ino, offset + int64(used), nil
}

// logWriter writes lines to the right stream, prefixed by the app's name
// when several apps are shown.
type logWriter struct {
	o      LogsOptions
	prefix bool
	open   map[[2]any]bool // a stream whose last piece did not end its line
}

func (w *logWriter) piece(app string, stderr bool, content []byte) error {
	out := w.o.Stdout
	if stderr {
		out = w.o.Stderr
	}
	k := [2]any{app, stderr}
	if w.prefix && !w.open[k] {
		content = append([]byte(app+": "), content...)
	}
	if w.open == nil {
		w.open = map[[2]any]bool{}
	}
	w.open[k] = len(content) > 0 && content[len(content)-1] != '\n'
	_, err := out.Write(content)
	return err
}
