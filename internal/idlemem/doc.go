// Package idlemem measures what an idle association costs a server, the
// same way for the stack, the perf server and the registrar: heap and
// goroutine stacks in use after a full collection, divided by the number
// of associations. The peers are played by a raw client on one UDP socket
// that keeps no state beyond a few numbers per association (and answers
// heartbeats, as a live but quiet peer does), so that only the server
// side is counted: its associations, its endpoint's demux
// entries, the upper layer's state and every goroutine it runs for them.
package idlemem
