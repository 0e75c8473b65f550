package main

import (
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

// The receiver counts datagrams up to the first empty one, which ends the
// wait; what follows the end marker is not counted.
func TestReceiverEndMarker(t *testing.T) {
	rx := newReceiver()
	data := func(n int) encap.Datagram { return encap.Datagram{Data: make([]byte, n)} }
	rx.handle([]encap.Datagram{data(1000), data(1000)})
	rx.handle([]encap.Datagram{data(500), {}, data(1000)})
	rx.handle([]encap.Datagram{{}}) // a second end marker changes nothing
	r := rx.wait(time.Hour)
	if r.Role != "server" || r.Messages != 3 || r.Bytes != 2500 {
		t.Errorf("result %+v, want 3 messages of 2500 bytes", r)
	}
}

// Without an end marker the wait ends once nothing new arrived for idle.
func TestReceiverIdle(t *testing.T) {
	rx := newReceiver()
	rx.handle([]encap.Datagram{{Data: make([]byte, 10)}})
	if r := rx.wait(time.Millisecond); r.Messages != 1 || r.Bytes != 10 {
		t.Errorf("result %+v, want 1 message of 10 bytes", r)
	}
}
