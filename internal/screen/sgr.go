package screen

import "strconv"

// sgr applies an SGR sequence to the pen. Colour sub-parameters may be
// given with ':' (38:2::r:g:b, 38:5:n, 4:3) or ';' (38;2;r;g;b, 38;5;n).
func (s *Screen) sgr() {
	p := &s.p
	n := min(p.nparams, maxParams)
	if n == 0 {
		s.pen = style{}
		return
	}
	for i := 0; i < n; i++ {
		v := p.params[i]
		// Sub-parameters of this parameter: params[i+1 : i+1+nsub].
		nsub := 0
		for j := i; j < n-1 && p.colon[j]; j++ {
			nsub++
		}
		switch {
		case v == 0:
			s.pen = style{}
		case v == 1:
			s.pen.attr |= attrBold
		case v == 2:
			s.pen.attr |= attrFaint
		case v == 3:
			s.pen.attr |= attrItalic
		case v == 4:
			ul := ulSingle
			if nsub > 0 {
				ul = attr(min(p.params[i+1], 5)) << ulShift
			}
			s.pen.attr = s.pen.attr&^ulMask | ul
		case v == 5 || v == 6:
			s.pen.attr |= attrBlink
		case v == 7:
			s.pen.attr |= attrReverse
		case v == 8:
			s.pen.attr |= attrConceal
		case v == 9:
			s.pen.attr |= attrStrike
		case v == 21:
			s.pen.attr = s.pen.attr&^ulMask | ulDouble
		case v == 22:
			s.pen.attr &^= attrBold | attrFaint
		case v == 23:
			s.pen.attr &^= attrItalic
		case v == 24:
			s.pen.attr &^= ulMask
		case v == 25:
			s.pen.attr &^= attrBlink
		case v == 27:
			s.pen.attr &^= attrReverse
		case v == 28:
			s.pen.attr &^= attrConceal
		case v == 29:
			s.pen.attr &^= attrStrike
		case v >= 30 && v <= 37:
			s.pen.fg = colorBasic | color(v-30)
		case v == 38, v == 48, v == 58:
			c, used := s.extColor(i+1, nsub)
			if c != 0 {
				switch v {
				case 38:
					s.pen.fg = c
				case 48:
					s.pen.bg = c
				default:
					s.pen.ul = c
				}
			}
			if nsub == 0 {
				i += used
			}
		case v == 39:
			s.pen.fg = 0
		case v >= 40 && v <= 47:
			s.pen.bg = colorBasic | color(v-40)
		case v == 49:
			s.pen.bg = 0
		case v == 53:
			s.pen.attr |= attrOverline
		case v == 55:
			s.pen.attr &^= attrOverline
		case v == 59:
			s.pen.ul = 0
		case v >= 90 && v <= 97:
			s.pen.fg = colorBasic | color(v-90+8)
		case v >= 100 && v <= 107:
			s.pen.bg = colorBasic | color(v-100+8)
		}
		i += nsub
	}
}

// extColor decodes the colour after 38/48/58 starting at params[i]. With
// nsub > 0 the colour is in that many colon sub-parameters; otherwise it
// takes the following ';' parameters and used says how many.
func (s *Screen) extColor(i, nsub int) (c color, used int) {
	p := &s.p
	n := min(p.nparams, maxParams)
	avail := n - i
	if nsub > 0 {
		avail = nsub
	}
	if avail < 1 {
		return 0, 0
	}
	arg := func(k int) int32 { return p.params[i+k] }
	switch arg(0) {
	case 5:
		if avail < 2 {
			return 0, avail
		}
		return colorIndexed | color(min(arg(1), 255)), 2
	case 2:
		k := 1
		if nsub >= 5 {
			k = 2 // 38:2:colourspace:r:g:b
		}
		if avail < k+3 {
			return 0, avail
		}
		r, g, b := min(arg(k), 255), min(arg(k+1), 255), min(arg(k+2), 255)
		return colorRGB | color(r)<<16 | color(g)<<8 | color(b), k + 3
	}
	return 0, 1
}

// appendSGR appends the shortest simple SGR sequence turning pen from
// into to: the changes only, or a reset and the full style when an
// attribute has to be turned off.
func appendSGR(dst []byte, from, to style) []byte {
	if from == to {
		return dst
	}
	dst = append(dst, "\x1b["...)
	sep := false
	add := func(code string) {
		if sep {
			dst = append(dst, ';')
		}
		dst = append(dst, code...)
		sep = true
	}
	if from.attr&^to.attr != 0 || (from.fg != 0 && to.fg == 0) ||
		(from.bg != 0 && to.bg == 0) || (from.ul != 0 && to.ul == 0) {
		add("0")
		from = style{}
	}
	on := to.attr &^ from.attr
	if to.attr&ulMask != from.attr&ulMask {
		on |= to.attr & ulMask
	}
	for _, a := range [...]struct {
		bit  attr
		code string
	}{
		{attrBold, "1"}, {attrFaint, "2"}, {attrItalic, "3"}, {attrBlink, "5"},
		{attrReverse, "7"}, {attrConceal, "8"}, {attrStrike, "9"}, {attrOverline, "53"},
	} {
		if on&a.bit != 0 {
			add(a.code)
		}
	}
	switch on & ulMask {
	case 0:
	case ulSingle:
		add("4")
	default:
		add("4:" + strconv.Itoa(int(on&ulMask>>ulShift)))
	}
	if to.fg != from.fg {
		if sep {
			dst = append(dst, ';')
		}
		dst, sep = appendColor(dst, to.fg, 30, 90, "38"), true
	}
	if to.bg != from.bg {
		if sep {
			dst = append(dst, ';')
		}
		dst, sep = appendColor(dst, to.bg, 40, 100, "48"), true
	}
	if to.ul != from.ul {
		if sep {
			dst = append(dst, ';')
		}
		c := to.ul
		if c&colorKind == colorBasic {
			c = colorIndexed | c&0xff
		}
		dst = appendColor(dst, c, 0, 0, "58")
	}
	return append(dst, 'm')
}

// appendColor appends the SGR parameters selecting c. A default colour is
// never asked for: appendSGR resets instead.
func appendColor(dst []byte, c color, base, bright int, ext string) []byte {
	v := int(c & 0xffffff)
	switch c & colorKind {
	case colorBasic:
		if v < 8 {
			return strconv.AppendInt(dst, int64(base+v), 10)
		}
		return strconv.AppendInt(dst, int64(bright+v-8), 10)
	case colorIndexed:
		dst = append(dst, ext...)
		dst = append(dst, ";5;"...)
		return strconv.AppendInt(dst, int64(v), 10)
	default:
		dst = append(dst, ext...)
		dst = append(dst, ";2;"...)
		dst = strconv.AppendInt(dst, int64(v>>16), 10)
		dst = append(dst, ';')
		dst = strconv.AppendInt(dst, int64(v>>8&0xff), 10)
		dst = append(dst, ';')
		return strconv.AppendInt(dst, int64(v&0xff), 10)
	}
}
