package memtrim

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// exeRss sums the resident kB of this binary's read-only mappings.
func exeRss(t *testing.T) int {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	total, ours := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			ours = len(fields) >= 6 && fields[5] == exe && !strings.Contains(fields[1], "w")
			continue
		}
		if ours && len(fields) >= 2 && fields[0] == "Rss:" {
			n, _ := strconv.Atoi(fields[1])
			total += n
		}
	}
	return total
}

// Trim unmaps the binary's code and read-only data that setup touched;
// the process runs on, faulting back what it uses.
func TestTrim(t *testing.T) {
	before := exeRss(t)
	Trim()
	after := exeRss(t)
	if before == 0 || after >= before {
		t.Errorf("resident code and rodata: %d kB before Trim, %d kB after", before, after)
	}
	t.Logf("resident code and rodata: %d kB before Trim, %d kB after", before, after)
}
