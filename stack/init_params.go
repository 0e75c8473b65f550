package stack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/addip"
	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// maxCookieIncrement caps the cookie life-span a peer may ask for with a
// Cookie Preservative parameter.
const maxCookieIncrement = 60 * time.Second

// peerParams is what a peer's INIT or INIT ACK parameters tell us.
type peerParams struct {
	addrs        []netip.Addr     // its IPv4/IPv6 Address parameters
	prsctp       bool             // Forward-TSN-Supported
	idata        bool             // I-DATA and I-FORWARD-TSN in Supported Extensions
	cookie       []byte           // State Cookie (INIT ACK only)
	preservative time.Duration    // Cookie Preservative increment (INIT only)
	v4, v6       bool             // address families it supports (default both)
	exts         []wire.ChunkType // its Supported Extensions
	report       wire.Params      // unrecognized parameters to report
	abort        wire.CauseValue
}

// parsePeerParams walks an INIT or INIT ACK parameter list, applying the
// action bits of unknown parameters (RFC 9260 section 3.2.1).
func parsePeerParams(ps wire.Params) peerParams {
	pp := peerParams{v4: true, v6: true}
	it := ps.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		if !pp.apply(p) {
			if a := p.Type().Action(); a.Report() {
				pp.report = wire.AppendParam(pp.report, &wire.UnrecognizedParam{Param: p})
			}
			if p.Type().Action().Stop() {
				break
			}
		}
		if pp.abort != nil {
			break
		}
	}
	return pp
}

// apply takes in one parameter and reports whether it was recognized.
func (pp *peerParams) apply(p wire.Param) bool {
	switch p.Type() {
	case wire.ParamIPv4Address, wire.ParamIPv6Address:
		if a, err := wire.DecodeAddress(p); err == nil {
			pp.addrs = append(pp.addrs, a.Unmap())
		}
	case wire.ParamForwardTSNSupported:
		pp.prsctp = true
	case wire.ParamSupportedExtensions:
		var se wire.SupportedExtensionsParam
		if se.Decode(p) == nil {
			pp.exts = se.Types
			pp.idata = hasChunkTypes(se.Types, wire.TypeIData, wire.TypeIForwardTSN)
			pp.prsctp = pp.prsctp || hasChunkTypes(se.Types, wire.TypeForwardTSN)
		}
	case wire.ParamStateCookie:
		var sc wire.StateCookieParam
		if sc.Decode(p) == nil {
			pp.cookie = sc.Cookie
		}
	case wire.ParamCookiePreservative:
		var cp wire.CookiePreservativeParam
		if cp.Decode(p) == nil {
			pp.preservative = min(time.Duration(cp.IncrementMillis)*time.Millisecond, maxCookieIncrement)
		}
	case wire.ParamSupportedAddressTypes:
		var st wire.SupportedAddrTypesParam
		if st.Decode(p) == nil {
			pp.v4 = hasParamType(st.Types, wire.ParamIPv4Address)
			pp.v6 = hasParamType(st.Types, wire.ParamIPv6Address)
		}
	case wire.ParamHostNameAddress:
		// Deprecated by RFC 9260: answer with Unresolvable Address.
		pp.abort = &wire.UnresolvableAddrCause{Address: p}
	case wire.ParamRandom, wire.ParamChunks, wire.ParamHMACAlgo:
		// SCTP-AUTH: the association reads these with stack/auth.
	case wire.ParamECNCapable, wire.ParamZeroChecksumAcceptable, wire.ParamAdaptationLayer:
		// Understood but not used: we send no ECN marks, always compute
		// the CRC32c and have no adaptation layer.
	default:
		return false
	}
	return true
}

func hasChunkTypes(ts []wire.ChunkType, want ...wire.ChunkType) bool {
	for _, w := range want {
		found := false
		for _, t := range ts {
			found = found || t == w
		}
		if !found {
			return false
		}
	}
	return true
}

func hasParamType(ts []wire.ParamType, want wire.ParamType) bool {
	for _, t := range ts {
		if t == want {
			return true
		}
	}
	return false
}

// localParams appends the parameters we announce in INIT and INIT ACK to a
// peer at peer: our addresses it can use, the address families we support,
// our extensions and, with SCTP-AUTH, its parameters ap.
func (ep *Endpoint) localParams(ps wire.Params, peer netip.Addr, ap *auth.Params, ack bool) wire.Params {
	for _, a := range ep.announced(peer) {
		ps = wire.AppendParam(ps, &wire.AddressParam{Addr: a})
	}
	if !ack {
		// Supported Address Types belongs in INIT only (RFC 9260
		// section 3.3.2); a peer reading it in an INIT ACK might stop at
		// it as an unknown parameter and miss the cookie.
		types := []wire.ParamType{wire.ParamIPv4Address}
		for _, a := range ep.conn.LocalAddrs() {
			if a.Is6() && !a.Is4In6() {
				types = append(types, wire.ParamIPv6Address)
				break
			}
		}
		ps = wire.AppendParam(ps, &wire.SupportedAddrTypesParam{Types: types})
	}
	var exts []wire.ChunkType
	if !ep.cfg.DisablePRSCTP {
		ps = wire.AppendParam(ps, &wire.ForwardTSNSupportedParam{})
		exts = append(exts, wire.TypeForwardTSN)
	}
	if !ep.cfg.DisableIData {
		exts = append(exts, wire.TypeIData, wire.TypeIForwardTSN)
	}
	exts = append(exts, wire.TypeReconfig)
	if ap != nil {
		ps = ap.AppendTo(ps)
		exts = append(exts, wire.TypeAuth)
		if !ep.cfg.DisableAddIP {
			exts = append(exts, addip.ExtensionTypes()...)
		}
	}
	if len(exts) > 0 {
		ps = wire.AppendParam(ps, &wire.SupportedExtensionsParam{Types: exts})
	}
	return ps
}

// negotiate combines our configuration with the peer's parameters.
func (ep *Endpoint) negotiate(pp *peerParams) peerFeatures {
	return peerFeatures{
		prsctp: pp.prsctp && !ep.cfg.DisablePRSCTP,
		idata:  pp.idata && !ep.cfg.DisableIData,
		// RE-CONFIG is always offered: stream resets are what Close does.
		reconfig: hasChunkTypes(pp.exts, wire.TypeReconfig),
	}
}
