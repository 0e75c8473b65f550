// Package serial implements serial number arithmetic (RFC 1982) for the
// 32-bit TSNs and serials and the 16-bit stream sequence numbers of SCTP.
package serial

// Less32 reports whether a precedes b in 32-bit serial arithmetic.
func Less32(a, b uint32) bool { return a != b && b-a < 1<<31 }

// LessEq32 reports whether a precedes or equals b.
func LessEq32(a, b uint32) bool { return b-a < 1<<31 }

// Max32 returns the later of a and b.
func Max32(a, b uint32) uint32 {
	if Less32(a, b) {
		return b
	}
	return a
}

// Less16 reports whether a precedes b in 16-bit serial arithmetic.
func Less16(a, b uint16) bool { return a != b && b-a < 1<<15 }

// LessEq16 reports whether a precedes or equals b.
func LessEq16(a, b uint16) bool { return b-a < 1<<15 }
