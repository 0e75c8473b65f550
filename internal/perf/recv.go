package perf

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/mobisctp/mobisctp/stack"
)

// A read that waits for the next message uses a small buffer of the
// association's own; the reads that follow it, which do not wait, borrow a
// full-size one from a pool while messages keep coming. So an idle
// association holds 2 KiB instead of 64, and a busy one still reads
// 64 KiB at a time. Longer messages are read in parts.
const (
	waitBufSize = 2 << 10
	recvBufSize = 64 << 10
)

var recvBufs = sync.Pool{New: func() any {
	b := make([]byte, recvBufSize)
	return &b
}}

// noWait is a done context: RecvMsg with it returns a queued message or
// the context's error at once.
var noWait = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// readAll reads a's messages until the peer has shut down and everything
// was read, handing every part to fn, which must not keep it. It returns
// nil after the peer's shutdown or ours, and the association's error when
// it ended otherwise.
func readAll(a *stack.Association, fn func(part []byte, info stack.RecvInfo)) error {
	small := make([]byte, waitBufSize)
	for {
		// No deadline: reading ends with the association, which the
		// caller shuts down when the run is stopped.
		n, info, err := a.RecvMsg(context.Background(), small)
		if err != nil {
			return ended(err)
		}
		fn(small[:n], info)
		if done, err := readQueued(a, fn); done {
			return err
		}
	}
}

// readQueued reads what is queued for a into a pooled buffer, without
// waiting; done reports that the association's reading has ended, with
// readAll's result.
func readQueued(a *stack.Association, fn func(part []byte, info stack.RecvInfo)) (done bool, err error) {
	bp := recvBufs.Get().(*[]byte)
	defer recvBufs.Put(bp)
	for {
		n, info, err := a.RecvMsg(noWait, *bp)
		if errors.Is(err, context.Canceled) {
			return false, nil // nothing more queued
		}
		if err != nil {
			return true, ended(err)
		}
		fn((*bp)[:n], info)
	}
}

// ended turns the error that ended reading into readAll's result.
func ended(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
