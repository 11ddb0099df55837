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

// addrOf is remote's IP address, IPv4-mapped IPv6 addresses as IPv4 and
// without a zone; the zero Addr if it cannot be parsed.
func addrOf(remote net.Addr) netip.Addr {
	var ip netip.Addr
	switch a := remote.(type) {
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
		return netip.Addr{}
	}
	return ip.Unmap().WithZone("")
}

// sourceOf maps an address from addrOf to its source network.
func sourceOf(ip netip.Addr) source {
	if !ip.IsValid() {
		return source{}
	}
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
