package perf

import (
	"context"
	"errors"
	"io"

	"github.com/mobisctp/mobisctp/stack"
)

// readAll reads a's messages until the peer has shut down and everything
// was read, handing each to fn where it lies in the association's memory
// (RecvMsgFunc): fn must not keep it. Reading in place spares a copy of
// every byte, as a receiver of raw UDP that reads into its own buffer has
// none, and an idle association holds no read buffer. It returns nil after
// the peer's shutdown or ours, and the association's error when it ended
// otherwise.
func readAll(a *stack.Association, fn func(msg []byte, info stack.RecvInfo)) error {
	for {
		// No deadline: reading ends with the association, which the
		// caller shuts down when the run is stopped.
		if err := a.RecvMsgFunc(context.Background(), fn); err != nil {
			return ended(err)
		}
	}
}

// ended turns the error that ended reading into readAll's result.
func ended(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
