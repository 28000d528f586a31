package ws

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxy parses a trusted proxy's address: a CIDR prefix
// ("10.0.0.0/8", "fd00::/8") or a single address ("127.0.0.1").
func ParseTrustedProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("trusted proxy %q: want an address or CIDR prefix", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("trusted proxy %q: want an address or CIDR prefix", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// clientIP is the address a request's connection counts and is banned
// under. It is the direct peer's, unless that peer is a trusted proxy:
// then the client is the rightmost address of X-Forwarded-For that is not
// itself a trusted proxy (what the proxy nearest the client saw; the
// addresses left of it are whatever the client wrote), or X-Real-IP without
// X-Forwarded-For. A header that does not parse is ignored, leaving the
// proxy's own address.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	peer := remoteIP(r.RemoteAddr)
	if len(trusted) == 0 {
		return peer
	}
	addr, err := netip.ParseAddr(peer)
	if err != nil || !isTrusted(addr.Unmap(), trusted) {
		return peer
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseHop(hops[i])
			if !ok {
				return peer
			}
			if !isTrusted(a, trusted) || i == 0 {
				return a.String()
			}
		}
	}
	if a, ok := parseHop(r.Header.Get("X-Real-IP")); ok {
		return a.String()
	}
	return peer
}

// parseHop parses one address of a forwarding header.
func parseHop(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
