//go:build !linux

package main

// openUDPSockets returns -1: only Linux tells (in /proc).
func openUDPSockets() int { return -1 }
