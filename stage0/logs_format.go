package stage0

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The apps' logs that saturn's default stage1 keeps in the pod dir
// (package stage1/applog; Documentation/systemd.md): logs/<app>.log and,
// once that reached its size limit, logs/<app>.log.1, each a sequence of
// records "TIME STREAM TAG CONTENT\n" (the CRI container log format): TIME
// RFC 3339 with nanoseconds, STREAM stdout or stderr, TAG F for a record
// that ends a line, P for a piece of a line that the stream's next record
// continues.
const (
	logsDir    = "logs"
	logsSuffix = ".log"
)

// logRecord is one record of an app's log.
type logRecord struct {
	time    time.Time
	app     string
	stderr  bool
	full    bool // F: the content ends a line
	content []byte
}

// parseRecords parses the complete records in b (up to its last newline)
// and returns how many bytes they took.
func parseRecords(b []byte, app string) ([]logRecord, int) {
	var out []logRecord
	used := 0
	for {
		i := bytes.IndexByte(b[used:], '\n')
		if i < 0 {
			return out, used
		}
		line := b[used : used+i]
		used += i + 1
		if r, ok := parseRecord(line, app); ok {
			out = append(out, r)
		}
	}
}

func parseRecord(line []byte, app string) (logRecord, bool) {
	f := bytes.SplitN(line, []byte{' '}, 4)
	if len(f) < 3 {
		return logRecord{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(f[0]))
	if err != nil {
		return logRecord{}, false
	}
	r := logRecord{time: t, app: app, stderr: string(f[1]) == "stderr", full: string(f[2]) == "F"}
	if len(f) == 4 {
		r.content = f[3]
	}
	return r, true
}

// logLine is a whole line (or the unfinished end of a stream) made of records.
type logLine struct {
	time    time.Time
	app     string
	stderr  bool
	content []byte // with its newline, if it has one
}

// joinLines joins each stream's pieces into lines.
func joinLines(recs []logRecord) []logLine {
	var out []logLine
	pending := map[[2]any]*logLine{}
	for _, r := range recs {
		k := [2]any{r.app, r.stderr}
		l := pending[k]
		if l == nil {
			l = &logLine{time: r.time, app: r.app, stderr: r.stderr}
			pending[k] = l
		}
		l.content = append(l.content, r.content...)
		if r.full {
			l.content = append(l.content, '\n')
			out = append(out, *l)
			delete(pending, k)
		}
	}
	for _, l := range pending {
		out = append(out, *l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].time.Before(out[j].time) })
	return out
}

// logApps lists the apps with a log in a pod dir, sorted.
func logApps(podDir string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(podDir, logsDir))
	if err != nil {
		return nil, err
	}
	var apps []string
	for _, e := range ents {
		if app, ok := strings.CutSuffix(e.Name(), logsSuffix); ok && e.Type().IsRegular() {
			apps = append(apps, app)
		}
	}
	sort.Strings(apps)
	return apps, nil
}

// logPath is an app's current log file.
func logPath(podDir, app string) string {
	return filepath.Join(podDir, logsDir, app+logsSuffix)
}
