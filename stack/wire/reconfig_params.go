package wire

// RE-CONFIG parameters (RFC 6525 section 4). Outgoing SSN Reset Request
// (4.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 13       | Parameter Length = 16 + 2 * N |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Re-configuration Request Sequence Number            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Re-configuration Response Sequence Number           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Sender's Last Assigned TSN                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Stream Number 1 (optional)   |  Stream Number 2 (optional)   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	/                            ......                             /
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| Stream Number N-1 (optional)  |  Stream Number N (optional)   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Incoming SSN Reset Request (4.2): type 14, length 8 + 2 * N, the request
// sequence number and the stream list. SSN/TSN Reset Request (4.3): type
// 15, length 8, the request sequence number alone.
//
// Re-configuration Response (4.4):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Parameter Type = 16       |      Parameter Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Re-configuration Response Sequence Number           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                            Result                             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  Sender's Next TSN (optional)                 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                 Receiver's Next TSN (optional)                |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Add Outgoing Streams (4.5) and Add Incoming Streams (4.6):
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|   Parameter Type = 17 or 18   |     Parameter Length = 12     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Re-configuration Request Sequence Number            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Number of new streams     |           Reserved            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import (
	"encoding/binary"
	"fmt"
)

// OutgoingSSNResetParam asks the peer to reset the incoming side of the listed
// streams, all streams if Streams is empty. RespSeq answers an Incoming SSN
// Reset Request that triggered this one. Decode reuses the capacity of
// Streams.
type OutgoingSSNResetParam struct {
	ReqSeq  uint32 // this request's sequence number
	RespSeq uint32
	LastTSN uint32 // the sender's last assigned TSN
	Streams []uint16
}

const outgoingResetFixed = 12 // the three sequence numbers

// ParamType implements ParamValue.
func (*OutgoingSSNResetParam) ParamType() ParamType { return ParamOutgoingSSNReset }

// AppendValue implements ParamValue.
func (o *OutgoingSSNResetParam) AppendValue(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, o.ReqSeq)
	b = binary.BigEndian.AppendUint32(b, o.RespSeq)
	b = binary.BigEndian.AppendUint32(b, o.LastTSN)
	return appendUint16s(b, o.Streams)
}

// Decode fills o from p.
func (o *OutgoingSSNResetParam) Decode(p Param) (err error) {
	if err := expectParam(p, ParamOutgoingSSNReset, outgoingResetFixed); err != nil {
		return err
	}
	if o.Streams, err = decodeUint16s(o.Streams, p, tlvHeaderLen+outgoingResetFixed); err != nil {
		return err
	}
	v := p.Value()
	o.ReqSeq = binary.BigEndian.Uint32(v)
	o.RespSeq = binary.BigEndian.Uint32(v[4:])
	o.LastTSN = binary.BigEndian.Uint32(v[8:])
	return nil
}

// IncomingSSNResetParam asks the peer to reset its outgoing side of the listed
// streams, all streams if Streams is empty. Decode reuses the capacity of
// Streams.
type IncomingSSNResetParam struct {
	ReqSeq  uint32
	Streams []uint16
}

// ParamType implements ParamValue.
func (*IncomingSSNResetParam) ParamType() ParamType { return ParamIncomingSSNReset }

// AppendValue implements ParamValue.
func (i *IncomingSSNResetParam) AppendValue(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, i.ReqSeq)
	return appendUint16s(b, i.Streams)
}

// Decode fills i from p.
func (i *IncomingSSNResetParam) Decode(p Param) (err error) {
	if err := expectParam(p, ParamIncomingSSNReset, 4); err != nil {
		return err
	}
	if i.Streams, err = decodeUint16s(i.Streams, p, tlvHeaderLen+4); err != nil {
		return err
	}
	i.ReqSeq = binary.BigEndian.Uint32(p.Value())
	return nil
}

// SSNTSNResetParam asks the peer to reset all streams and the TSNs.
type SSNTSNResetParam struct{ ReqSeq uint32 }

// ParamType implements ParamValue.
func (*SSNTSNResetParam) ParamType() ParamType { return ParamSSNTSNReset }

// AppendValue implements ParamValue.
func (s *SSNTSNResetParam) AppendValue(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, s.ReqSeq)
}

// Decode fills s from p.
func (s *SSNTSNResetParam) Decode(p Param) (err error) {
	s.ReqSeq, err = decodeUint32Param(p, ParamSSNTSNReset)
	return err
}

