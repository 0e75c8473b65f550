//go:build !linux || mobisctp_portable

package encap

import "net"

// newBatchIO returns nil: outside Linux, x/net's ReadBatch and WriteBatch
// move a single message per call (Windows: none), so batching would only
// add overhead. The build tag mobisctp_portable selects this file on Linux
// too, so that the path of macOS and Windows (no recvmmsg/sendmmsg, no
// GSO or GRO) is tested there (make test-portable).
func newBatchIO(*net.UDPConn, ioOptions) (packetIO, ioShape) { return nil, ioShape{} }

// batchIO says whether this build reads and writes in batches.
const batchIO = false
