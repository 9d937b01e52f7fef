package ahead

import (
	"errors"
	"testing"
)

func TestRunReturnsTheSameResultToEveryCaller(t *testing.T) {
	calls := 0
	release := make(chan struct{})
	get := Run(func() (int, error) {
		<-release // the caller goes on while f runs
		calls++
		return 7, nil
	})
	close(release)
	for range 3 {
		if v, err := get(); v != 7 || err != nil {
			t.Fatalf("got %d, %v", v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("f ran %d times", calls)
	}
}

func TestRunPassesTheError(t *testing.T) {
	boom := errors.New("boom")
	if _, err := Run(func() (string, error) { return "", boom })(); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
}
