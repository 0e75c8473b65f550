// Package wire encodes and decodes SCTP packets (RFC 9260) and the extension
// chunks, parameters and error causes that mobisctp speaks: SCTP-AUTH
// (RFC 4895), Dynamic Address Reconfiguration (RFC 5061), PR-SCTP (RFC 3758),
// padding (RFC 4820), I-DATA (RFC 8260), stream reconfiguration (RFC 6525) and
// zero checksum (RFC 9653).
//
// Reading works on views: a [Packet], [Chunk], [Param] or [Cause] is the
// received bytes themselves, and typed decoders fill small structs whose
// variable-length fields alias those bytes. Writing appends to a caller's
// buffer: every chunk type has a struct with Len and Append, so a packet is
// built without intermediate allocations. The hot path (iterating chunks,
// DATA, SACK, HEARTBEAT and the CRC32c) allocates nothing.
//
// Unknown chunk, parameter and cause types are not errors: they are returned
// with their type so the caller can apply the action bits of RFC 9260
// sections 3.2 and 3.2.1 (see [ChunkType.Action] and [ParamType.Action]).
//
// Every decoding error is a *[ParseError] naming the field and the byte
// offset at fault.
package wire
