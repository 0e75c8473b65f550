// A program of another module that uses only mobisctp's public API; the
// test in internal/apitest builds and runs it with the replace below.
module example.com/publicapi

go 1.26.0

require github.com/mobisctp/mobisctp v0.0.0

require (
	github.com/gopacket/gopacket v1.7.7 // indirect
	github.com/pion/logging v0.2.4 // indirect
	github.com/pion/transport/v5 v5.1.5 // indirect
	github.com/wlynxg/anet v0.0.5 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/mobisctp/mobisctp => ../..
