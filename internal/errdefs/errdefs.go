// Package errdefs holds the few sentinel error kinds every saturn library
// wraps its errors around, so callers (the CLI, embedders) can tell a missing
// image from a pod in the wrong state with errors.Is, whatever the message.
package errdefs

import "errors"

var (
	// ErrNotFound: the named image, pod, app or file does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAmbiguous: a prefix or name matches more than one object.
	ErrAmbiguous = errors.New("ambiguous")
	// ErrAlreadyExists: the object to create is there already.
	ErrAlreadyExists = errors.New("already exists")
	// ErrWrongState: the pod (or image) is not in a state that allows the operation.
	ErrWrongState = errors.New("wrong state")
	// ErrInvalid: the input (flag, manifest, archive) is malformed or hostile.
	ErrInvalid = errors.New("invalid input")
	// ErrBusy: another process holds the lock the operation needs.
	ErrBusy = errors.New("busy")
)
