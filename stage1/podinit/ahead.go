package podinit

import "sync"

// ahead runs f on a goroutine of its own at once; the function returned
// waits for f and returns what it returned, as often as it is called. The
// pod init's start is a chain of steps, each waiting on the one before;
// a step that needs nothing of them runs ahead, beside the chain.
func ahead[T any](f func() (T, error)) func() (T, error) {
	type result struct {
		v   T
		err error
	}
	c := make(chan result, 1)
	go func() {
		v, err := f()
		c <- result{v, err}
	}()
	return sync.OnceValues(func() (T, error) {
		r := <-c
		return r.v, r.err
	})
}
