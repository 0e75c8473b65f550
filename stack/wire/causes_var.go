package wire

// RFC 9260 error causes with a variable-length value (section 3.3.10):
// Unresolvable Address (5), Unrecognized Chunk Type (6), Unrecognized
// Parameters (8), Restart of an Association with New Addresses (11),
// User-Initiated Abort (12) and Protocol Violation (13). The first four
// copy whole TLVs or a whole chunk from what the peer sent; the last two
// carry bytes of the sender's choosing:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Cause Code = 5/6/8/11/12/13 |         Cause Length          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/   Unresolvable Address / Unrecognized Chunk / Unrecognized    /
//	\   Parameters / New Address TLVs / Upper Layer Abort Reason /  \
//	/                    Additional Information                     /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

// UnresolvableAddrCause is an Unresolvable Address cause: Address is the
// whole address parameter (often a Host Name Address) that could not be
// used. Decoded, it aliases the cause.
type UnresolvableAddrCause struct {
	Address Param
}

// CauseCode implements CauseValue.
func (*UnresolvableAddrCause) CauseCode() CauseCode { return CauseUnresolvableAddress }

// AppendValue implements CauseValue.
func (u *UnresolvableAddrCause) AppendValue(b []byte) []byte { return append(b, u.Address...) }

// Decode fills u from c, whose value must be exactly one parameter; its
// padding may be counted in c's length.
func (u *UnresolvableAddrCause) Decode(c Cause) error {
	if err := expectCause(c, CauseUnresolvableAddress, 0); err != nil {
		return err
	}
	p, err := nestedParam(c.Value(), tlvHeaderLen, CauseUnresolvableAddress.String())
	if err != nil {
		return err
	}
	u.Address = p
	return nil
}

// UnrecognizedChunkCause is an Unrecognized Chunk Type cause: Chunk is the
// whole chunk that was not understood. Decoded, it aliases the cause.
type UnrecognizedChunkCause struct {
	Chunk Chunk
}

// CauseCode implements CauseValue.
func (*UnrecognizedChunkCause) CauseCode() CauseCode { return CauseUnrecognizedChunk }

// AppendValue implements CauseValue.
func (u *UnrecognizedChunkCause) AppendValue(b []byte) []byte { return append(b, u.Chunk...) }

// Decode fills u from c, whose value must be exactly one chunk. usrsctp
// copies the chunk with its padding and counts it, so padding may follow.
func (u *UnrecognizedChunkCause) Decode(c Cause) error {
	if err := expectCause(c, CauseUnrecognizedChunk, 0); err != nil {
		return err
	}
	ch, err := nestedTLV(c.Value(), tlvHeaderLen, "chunk", CauseUnrecognizedChunk.String())
	if err != nil {
		return err
	}
	u.Chunk = ch
	return nil
}

// UnrecognizedParamsCause is an Unrecognized Parameters cause: the
// parameters of an INIT ACK that were not understood, headers included.
// Decoded, Params aliases the cause.
type UnrecognizedParamsCause struct {
	Params Params
}

// CauseCode implements CauseValue.
func (*UnrecognizedParamsCause) CauseCode() CauseCode { return CauseUnrecognizedParams }

// AppendValue implements CauseValue.
func (u *UnrecognizedParamsCause) AppendValue(b []byte) []byte { return append(b, u.Params...) }

// Decode fills u from c and validates the parameter list.
func (u *UnrecognizedParamsCause) Decode(c Cause) (err error) {
	u.Params, err = paramListCause(c, CauseUnrecognizedParams)
	return err
}

// RestartAddrsCause is a Restart of an Association with New Addresses
// cause: Addresses lists the address parameters the restarting peer added.
// Decoded, it aliases the cause.
type RestartAddrsCause struct {
	Addresses Params
}

// CauseCode implements CauseValue.
func (*RestartAddrsCause) CauseCode() CauseCode { return CauseRestartWithNewAddresses }

// AppendValue implements CauseValue.
func (r *RestartAddrsCause) AppendValue(b []byte) []byte { return append(b, r.Addresses...) }

// Decode fills r from c and validates the parameter list; the parameters'
// types are left to the caller, who decodes them with [DecodeAddress].
func (r *RestartAddrsCause) Decode(c Cause) (err error) {
	r.Addresses, err = paramListCause(c, CauseRestartWithNewAddresses)
	return err
}

// paramListCause checks the code of c and returns its value as a validated
// parameter list.
func paramListCause(c Cause, code CauseCode) (Params, error) {
	if err := expectCause(c, code, 0); err != nil {
		return nil, err
	}
	return parseParamList(c.Value(), tlvHeaderLen)
}

// UserAbortCause is a User-Initiated Abort cause: Reason is whatever the
// upper layer gave as its reason to abort. Decoded, it aliases the cause.
type UserAbortCause struct {
	Reason []byte
}

// CauseCode implements CauseValue.
func (*UserAbortCause) CauseCode() CauseCode { return CauseUserInitiatedAbort }

// AppendValue implements CauseValue.
func (u *UserAbortCause) AppendValue(b []byte) []byte { return append(b, u.Reason...) }

// Decode fills u from c.
func (u *UserAbortCause) Decode(c Cause) (err error) {
	u.Reason, err = opaqueCause(c, CauseUserInitiatedAbort)
	return err
}

// ProtocolViolationCause is a Protocol Violation cause: Info describes the
// violation, in a form of the sender's choosing. Decoded, it aliases the
// cause.
type ProtocolViolationCause struct {
	Info []byte
}

// CauseCode implements CauseValue.
func (*ProtocolViolationCause) CauseCode() CauseCode { return CauseProtocolViolation }

// AppendValue implements CauseValue.
func (p *ProtocolViolationCause) AppendValue(b []byte) []byte { return append(b, p.Info...) }

// Decode fills p from c.
func (p *ProtocolViolationCause) Decode(c Cause) (err error) {
	p.Info, err = opaqueCause(c, CauseProtocolViolation)
	return err
}

// opaqueCause checks the code of c and returns its value.
func opaqueCause(c Cause, code CauseCode) ([]byte, error) {
	if err := expectCause(c, code, 0); err != nil {
		return nil, err
	}
	return c.Value(), nil
}
