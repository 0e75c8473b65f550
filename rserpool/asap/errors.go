package asap

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Errors of the package.
var (
	// ErrClosed is returned after Close; it matches net.ErrClosed.
	ErrClosed = fmt.Errorf("asap: closed: %w", net.ErrClosed)
	// ErrNoRegistrar reports that no registrar answered, or that none is
	// known: none is configured and none has announced itself yet.
	ErrNoRegistrar = errors.New("asap: no registrar reachable")
	// ErrNoElement reports a handle resolution that found no element.
	ErrNoElement = errors.New("asap: no pool element")
	// ErrRegistrarNotProven reports a registrar that answered without
	// authenticating its answer with the key ElementConfig.KeyID names:
	// it does not hold that key, and is not trusted.
	ErrRegistrarNotProven = errors.New("asap: registrar did not prove itself")
	// ErrReservedPPID rejects application data sent with ASAP's payload
	// protocol identifier, which the receiver would take for control.
	ErrReservedPPID = errors.New("asap: PPID 11 is reserved for ASAP session control")
)

// OperationError is a registrar's refusal: the causes of the Operation
// Error it answered a request with.
type OperationError struct {
	Request wire.ASAPType
	Causes  []wire.CauseCode
}

func (e *OperationError) Error() string {
	causes := make([]string, len(e.Causes))
	for i, c := range e.Causes {
		causes[i] = c.String()
	}
	return fmt.Sprintf("asap: registrar refused %v: %s", e.Request, strings.Join(causes, ", "))
}

// operationError converts the Operation Error parameter of an answer to req.
func operationError(req wire.ASAPType, oe wire.OperationError) *OperationError {
	e := &OperationError{Request: req}
	for _, c := range oe.Causes {
		e.Causes = append(e.Causes, c.Code)
	}
	if len(e.Causes) == 0 {
		e.Causes = []wire.CauseCode{wire.CauseUnspecified}
	}
	return e
}
