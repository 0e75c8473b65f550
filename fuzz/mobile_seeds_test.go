package fuzz

// Seed scripts of FuzzMobileNodes: the cases of issue 11, in the step
// encoding of mobileWorld.step, after a setup byte (mobSetup), and the
// same moves with session failover and a small resend buffer.

const (
	mobAsymmetric, mobSymmetric = 0, 1
	mobFailover                 = 2      // RecoverFailover
	mobBuffer4                  = 1 << 2 // a resend buffer of 4 messages
	dirAB, dirBA, dirBoth       = 0, 1, 2
)

// gapBreak encodes a break-before-make gap of n*200 ms; gapMake an
// overlap of n*200 ms.
func gapBreak(n byte) byte { return n << 1 }
func gapMake(n byte) byte  { return n<<1 | 1 }

func mobileSeeds() [][]byte {
	burst := func(dir, count, size byte) []byte { return []byte{mobBurst, dir, count, size} }
	wait := func(n byte) []byte { return []byte{mobWait, n} }
	return [][]byte{
		// Both move at once, break before make, while both send.
		seq([]byte{mobSymmetric}, burst(dirBoth, 15, 25), []byte{mobMoveAB, 1, 1, gapBreak(5)}, burst(dirBoth, 15, 200), wait(20)),
		seq([]byte{mobAsymmetric}, burst(dirBoth, 15, 25), []byte{mobMoveAB, 1, 1, gapBreak(5)}, burst(dirBoth, 15, 200), wait(20)),
		// Back and forth, one then the other, then make before break.
		seq([]byte{mobSymmetric}, burst(dirAB, 10, 100), []byte{mobMoveA, 2, gapBreak(2)}, burst(dirBA, 10, 100),
			[]byte{mobMoveB, 3, gapBreak(1)}, []byte{mobMoveA, 0, gapMake(3)}, []byte{mobMoveB, 0, gapMake(0)}, burst(dirBoth, 5, 10)),
		// The registrar restarts while both are moving.
		seq([]byte{mobSymmetric}, burst(dirBoth, 5, 50), []byte{mobRestart, 20}, []byte{mobMoveAB, 2, 2, gapBreak(3)}, burst(dirBoth, 5, 50)),
		seq([]byte{mobAsymmetric}, []byte{mobMoveAB, 3, 3, gapBreak(10)}, []byte{mobRestart, 5}, burst(dirBoth, 8, 255), wait(50)),
		// Lossy links with duplicates and reordering, then a move.
		seq([]byte{mobSymmetric}, []byte{mobLinks, 0x36, 0}, burst(dirBoth, 16, 100), []byte{mobMoveB, 1, gapBreak(4)},
			[]byte{mobLinks, 0x0a, 1}, burst(dirBoth, 16, 10), wait(30)),
		// A gap longer than the handover deadline: the association fails.
		seq([]byte{mobSymmetric}, burst(dirBoth, 4, 10), []byte{mobMoveAB, 1, 1, gapBreak(100)}, burst(dirBoth, 4, 10)),
		// The same with session failover: every loss of all paths is a
		// failover, the messages in flight are sent again.
		seq([]byte{mobSymmetric | mobFailover}, burst(dirBoth, 15, 25), []byte{mobMoveAB, 1, 1, gapBreak(5)}, burst(dirBoth, 15, 200), wait(20)),
		seq([]byte{mobAsymmetric | mobFailover}, []byte{mobLinks, 0x36, 0}, burst(dirBoth, 15, 100), []byte{mobMoveA, 2, gapBreak(3)}, wait(30)),
		// Sends that wait for room in a small resend buffer while the
		// Conn fails over, and while it re-attaches.
		seq([]byte{mobSymmetric | mobFailover | mobBuffer4}, burst(dirBoth, 15, 25), []byte{mobMoveAB, 1, 1, gapBreak(5)}, wait(20)),
		seq([]byte{mobAsymmetric | mobBuffer4}, burst(dirBoth, 15, 25), []byte{mobMoveAB, 1, 1, gapBreak(5)}, wait(20)),
	}
}
