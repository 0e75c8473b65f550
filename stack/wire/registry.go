package wire

// NewChunkValue returns an empty typed value for chunks of type t, or nil if
// this package does not decode that type. Tools that walk whole packets
// (dumpers, fuzzers) use it to decode every chunk they meet.
func NewChunkValue(t ChunkType) ChunkValue {
	switch t {
	case TypeData:
		return &Data{}
	case TypeInit:
		return &Init{}
	case TypeInitAck:
		return &InitAck{}
	case TypeSack:
		return &Sack{}
	case TypeHeartbeat:
		return &Heartbeat{}
	case TypeHeartbeatAck:
		return &HeartbeatAck{}
	case TypeAbort:
		return &Abort{}
	case TypeShutdown:
		return &Shutdown{}
	case TypeShutdownAck:
		return &ShutdownAck{}
	case TypeError:
		return &ErrorChunk{}
	case TypeCookieEcho:
		return &CookieEcho{}
	case TypeCookieAck:
		return &CookieAck{}
	case TypeECNE:
		return &ECNE{}
	case TypeCWR:
		return &CWR{}
	case TypeShutdownComplete:
		return &ShutdownComplete{}
	case TypeAuth:
		return &Auth{}
	case TypeIData:
		return &IData{}
	case TypeAsconfAck:
		return &AsconfAck{}
	case TypeReconfig:
		return &Reconfig{}
	case TypePad:
		return &Pad{}
	case TypeForwardTSN:
		return &ForwardTSN{}
	case TypeAsconf:
		return &Asconf{}
	case TypeIForwardTSN:
		return &IForwardTSN{}
	}
	return nil
}
