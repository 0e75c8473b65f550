package wire

// Pool elements used by several message tests, each with its encoding
// written out by hand from the RFC 5354 diagrams.

// peA: an SCTP element with two IPv4 addresses and the Least Used policy.
var peA = PoolElement{
	ID:         0x11223344,
	HomeServer: 0x0a0b0c0d,
	RegLife:    30000,
	UserTransport: Transport{
		Type:  ParamSCTPTransport,
		Port:  7,
		Use:   DataPlusControl,
		Addrs: addrs("192.0.2.1", "198.51.100.2"),
	},
	Policy: Policy{Type: PolicyLeastUsed, Load: 0x80000000},
}

const peABytes = `
	00 0a 00 34              // Pool Element, length 52
	11 22 33 44              //   PE identifier
	0a 0b 0c 0d              //   home ENRP server
	00 00 75 30              //   registration life 30000 ms
	00 04 00 18              //   SCTP Transport, length 24
	00 07 00 01              //     port 7, data plus control
	00 01 00 08 c0 00 02 01  //     IPv4 192.0.2.1
	00 01 00 08 c6 33 64 02  //     IPv4 198.51.100.2
	00 08 00 0c              //   Policy, length 12
	40 00 00 01              //     Least Used
	80 00 00 00              //     load 50%
`

// peB: a TCP element on IPv6, Weighted Random, with its ASAP transport as a
// registrar reports it.
var peB = PoolElement{
	ID:      7,
	RegLife: 0xffffffff,
	UserTransport: Transport{
		Type:  ParamTCPTransport,
		Port:  8080,
		Addrs: addrs("2001:db8::5"),
	},
	Policy: Policy{Type: PolicyWeightedRandom, Weight: 5},
	ASAPTransport: Transport{
		Type:  ParamSCTPTransport,
		Port:  3863,
		Addrs: addrs("192.0.2.99"),
	},
}

const peBBytes = `
	00 0a 00 48              // Pool Element, length 72
	00 00 00 07              //   PE identifier
	00 00 00 00              //   home ENRP server: none yet
	ff ff ff ff              //   registration life
	00 05 00 1c              //   TCP Transport, length 28
	1f 90 00 00              //     port 8080, data only
	00 02 00 14              //     IPv6 Address
	20 01 0d b8 00 00 00 00  //       2001:db8::5
	00 00 00 00 00 00 00 05
	00 08 00 0c              //   Policy, length 12
	00 00 00 04 00 00 00 05  //     Weighted Random, weight 5
	00 04 00 10              //   ASAP Transport: SCTP, length 16
	0f 17 00 00              //     port 3863, data only
	00 01 00 08 c0 00 02 63  //     IPv4 192.0.2.99
`

// server10 is registrar 0x0a listening for ENRP on 192.0.2.10.
var server10 = ServerInfo{
	ID:        0x0a,
	Transport: Transport{Type: ParamSCTPTransport, Port: PortENRP, Addrs: addrs("192.0.2.10")},
}

const server10Bytes = `
	00 0b 00 18              // Server Information, length 24
	00 00 00 0a              //   server ID
	00 04 00 10              //   SCTP Transport, length 16
	26 ad 00 00              //     port 9901, data only
	00 01 00 08 c0 00 02 0a  //     IPv4 192.0.2.10
`

const handleEcho = `
	00 09 00 08 65 63 68 6f  // Pool Handle "echo"
`
