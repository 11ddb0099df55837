package admission

import (
	"net"
	"net/netip"
)

// Block sizes that make one source: a host for IPv4, a /64 for IPv6, since
// one client usually holds a whole /64 (OpenSSH's PerSourceNetBlockSize
// defaults to 32:128, which lets one client rotate addresses freely).
const (
	ipv4Bits = 32
	ipv6Bits = 64
)

// source identifies one source network. The zero value stands for every
// address that could not be parsed: they share one bucket, so an unknown
// address type cannot escape the per-source limits.
type source = netip.Prefix

// sourceOf maps a remote address to its source network.
func sourceOf(addr net.Addr) source {
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	case nil:
	default:
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			ip = ap.Addr()
		} else if p, err := netip.ParseAddr(a.String()); err == nil {
			ip = p
		}
	}
	if !ip.IsValid() {
		return source{}
	}
	ip = ip.Unmap().WithZone("")
	bits := ipv6Bits
	if ip.Is4() {
		bits = ipv4Bits
	}
	p, err := ip.Prefix(bits)
	if err != nil {
		return source{}
	}
	return p
}
