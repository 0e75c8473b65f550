// Package interop tests mobisctp against independent SCTP implementations
// that run on the test machine. It has no code of its own besides this
// comment: everything is in its tests.
//
// The cases, each one association carrying at least 10 MiB:
//   - TestUsrsctpDiscardServer, TestUsrsctpEchoServer: our client against
//     usrsctp's discard_server (SCTP port 9), whose report of what it read
//     is checked, and echo_server (port 7), whose echo must equal what we
//     sent (SHA-256 and message by message);
//   - TestUsrsctpMultiHomedServer: echo_server again, bound to the
//     wildcard in a namespace with three loopback addresses, which it all
//     lists; our client must confirm each as a path by heartbeat during
//     the transfer and end with all three active;
//   - TestUsrsctpClient, TestUsrsctpTsctp: usrsctp's client, fed numbered
//     text lines on its standard input, and tsctp in client mode against
//     our server, checked line by line and against tsctp's summary;
//   - TestPionClient, TestPionServer: pion/sctp in-process over UDP on
//     loopback, in both roles, checked with SHA-256.
//
// Two more cases test SCTP-AUTH (RFC 4895) and Dynamic Address
// Reconfiguration (RFC 5061) against a small usrsctp program of ours,
// testdata/asconf_driver.c, which the tests build with gcc against
// libusrsctp (package libusrsctp-dev). Both ends start bound to 127.0.0.1
// only; one adds 127.0.0.2 with an ASCONF (Add IP Address), then asks the
// other to send there (Set Primary Address), with data before and after:
//   - TestUsrsctpSendsASCONF: the driver as client does it to our server,
//     which must add the path, confirm it by heartbeat, make it primary
//     and receive every message intact;
//   - TestUsrsctpReceivesASCONF: our client does it to the driver as
//     server, which must acknowledge both requests, confirm the address
//     and receive every message intact.
//
// Besides the checks below, every ASCONF and ASCONF-ACK of their captures
// must follow an AUTH chunk whose HMAC verifies, with the association key
// derived anew from the INIT and INIT ACK in the capture.
//
// The usrsctp programs are Debian's libusrsctp-examples in /usr/lib/usrsctp.
// Bound to the wildcard address, they list every address of the host in
// their INIT and INIT ACK, so they run, with our endpoint, in a private
// network namespace that the test creates and that has only a loopback
// interface; this needs root.
//
// Every case ends with the SHUTDOWN exchange, started by whichever side
// sent the data (all the peers support it), and must end cleanly on our
// side: no error, no ABORT, a shutdown-complete event. Then tshark decodes
// the capture of everything our endpoint sent and received (its Tap): no
// malformed frame, no expert error, a good CRC32c on every packet both ways
// (no peer sent a zero checksum, so our endpoint does not accept them), and
// INIT, INIT ACK, COOKIE ECHO, COOKIE ACK, DATA or I-DATA, SACK, SHUTDOWN,
// SHUTDOWN ACK and SHUTDOWN COMPLETE in the expected directions. The speed
// of each transfer and how many DATA packets each SACK acknowledged are
// logged, never asserted.
//
// Two peer limitations are worked around, and explained where it is done:
// usrsctp's client drops input lines when its send queue is full, and
// pion/sctp refuses an INIT carrying the Supported Address Types parameter.
//
// Locally a missing program, tshark or privilege skips a test; in CI
// (CI=true) it fails. Each test writes the capture (ours.pcapng) and the
// peer program's output (NAME.out) into its artifact directory, and logs
// the end of that output if it fails. To keep the files:
//
//	mkdir -p /tmp/interop
//	go test ./interop -run TestUsrsctpEchoServer -v -artifacts -outputdir /tmp/interop
package interop
