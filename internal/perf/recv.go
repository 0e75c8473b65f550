package perf

import (
	"context"
	"errors"
	"io"

	"github.com/mobisctp/mobisctp/stack"
)

// recvBufSize is the read buffer of an association; longer messages are
// read in parts.
const recvBufSize = 64 << 10

// readAll reads a's messages until the peer has shut down and everything
// was read, handing every part to fn. It returns nil after the peer's
// shutdown or ours, and the association's error when it ended otherwise.
func readAll(a *stack.Association, fn func(part []byte, info stack.RecvInfo)) error {
	buf := make([]byte, recvBufSize)
	for {
		// No deadline: reading ends with the association, which the
		// caller shuts down when the run is stopped.
		n, info, err := a.RecvMsg(context.Background(), buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		fn(buf[:n], info)
	}
}
