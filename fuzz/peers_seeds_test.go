package fuzz

// Seed scripts of FuzzRegistrarPeers: the cases of issue 12, in the step
// encoding of peerWorld.step, after a setup byte.

const peerChain, peerMesh = 0, 1

func peerSeeds() [][]byte {
	reg := func(pool, first byte) []byte { return []byte{peerRegister, pool, first} }
	wait := func(n byte) []byte { return []byte{peerWait, n} }
	four := seq(reg(0, 0), reg(1, 1), reg(0, 2), reg(1, 0), wait(30))
	return [][]byte{
		// Registrations everywhere, then one element leaves gracefully
		// and one crashes.
		seq([]byte{peerMesh}, four, []byte{peerDeregister, 0}, []byte{peerCrash, 1}, wait(50)),
		// A registrar is killed: its peers take its elements over, and
		// the elements move on; later it restarts empty.
		seq([]byte{peerChain}, four, []byte{peerKill, 0}, wait(200), []byte{peerRestart, 0}, wait(50)),
		// Registrar 3 is cut off with element 0 (bits 2 and 3), both
		// sides take over, an element crashes on the far side, then the
		// network heals.
		seq([]byte{peerMesh}, four, []byte{peerPartition, 0, 0x0c}, wait(250), []byte{peerCrash, 2}, reg(1, 2), wait(100), []byte{peerHeal}),
		seq([]byte{peerChain}, four, []byte{peerPartition, 0, 0x0c}, wait(250), []byte{peerHeal}, wait(20)),
		// Every registrar restarts in turn while elements come and go.
		seq([]byte{peerMesh}, reg(0, 0), []byte{peerRestart, 0}, reg(1, 0), []byte{peerRestart, 1}, wait(30),
			[]byte{peerRestart, 2}, []byte{peerCrash, 0}, wait(30), reg(0, 1)),
		// A registrar comes back as a new one (new server ID): its old
		// elements must be taken over, under loss.
		seq([]byte{peerMesh}, four, []byte{peerRestart, 0x80}, wait(200)),
		seq([]byte{peerChain}, []byte{peerLoss, 3}, four, []byte{peerRestart, 0x81}, []byte{peerCrash, 3}, wait(100), []byte{peerLoss, 5}, wait(100)),
		// All registrars die; the elements wait for the one that returns.
		seq([]byte{peerChain}, four, []byte{peerKill, 0}, []byte{peerKill, 1}, []byte{peerKill, 2}, wait(100), []byte{peerDeregister, 1}),
	}
}
