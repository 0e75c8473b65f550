//go:build mobisctp_portable

package encap

import (
	"net"
	"testing"
)

// TestPortablePath: with the tag, a UDP socket on Linux gets the plain
// path of macOS and Windows, without batch I/O or offload.
func TestPortablePath(t *testing.T) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if pio, _ := newBatchIO(c, ioOptions{batch: 8, offload: true}); pio != nil {
		t.Fatalf("batch I/O %T under mobisctp_portable", pio)
	}
}
