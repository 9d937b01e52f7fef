// Package tests holds saturn's functional tests. They drive the built
// bin/saturn as a user would, against a throwaway data directory, and assert
// on what a probe program inside the pod reports. Run them with `make test`
// (as root): the Makefile builds the binaries and images they use first.
package tests
