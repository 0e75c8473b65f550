package fuzz

// Seed scripts: the attacks of issue 9, written in the script encoding of
// world.step, for the fuzzer to mutate.

// Script encoding of one action, byte by byte: kind (7: sleep, then a
// byte of 100 ms units), source (0 own, 1 spoofed, 2 the client's address,
// 3 the server's), target (0 server, 1 client), SCTP source port choice
// (0 attacker's, 1 client's, 2 server's, 3 four bytes follow), tag choice
// (0 guessed, 1 sniffed, 2 of the attacker's INIT ACKs) and four bytes of
// guess, then what the kind needs.
const (
	kInit, kEcho, kAbort, kShutdown, kData, kHeartbeat, kRaw, kSleep = 0, 1, 2, 3, 4, 5, 6, 7
	fromOwn, fromSpoofed, fromClient, fromServer                     = 0, 1, 2, 3
	toServer, toClient                                               = 0, 1
	portAtk, portCli, portSrv                                        = 0, 1, 2
	tagGuess, tagSniffed, tagOwn                                     = 0, 1, 2
)

// act encodes one action with a zero guess.
func act(kind, src, target, port, tag byte, args ...byte) []byte {
	return append([]byte{kind, src, target, port, tag, 0, 0, 0, 0}, args...)
}

func seq(acts ...[]byte) []byte {
	var out []byte
	for _, a := range acts {
		out = append(out, a...)
	}
	return out
}

// initArgs: tag, initial TSN, which addresses to list (bit 0 server, 1
// client, 2 spoofed, 3 attacker).
func initArgs(list byte) []byte { return []byte{0, 0, 0, 7, 0, 0, 0, 1, list} }

func seedScripts() [][]byte {
	sleep := []byte{kSleep, 10}
	return [][]byte{
		// Obtain a cookie, then echo it from elsewhere (issue 9 finding 1).
		seq(act(kInit, fromOwn, toServer, portAtk, tagGuess, initArgs(0)...), sleep,
			act(kEcho, fromSpoofed, toServer, portAtk, tagOwn, 1, 0, 0),
			act(kEcho, fromClient, toServer, portAtk, tagOwn, 1, 0, 0),
			act(kEcho, fromOwn, toServer, portCli, tagOwn, 1, 0, 0),
			act(kEcho, fromOwn, toServer, portAtk, tagOwn, 1, 0, 0)),
		// Replay the client's sniffed COOKIE ECHO from elsewhere.
		seq(act(kEcho, fromSpoofed, toServer, portCli, tagSniffed, 0, 0, 0),
			act(kEcho, fromClient, toServer, portCli, tagSniffed, 0, 0, 0),
			act(kEcho, fromOwn, toServer, portAtk, tagSniffed, 0, 1, 0)),
		// ABORT and SHUTDOWN COMPLETE with sniffed tags from a foreign
		// address (finding 6), both ways, with and without the T bit.
		seq(act(kAbort, fromSpoofed, toServer, portCli, tagSniffed, 0),
			act(kAbort, fromSpoofed, toServer, portCli, tagSniffed, 1),
			act(kAbort, fromOwn, toClient, portSrv, tagSniffed, 0),
			act(kShutdown, fromSpoofed, toServer, portCli, tagSniffed, 0, 0, 0, 0, 1, 2),
			act(kShutdown, fromOwn, toClient, portSrv, tagSniffed, 0, 0, 0, 0, 0, 0)),
		// An INIT that lists the client's address, then its cookie echoed
		// from there.
		seq(act(kInit, fromOwn, toServer, portCli, tagGuess, initArgs(2)...),
			act(kInit, fromOwn, toServer, portAtk, tagGuess, initArgs(2|8)...), sleep,
			act(kEcho, fromClient, toServer, portAtk, tagOwn, 1, 0, 0),
			act(kEcho, fromClient, toServer, portCli, tagOwn, 1, 1, 0)),
		// A restart INIT from the client's own address: its answer goes
		// where the attacker cannot see it.
		seq(act(kInit, fromClient, toServer, portCli, tagGuess, initArgs(0)...), sleep,
			act(kEcho, fromClient, toServer, portCli, tagOwn, 1, 0, 0)),
		// DATA and HEARTBEAT with guessed and sniffed tags.
		seq(act(kData, fromClient, toServer, portCli, tagGuess, 0, 0, 0, 9),
			act(kData, fromSpoofed, toServer, portCli, tagSniffed, 0, 0, 0, 9),
			act(kHeartbeat, fromOwn, toClient, portSrv, tagSniffed, 1, 2, 3, 4, 5, 6, 7, 8)),
	}
}

// registrarSeeds are the registrar attacks of issue 9: a spoofed COOKIE
// ECHO followed by an ASAP Registration moving the victim (finding 1), and
// registrations and deregistrations with sniffed tags from foreign
// addresses; the attacker's own association registers an element of its
// own.
func registrarSeeds() [][]byte {
	sleep := []byte{kSleep, 10}
	data := func(src, port, tag, asapChoice byte) []byte {
		return act(kData, src, toServer, port, tag, 0, 0, 0, 1, asapChoice)
	}
	return [][]byte{
		seq(act(kInit, fromOwn, toServer, portAtk, tagGuess, initArgs(0)...), sleep,
			act(kEcho, fromSpoofed, toServer, portAtk, tagOwn, 1, 0, 0),
			data(fromSpoofed, portAtk, tagOwn, 0),
			data(fromSpoofed, portAtk, tagOwn, 1)),
		seq(data(fromSpoofed, portCli, tagSniffed, 0),
			data(fromSpoofed, portCli, tagSniffed, 1),
			data(fromClient, portCli, tagGuess, 1)),
		seq(act(kInit, fromOwn, toServer, portAtk, tagGuess, initArgs(0)...), sleep,
			act(kEcho, fromOwn, toServer, portAtk, tagOwn, 1, 0, 0), sleep,
			data(fromOwn, portAtk, tagOwn, 2), sleep),
	}
}
