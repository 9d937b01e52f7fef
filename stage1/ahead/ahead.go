// Package ahead runs a step of a start beside the chain of steps that each
// wait on the one before. Stage1 init and the pod init are such chains: a
// step that needs nothing of the chain runs ahead, on a goroutine, and the
// step that needs its result waits for it.
package ahead

import "sync"

// Run runs f on a goroutine of its own at once; the function returned
// waits for f and returns what it returned, as often as it is called.
func Run[T any](f func() (T, error)) func() (T, error) {
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
