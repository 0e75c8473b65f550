package stack

// Who runs an association's rounds. The state belongs to whichever
// goroutine holds the association's token, and exactly one does while a
// round runs; between rounds nobody does, and no goroutine waits for the
// association. Whoever brings work takes the token if it is free and
// runs the round itself, on the goroutine that already holds the packet
// or the call: the socket reader (demux.go), SendMsg, an API call that
// waits for the round anyway (exec), the timer. A request and its answer
// then cost no goroutine hand-off inside the stack. If the token is held,
// the work is queued and its holder runs one more round before it lets
// go. Callers that must not run a round themselves (they hold a lock the
// round may need, or are inside another association's round) use signal,
// which starts a goroutine for it instead.
//
// A round never blocks: what an application does not read stays in the
// receive queue and closes the peer's window, so a socket reader running
// rounds is never held up by an application.

const (
	ownFree  int32 = iota // no round runs: the next caller with work runs one
	ownBusy               // a round runs
	ownAgain              // a round runs, and work came meanwhile: one more follows
	ownEnded              // the association has ended: no round runs again
)

// poke runs a round on the caller's goroutine, or has the goroutine that
// runs one run another.
func (a *Association) poke() {
	if a.claim() {
		a.rounds()
	}
}

// signal is poke with the round on a new goroutine; it never blocks.
func (a *Association) signal() {
	if a.claim() {
		go a.rounds()
	}
}

// claim takes the token and returns true if it is free; otherwise it
// makes its holder run one more round.
func (a *Association) claim() bool {
	for {
		switch a.own.Load() {
		case ownFree:
			if a.own.CompareAndSwap(ownFree, ownBusy) {
				return true
			}
		case ownBusy:
			if a.own.CompareAndSwap(ownBusy, ownAgain) {
				return false
			}
		default:
			return false
		}
	}
}

// rounds runs rounds while work keeps coming, then lets go of the token.
// Work queued before a round starts is that round's; work queued after
// sets ownAgain, which the release below fails on.
func (a *Association) rounds() {
	for {
		a.own.Store(ownBusy)
		if !a.round() {
			a.own.Store(ownEnded)
			a.notifyRecv()
			return
		}
		if a.own.CompareAndSwap(ownBusy, ownFree) {
			a.notifyRecv()
			return
		}
	}
}

// notifyRecv calls the OnRecv hook if a round queued messages or ended
// the association since the last call. It runs after the token is let go,
// so that the hook may read and answer at once on this goroutine: a
// registrar answers a request on the socket reader that brought it.
func (a *Association) notifyRecv() {
	if a.recvDue.Load() && a.recvDue.Swap(false) {
		(*a.onRecv.Load())()
	}
}
