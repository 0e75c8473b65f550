package registrar

import (
	"fmt"

	"github.com/mobisctp/mobisctp/stack"
)

// Registrars that share an ENRP key authenticate each other (RFC 5355,
// with SCTP-AUTH, RFC 4895): the ENRP endpoint asks every peer to
// authenticate its DATA chunks, holds the key as endpoint-pair shared key
// ENRPKeyID and nothing else (not the empty key 0 that every SCTP-AUTH
// endpoint has), and aborts an association whose peer does not do
// SCTP-AUTH. The stack drops DATA whose AUTH chunk does not verify with
// that key, so a host without it can set up an association but never
// gets a message through: no Presence, Handle Update or Init Takeover.

// ENRPKeyID is the Shared Key Identifier of the ENRP key.
const ENRPKeyID = 1

// authConfig returns the ENRP endpoint's configuration with SCTP-AUTH of
// DATA required, if a key is configured.
func (e *ENRPConfig) authConfig(cfg stack.Config) stack.Config {
	if len(e.Key) == 0 {
		return cfg
	}
	return cfg.WithAuthenticatedData()
}

// installKey makes the ENRP key the only one of ep.
func (e *ENRPConfig) installKey(ep *stack.Endpoint) error {
	if len(e.Key) == 0 {
		return nil
	}
	ep.SetKey(ENRPKeyID, e.Key)
	if err := ep.ActivateKey(ENRPKeyID); err != nil {
		return err
	}
	return ep.DeleteKey(0)
}

// authenticated reports whether association a may carry ENRP: with a key
// configured, only if the peer does SCTP-AUTH (the stack then enforces
// the key on every DATA chunk).
func (e *ENRPConfig) authenticated(a *stack.Association) error {
	if len(e.Key) == 0 {
		return nil
	}
	if err := a.ActivateKey(ENRPKeyID); err != nil {
		return fmt.Errorf("ENRP peer without SCTP-AUTH: %w", err)
	}
	return nil
}
