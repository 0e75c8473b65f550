//go:build !linux

package stack

import "testing"

// onOwnLoopback runs f on the host's loopback (see the Linux version).
func onOwnLoopback(t *testing.T, f func() error) error { return f() }
