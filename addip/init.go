package addip

import (
	"slices"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// ExtensionTypes returns the chunk types an endpoint that supports RFC
// 5061 lists in the Supported Extensions parameter of its INIT and INIT
// ACK (section 4.2.7), and in its RFC 4895 Chunk List, since both chunks
// must be sent authenticated (sections 4.1.1 and 4.1.2).
func ExtensionTypes() []wire.ChunkType {
	return []wire.ChunkType{wire.TypeAsconf, wire.TypeAsconfAck}
}

// Available reports whether ASCONF may be used on an association: the
// peer's Supported Extensions list both ASCONF and ASCONF-ACK, and
// authenticated is true, meaning AUTH was negotiated and both endpoints'
// Chunk Lists include ASCONF and ASCONF-ACK (RFC 5061 sections 4.1.1 and
// 4.1.2: an unauthenticated one is discarded). Without AUTH, ASCONF is not
// available whatever the peer announced.
func Available(peerExtensions []wire.ChunkType, authenticated bool) bool {
	return authenticated &&
		slices.Contains(peerExtensions, wire.TypeAsconf) &&
		slices.Contains(peerExtensions, wire.TypeAsconfAck)
}

// AppendAdaptationLayer appends an Adaptation Layer Indication with the
// given code point to the parameters of an INIT or INIT ACK (RFC 5061
// section 4.2.6).
func AppendAdaptationLayer(ps wire.Params, codePoint uint32) wire.Params {
	return wire.AppendParam(ps, &wire.AdaptationLayerParam{CodePoint: codePoint})
}

// AdaptationLayer returns the code point of the first Adaptation Layer
// Indication in the parameters of the peer's INIT or INIT ACK; ok is false
// when there is none, or it is malformed. The loop reports it to the
// application as an adaptation indication event.
func AdaptationLayer(ps wire.Params) (codePoint uint32, ok bool) {
	p, found := ps.Find(wire.ParamAdaptationLayer)
	if !found {
		return 0, false
	}
	var a wire.AdaptationLayerParam
	if a.Decode(p) != nil {
		return 0, false
	}
	return a.CodePoint, true
}
