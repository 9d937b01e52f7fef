package tests

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestStoreConcurrentProcesses: 8 saturn processes fetch, render and remove
// the same images at once. None may fail except with "not found" (an rm
// that lost the race), never with a lock or a corrupt store; image verify
// then passes on whatever remains.
func TestStoreConcurrentProcesses(t *testing.T) {
	e := newEnv(t)
	var acis []string
	for i := range 3 {
		name := fmt.Sprintf("example.com/c%d", i)
		acis = append(acis, storeBuild(t, e, storeRootfs(t, 200, 20000, name), name))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				n := (w + i) % 3
				name := fmt.Sprintf("example.com/c%d", n)
				for _, args := range [][]string{
					{"fetch", acis[n]},
					{"image", "tree", name},
					{"image", "rm", name},
					{"image", "gc", "--grace-period=1h"},
				} {
					if args[1] == "rm" && (w+i)%2 == 0 {
						continue // leave some images behind
					}
					r := e.run(args...)
					if r.code != 0 && !strings.Contains(r.stderr, "not found") {
						errs <- fmt.Sprintf("worker %d: saturn %s: exit %d: %s", w, strings.Join(args, " "), r.code, r.stderr)
					}
					if strings.Contains(r.stderr, "lock") {
						errs <- fmt.Sprintf("worker %d: lock error: %s", w, r.stderr)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	// Make sure something remains, then check everything there.
	e.ok("fetch", acis[0])
	e.ok("image", "tree", "example.com/c0")
	for _, line := range strings.Split(strings.TrimSpace(e.ok("image", "list", "--no-legend", "--full")), "\n") {
		id := strings.Fields(line)[0]
		if out := e.ok("image", "verify", id); !strings.Contains(out, ": ok") {
			t.Errorf("verify %s: %s", id, out)
		}
	}
	if tmp := storeEntries(e, "tmp"); len(tmp) > 0 {
		t.Errorf("tmp left: %v", tmp)
	}
}