// ReconfigResult is the result of a re-configuration request (RFC 6525
// section 4.4).
type ReconfigResult uint32

// The results of RFC 6525.
const (
	ResultSuccessNothingToDo     ReconfigResult = 0
	ResultSuccessPerformed       ReconfigResult = 1
	ResultDenied                 ReconfigResult = 2
	ResultErrorWrongSSN          ReconfigResult = 3
	ResultErrorRequestInProgress ReconfigResult = 4
	ResultErrorBadSequence       ReconfigResult = 5
	ResultInProgress             ReconfigResult = 6
)

var resultNames = [...]string{
	ResultSuccessNothingToDo:     "Success - Nothing to do",
	ResultSuccessPerformed:       "Success - Performed",
	ResultDenied:                 "Denied",
	ResultErrorWrongSSN:          "Error - Wrong SSN",
	ResultErrorRequestInProgress: "Error - Request already in progress",
	ResultErrorBadSequence:       "Error - Bad Sequence Number",
	ResultInProgress:             "In progress",
}

func (r ReconfigResult) String() string {
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return fmt.Sprintf("result %d", uint32(r))
}

// ReconfigResponseParam answers the request with sequence number RespSeq. The
// next-TSN fields are only sent, and only decoded, when HasTSNs is set: a
// response to an SSN/TSN Reset Request carries both or neither.
type ReconfigResponseParam struct {
	RespSeq         uint32
	Result          ReconfigResult
	HasTSNs         bool
	SenderNextTSN   uint32
	ReceiverNextTSN uint32
}

const (
	responseShort = 8  // sequence number and result
	responseLong  = 16 // with both next TSNs
)

// ParamType implements ParamValue.
func (*ReconfigResponseParam) ParamType() ParamType { return ParamReconfigResponse }

// AppendValue implements ParamValue.
func (r *ReconfigResponseParam) AppendValue(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, r.RespSeq)
	b = binary.BigEndian.AppendUint32(b, uint32(r.Result))
	if r.HasTSNs {
		b = binary.BigEndian.AppendUint32(b, r.SenderNextTSN)
		b = binary.BigEndian.AppendUint32(b, r.ReceiverNextTSN)
	}
	return b
}

// Decode fills r from p, whose length must be 12 or 20.
func (r *ReconfigResponseParam) Decode(p Param) error {
	if err := expectParam(p, ParamReconfigResponse, responseShort); err != nil {
		return err
	}
	v := p.Value()
	if len(v) != responseShort && len(v) != responseLong {
		return errAt(ParamReconfigResponse.String()+" length", 2, fmt.Sprintf("%d, want %d or %d", p.Len(), tlvHeaderLen+responseShort, tlvHeaderLen+responseLong))
	}
	*r = ReconfigResponseParam{
		RespSeq: binary.BigEndian.Uint32(v),
		Result:  ReconfigResult(binary.BigEndian.Uint32(v[4:])),
		HasTSNs: len(v) == responseLong,
	}
	if r.HasTSNs {
		r.SenderNextTSN = binary.BigEndian.Uint32(v[8:])
		r.ReceiverNextTSN = binary.BigEndian.Uint32(v[12:])
	}
	return nil
}

// AddStreamsParam is an Add Outgoing Streams or Add Incoming Streams request,
// told apart by Type; they share a layout.
type AddStreamsParam struct {
	Type       ParamType // ParamAddOutgoingStreams or ParamAddIncomingStreams
	ReqSeq     uint32
	NewStreams uint16
}

// ParamType implements ParamValue.
func (a *AddStreamsParam) ParamType() ParamType { return a.Type }

// AppendValue implements ParamValue. The reserved field is written as zero.
func (a *AddStreamsParam) AppendValue(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, a.ReqSeq)
	b = binary.BigEndian.AppendUint16(b, a.NewStreams)
	return append(b, 0, 0)
}

// Decode fills a from p, ignoring the reserved field.
func (a *AddStreamsParam) Decode(p Param) error {
	if err := expectParamFamily(p, "an Add Streams request", ParamAddOutgoingStreams, ParamAddIncomingStreams); err != nil {
		return err
	}
	if err := expectParamExact(p, p.Type(), 8); err != nil {
		return err
	}
	*a = AddStreamsParam{
		Type:       p.Type(),
		ReqSeq:     binary.BigEndian.Uint32(p[tlvHeaderLen:]),
		NewStreams: binary.BigEndian.Uint16(p[tlvHeaderLen+4:]),
	}
	return nil
}
