//go:build !linux

package encap

import "net"

// newBatchIO returns nil: outside Linux, x/net's ReadBatch and WriteBatch
// move a single message per call (Windows: none), so batching would only
// add overhead.
func newBatchIO(*net.UDPConn, ioOptions) (packetIO, ioShape) { return nil, ioShape{} }
