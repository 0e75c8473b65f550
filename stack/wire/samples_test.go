package wire

import "net/netip"

// sample is one representative chunk with the parameter types and cause
// codes it carries, for the tshark oracle and the allocation tests.
type sample struct {
	v      ChunkValue
	params []ParamType
	causes []CauseCode
	nested []ChunkType // chunks carried inside causes, which tshark lists too
}

// params builds a parameter list.
func params(vs ...ParamValue) Params {
	var ps Params
	for _, v := range vs {
		ps = AppendParam(ps, v)
	}
	return ps
}

// causes builds a cause list.
func causes(vs ...CauseValue) Causes {
	var cs Causes
	for _, v := range vs {
		cs = AppendCause(cs, v)
	}
	return cs
}

var (
	v4 = netip.MustParseAddr("192.0.2.1")
	v6 = netip.MustParseAddr("2001:db8::1")
)

// samples returns one chunk of every type this package knows, with every
// parameter and cause type carried somewhere.
func samples() []sample {
	addIP := &AddressRequestParam{Type: ParamAddIP, CorrelationID: 1, Address: v4}
	initParams := params(
		&AddressParam{Addr: v4}, &AddressParam{Addr: v6},
		&CookiePreservativeParam{IncrementMillis: 1000},
		&HostNameParam{Name: []byte("host.example")},
		&SupportedAddrTypesParam{Types: []ParamType{ParamIPv4Address, ParamIPv6Address}},
		&ECNCapableParam{}, &ForwardTSNSupportedParam{},
		&RandomParam{Number: make([]byte, 32)},
		&ChunkListParam{Types: []ChunkType{TypeAsconf, TypeAsconfAck}},
		&HMACAlgoParam{IDs: []HMACID{HMACSHA256, HMACSHA1}},
		&SupportedExtensionsParam{Types: []ChunkType{TypeAsconf, TypeAsconfAck, TypeForwardTSN, TypeReconfig}},
		&AdaptationLayerParam{CodePoint: 7},
		&ZeroChecksumAcceptableParam{Method: EDMIDSCTPOverDTLS},
		&PadParam{Padding: make([]byte, 8)},
	)
	initTypes := []ParamType{ParamIPv4Address, ParamIPv6Address, ParamCookiePreservative, ParamHostNameAddress,
		ParamSupportedAddressTypes, ParamECNCapable, ParamForwardTSNSupported, ParamRandom, ParamChunks,
		ParamHMACAlgo, ParamSupportedExtensions, ParamAdaptationLayer, ParamZeroChecksumAcceptable, ParamPad}
	unrec := Param(params(&RawParam{Type: 0xC0FF, Value: []byte{1, 2, 3, 4}}))
	allCauses := causes(
		&InvalidStreamCause{Stream: 9},
		&MissingParamCause{Types: []ParamType{ParamStateCookie}},
		&StaleCookieCause{StalenessMicros: 1000},
		&EmptyCause{Code: CauseOutOfResource},
		&UnresolvableAddrCause{Address: Param(params(&HostNameParam{Name: []byte("x")}))},
		&UnrecognizedChunkCause{Chunk: Chunk((&Raw{Type: 0xC5, Value: []byte{1, 2, 3, 4}}).Append(nil))},
		&EmptyCause{Code: CauseInvalidMandatoryParam},
		&UnrecognizedParamsCause{Params: Params(unrec)},
		&NoUserDataCause{TSN: 5},
		&EmptyCause{Code: CauseCookieWhileShuttingDown},
		&RestartAddrsCause{Addresses: params(&AddressParam{Addr: v4})},
		&UserAbortCause{Reason: []byte("bye")},
		&ProtocolViolationCause{Info: []byte("bad")},
		&AsconfCause{Code: CauseDeleteLastAddress, Request: Param(params(addIP))},
		&AsconfCause{Code: CauseResourceShortage, Request: Param(params(addIP))},
		&AsconfCause{Code: CauseDeleteSourceAddress, Request: Param(params(addIP))},
		&AsconfCause{Code: CauseIllegalAsconfAck},
		&AsconfCause{Code: CauseNoAuthorization, Request: Param(params(addIP))},
		&UnsupportedHMACCause{ID: 9},
	)
	causeCodes := []CauseCode{CauseInvalidStream, CauseMissingMandatoryParam, CauseStaleCookie, CauseOutOfResource,
		CauseUnresolvableAddress, CauseUnrecognizedChunk, CauseInvalidMandatoryParam, CauseUnrecognizedParams,
		CauseNoUserData, CauseCookieWhileShuttingDown, CauseRestartWithNewAddresses, CauseUserInitiatedAbort,
		CauseProtocolViolation, CauseDeleteLastAddress, CauseResourceShortage, CauseDeleteSourceAddress,
		CauseIllegalAsconfAck, CauseNoAuthorization, CauseUnsupportedHMACIdentifier}
	cookie := params(&StateCookieParam{Cookie: []byte("cookie-bytes")}, &UnrecognizedParam{Param: unrec})
	asconf := params(addIP,
		&AddressRequestParam{Type: ParamDeleteIP, CorrelationID: 2, Address: v6},
		&AddressRequestParam{Type: ParamSetPrimary, CorrelationID: 3, Address: v4},
		&AdaptationLayerParam{CodePoint: 1})
	ack := params(&SuccessIndicationParam{CorrelationID: 1},
		&ErrorCauseIndicationParam{CorrelationID: 2, Causes: causes(&AsconfCause{Code: CauseDeleteLastAddress, Request: Param(params(addIP))})})
	reconfigs := []Params{
		params(&OutgoingSSNResetParam{ReqSeq: 1, RespSeq: 2, LastTSN: 3, Streams: []uint16{1, 2}}),
		params(&IncomingSSNResetParam{ReqSeq: 4, Streams: []uint16{3}}),
		params(&SSNTSNResetParam{ReqSeq: 5}),
		params(&ReconfigResponseParam{RespSeq: 6, Result: ResultSuccessPerformed, HasTSNs: true, SenderNextTSN: 7, ReceiverNextTSN: 8}),
		params(&AddStreamsParam{Type: ParamAddOutgoingStreams, ReqSeq: 9, NewStreams: 2}),
		params(&AddStreamsParam{Type: ParamAddIncomingStreams, ReqSeq: 10, NewStreams: 3}),
	}
	reconfigTypes := []ParamType{ParamOutgoingSSNReset, ParamIncomingSSNReset, ParamSSNTSNReset,
		ParamReconfigResponse, ParamAddOutgoingStreams, ParamAddIncomingStreams}
	out := []sample{
		{v: &Data{Flags: FlagBegin | FlagEnd, TSN: 1, Stream: 2, SSN: 3, PPID: 51, Payload: []byte("hello")}},
		{v: &Init{InitiateTag: 0x1234, ARwnd: 65536, OutStreams: 10, InStreams: 10, InitialTSN: 1, Params: initParams}, params: initTypes},
		{v: &InitAck{InitiateTag: 0x5678, ARwnd: 65536, OutStreams: 10, InStreams: 10, InitialTSN: 9, Params: cookie},
			params: []ParamType{ParamStateCookie, ParamUnrecognized}},
		{v: &Sack{CumTSN: 10, ARwnd: 4096, Gaps: []GapBlock{{Start: 2, End: 3}}, Dups: []uint32{9}}},
		{v: &Heartbeat{Info: []byte("heartbeat-info")}},
		{v: &HeartbeatAck{Info: []byte("heartbeat-info")}},
		{v: &Abort{Causes: causes(&UserAbortCause{Reason: []byte("done")})}, causes: []CauseCode{CauseUserInitiatedAbort}},
		{v: &Shutdown{CumTSNAck: 10}},
		{v: &ShutdownAck{}},
		{v: &ErrorChunk{Causes: allCauses}, causes: causeCodes, nested: []ChunkType{0xC5}},
		{v: &CookieEcho{Cookie: []byte("cookie-bytes")}},
		{v: &CookieAck{}},
		{v: &ECNE{LowestTSN: 11}},
		{v: &CWR{LowestTSN: 11}},
		{v: &ShutdownComplete{TagReflected: true}},
		{v: &Auth{KeyID: 1, HMACID: HMACSHA256, HMAC: make([]byte, 32)}},
		{v: &IData{Flags: FlagBegin, TSN: 12, Stream: 1, MID: 2, PPID: 51, Payload: []byte("first")}},
		{v: &IData{Flags: FlagEnd, TSN: 13, Stream: 1, MID: 2, FSN: 1, Payload: []byte("last")}},
		{v: &AsconfAck{Serial: 1, Params: ack}, params: []ParamType{ParamSuccessIndication, ParamErrorCauseIndication}},
		{v: &Pad{Padding: make([]byte, 16)}},
		{v: &ForwardTSN{NewCumTSN: 20, Streams: []StreamSSN{{Stream: 1, SSN: 2}}}},
		{v: &Asconf{Serial: 1, Address: v4, Params: asconf},
			params: []ParamType{ParamIPv4Address, ParamAddIP, ParamDeleteIP, ParamSetPrimary, ParamAdaptationLayer}},
		{v: &IForwardTSN{NewCumTSN: 21, Streams: []StreamMID{{Stream: 1, Unordered: true, MID: 4}}}},
	}
	for i, ps := range reconfigs {
		out = append(out, sample{v: &Reconfig{Params: ps}, params: []ParamType{reconfigTypes[i]}})
	}
	return out
}
