// Command store-bench times saturn's fetch + render of a large image (about
// 200 MB in 15,000 files by default) against the floor for the same work
// with standard tools, `sha512sum` + `tar -x` of the same tar on the same
// disk, and prints the ratio. Run it through `make bench` (as root).
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/saturnpod/saturn/bench/internal/benchutil"
	"github.com/saturnpod/saturn/store/aci"
)

func main() {
	saturn := flag.String("saturn", "bin/saturn", "saturn binary")
	work := flag.String("dir", "", "work directory (default: a new one under /var/tmp)")
	files := flag.Int("files", 15000, "files in the image")
	size := flag.Int64("size", 200<<20, "total bytes of file data")
	runs := flag.Int("runs", 3, "runs of each side; the median is reported")
	flag.Parse()
	benchutil.Exit("store-bench", run(*saturn, *work, *files, *size, *runs))
}

func run(saturn, work string, files int, size int64, runs int) error {
	saturn, err := filepath.Abs(saturn)
	if err != nil {
		return err
	}
	if work == "" {
		if work, err = benchutil.TempDir("saturn-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	}
	src := filepath.Join(work, "src")
	if err := generate(src, files, size); err != nil {
		return err
	}
	img := filepath.Join(work, "image.aci")
	m := []byte(`{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bench"}`)
	if err := aci.BuildFile(src, m, img); err != nil {
		return err
	}
	// Nothing is deleted until the end: on ext4 with discard, creating files
	// right after a large deletion is several times slower, for both sides.
	fi, err := os.Stat(img)
	if err != nil {
		return err
	}
	fmt.Printf("image: %d files, %.0f MB tar\n", files, float64(fi.Size())/1e6)

	var ours, theirs, durable []time.Duration
	for i := range runs {
		data := filepath.Join(work, fmt.Sprint("data", i))
		d, err := timed(func() error {
			out, err := exec.Command(saturn, "--dir="+data, "fetch", img).Output()
			if err != nil {
				return fmt.Errorf("fetch: %w", err)
			}
			return exec.Command(saturn, "--dir="+data, "image", "tree", strings.TrimSpace(string(out))).Run()
		})
		if err != nil {
			return err
		}
		ours = append(ours, d)

		dest := filepath.Join(work, fmt.Sprint("tar", i))
		d, err = timed(func() error {
			if err := exec.Command("sha512sum", img).Run(); err != nil {
				return fmt.Errorf("sha512sum: %w", err)
			}
			if err := os.Mkdir(dest, 0o755); err != nil {
				return err
			}
			return exec.Command("tar", "-x", "-f", img, "-C", dest).Run()
		})
		if err != nil {
			return err
		}
		theirs = append(theirs, d)

		// saturn syncs a tree to disk before marking it complete (a
		// power loss must not leave a damaged tree that looks whole), so
		// also time the floor with the same durability.
		dest = filepath.Join(work, fmt.Sprint("tarsync", i))
		d, err = timed(func() error {
			if err := exec.Command("sha512sum", img).Run(); err != nil {
				return fmt.Errorf("sha512sum: %w", err)
			}
			if err := os.Mkdir(dest, 0o755); err != nil {
				return err
			}
			if err := exec.Command("tar", "-x", "-f", img, "-C", dest).Run(); err != nil {
				return err
			}
			return exec.Command("sync", "-f", dest).Run()
		})
		if err != nil {
			return err
		}
		durable = append(durable, d)
		fmt.Printf("run %d: saturn %v, sha512sum+tar %v, sha512sum+tar+sync %v\n", i+1,
			ours[i].Round(time.Millisecond), theirs[i].Round(time.Millisecond), d.Round(time.Millisecond))
	}
	o, t, ds := benchutil.Median(ours), benchutil.Median(theirs), benchutil.Median(durable)
	fmt.Printf("saturn fetch + render:        %v\n", o.Round(time.Millisecond))
	fmt.Printf("sha512sum + tar -x:           %v\n", t.Round(time.Millisecond))
	fmt.Printf("sha512sum + tar -x + sync -f: %v\n", ds.Round(time.Millisecond))
	fmt.Printf("ratio: %.2f (goal: within 1.30); against the synced floor: %.2f\n", float64(o)/float64(t), float64(o)/float64(ds))
	return nil
}

func timed(f func() error) (time.Duration, error) {
	exec.Command("sync").Run()
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// generate writes files pseudo-random files totalling about size bytes in
// a tree of directories: mostly small files, a few large ones, as in a
// real root filesystem. The content is incompressible and deterministic.
func generate(dir string, files int, size int64) error {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := make([]int64, files)
	var total int64
	for i := range sizes {
		sizes[i] = int64(rng.ExpFloat64() * float64(size) / float64(files))
		total += sizes[i]
	}
	buf := make([]byte, 4<<20)
	for i := range buf {
		buf[i] = byte(rng.Uint32())
	}
	for i, n := range sizes {
		n = n * size / max(total, 1)
		// About 30 files per directory, 10 directories per top one.
		p := filepath.Join(dir, fmt.Sprintf("d%02d/s%03d/f%05d", i/300, i/30, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		for n > 0 {
			off := rng.IntN(len(buf) / 2)
			k := min(n, int64(len(buf)-off))
			if _, err := f.Write(buf[off : off+int(k)]); err != nil {
				f.Close()
				return err
			}
			n -= k
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
