package config

import (
	"fmt"
	"net/netip"
)

// parseTrusted reads one --trusted-sources item: a CIDR range such as
// 203.0.113.0/24 or 2001:db8::/48, or a single address (its own /32 or
// /128). A range with bits set past its length is refused rather than
// guessed at, with the range it probably meant.
func parseTrusted(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q has a zone; give the address alone", s)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address range (like 203.0.113.0/24 or 2001:db8::/48) or an address", s)
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("%q has bits set past its /%d; did you mean %s?", s, p.Bits(), m)
	}
	return p, nil
}

// TrustedNets returns the --trusted-sources ranges. Call it on a validated
// Config: items that do not parse are left out.
func (c Config) TrustedNets() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range c.TrustedSources {
		if p, err := parseTrusted(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}
