package screen

import "strconv"

// Terminal queries: sequences a program sends to learn about its terminal,
// which the terminal answers on its input. The model answers a few itself
// (SetReplyFunc) while nobody is attached; SetQueryFunc passes all it
// recognises on, for a terminal that is sent frames of the model rather
// than the program's bytes and so would not see them. DCS queries
// (DECRQSS, XTGETTCAP) are not recognised: the parser skips DCS strings.

// SetQueryFunc makes the model call fn with each terminal query in the
// output, re-encoded: device attributes (DA1, DA2, DA3), device status
// reports (DSR, DECXCPR), mode reports (DECRQM), XTVERSION, the kitty
// keyboard and XTQMODKEYS queries, and colour and clipboard queries (OSC 4,
// 10-19 and 52 ending in "?"). nil stops it. fn runs inside Write and must
// not call back into s; the slice is only valid during the call.
func (s *Screen) SetQueryFunc(fn func(q []byte)) { s.query = fn }

// csiQuery reports whether the CSI sequence just parsed, with final byte f,
// is a query.
func (p *parser) csiQuery(f byte) bool {
	switch {
	case p.ninter == 1:
		return p.inter == '$' && f == 'p' && (p.private == 0 || p.private == '?') // DECRQM
	case p.ninter != 0:
		return false
	}
	switch f {
	case 'c': // DA1, DA2, DA3
		return p.private == 0 || p.private == '>' || p.private == '='
	case 'n': // DSR, DECXCPR and the other DEC status reports
		return p.private == 0 || p.private == '?'
	case 'q': // XTVERSION
		return p.private == '>'
	case 'u': // kitty keyboard flags
		return p.private == '?'
	case 'm': // XTQMODKEYS
		return p.private == '?'
	}
	return false
}

// appendCSI re-encodes the CSI sequence just parsed, with final byte f.
func (p *parser) appendCSI(dst []byte, f byte) []byte {
	dst = append(dst, "\x1b["...)
	if p.private != 0 {
		dst = append(dst, p.private)
	}
	for i := range min(p.nparams, maxParams) {
		if i > 0 {
			if p.colon[i-1] {
				dst = append(dst, ':')
			} else {
				dst = append(dst, ';')
			}
		}
		if v := p.params[i]; v != 0 {
			dst = strconv.AppendInt(dst, int64(v), 10)
		}
	}
	if p.ninter > 0 {
		dst = append(dst, p.inter)
	}
	return append(dst, f)
}

// oscQuery reports whether an OSC payload asks for a colour or the
// clipboard: OSC 4, 10-19 or 52 with "?" as its last parameter.
func oscQuery(b []byte) bool {
	n, i := 0, 0
	for i < len(b) && i < 3 && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int(b[i]-'0')
		i++
	}
	if i == 0 || i >= len(b) || b[i] != ';' || !(n == 4 || n >= 10 && n <= 19 || n == 52) {
		return false
	}
	return len(b) >= i+2 && b[len(b)-1] == '?' && b[len(b)-2] == ';'
}
