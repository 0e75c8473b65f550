package asap

// huntLock is a mutex made of a channel. Waiting on a channel is durable
// blocking for testing/synctest, waiting on a sync.Mutex is not: a
// Reregister that waits while the run loop hunts for a registrar must not
// stop virtual time.
type huntLock chan struct{}

func newHuntLock() huntLock { return make(huntLock, 1) }

func (l huntLock) Lock()   { l <- struct{}{} }
func (l huntLock) Unlock() { <-l }
