//go:build !linux && !darwin && !freebsd && !windows

package encap

// dontFragment knows no option on this system.
func dontFragment(uintptr, bool) bool { return false }
