package asap

import (
	"math/rand/v2"

	"github.com/mobisctp/mobisctp/stack"
)

// portTries bounds the attempts to find a port free for both SCTP and UDP.
const portTries = 8

// ElementEndpoint opens a listening endpoint for a pool element, with the
// same number for its SCTP port and its UDP encapsulation port (see the
// package documentation). A port given in cfg.Port or cfg.UDPPort is used
// for both; with neither, a free one is picked in the dynamic range.
func ElementEndpoint(cfg stack.Config) (*stack.Endpoint, error) {
	switch {
	case cfg.Port != 0:
		cfg.UDPPort = cfg.Port
	case cfg.UDPPort != 0:
		cfg.Port = cfg.UDPPort
	default:
		return randomPortEndpoint(cfg)
	}
	return stack.Listen(cfg)
}

// randomPortEndpoint tries random ports of the IANA dynamic range until one
// is free on every address.
func randomPortEndpoint(cfg stack.Config) (*stack.Endpoint, error) {
	var err error
	for range portTries {
		p := uint16(49152 + rand.IntN(16384))
		cfg.Port, cfg.UDPPort = p, p
		var ep *stack.Endpoint
		if ep, err = stack.Listen(cfg); err == nil {
			return ep, nil
		}
	}
	return nil, err
}
