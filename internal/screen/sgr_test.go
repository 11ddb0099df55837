package screen

import "testing"

func TestSGR(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want style
	}{
		{name: "reset", in: "\x1b[1;31m\x1b[m", want: style{}},
		{name: "reset zero", in: "\x1b[1;31m\x1b[0m", want: style{}},
		{name: "bold faint italic", in: "\x1b[1;2;3m", want: style{attr: attrBold | attrFaint | attrItalic}},
		{name: "22 clears bold and faint", in: "\x1b[1;2;3;22m", want: style{attr: attrItalic}},
		{name: "underline", in: "\x1b[4m", want: style{attr: ulSingle}},
		{name: "underline curly", in: "\x1b[4:3m", want: style{attr: ulCurly}},
		{name: "underline dotted dashed", in: "\x1b[4:4m\x1b[4:5m", want: style{attr: ulDashed}},
		{name: "underline off by 4:0", in: "\x1b[4m\x1b[4:0m", want: style{}},
		{name: "double underline", in: "\x1b[21m", want: style{attr: ulDouble}},
		{name: "24 clears underline", in: "\x1b[4:3;24m", want: style{}},
		{name: "blink rapid blink", in: "\x1b[6m", want: style{attr: attrBlink}},
		{name: "reverse conceal strike overline", in: "\x1b[7;8;9;53m", want: style{attr: attrReverse | attrConceal | attrStrike | attrOverline}},
		{name: "attribute offs", in: "\x1b[3;5;7;8;9;53m\x1b[23;25;27;28;29;55m", want: style{}},
		{name: "basic colours", in: "\x1b[31;42m", want: style{fg: colorBasic | 1, bg: colorBasic | 2}},
		{name: "bright colours", in: "\x1b[91;102m", want: style{fg: colorBasic | 9, bg: colorBasic | 10}},
		{name: "default colours", in: "\x1b[31;42;39;49m", want: style{}},
		{name: "256", in: "\x1b[38;5;196;48;5;22m", want: style{fg: colorIndexed | 196, bg: colorIndexed | 22}},
		{name: "256 colon", in: "\x1b[38:5:196m", want: style{fg: colorIndexed | 196}},
		{name: "truecolor", in: "\x1b[38;2;1;2;3;48;2;4;5;6m", want: style{fg: colorRGB | 0x010203, bg: colorRGB | 0x040506}},
		{name: "truecolor colon with colour space", in: "\x1b[38:2::1:2:3m", want: style{fg: colorRGB | 0x010203}},
		{name: "truecolor colon without colour space", in: "\x1b[38:2:1:2:3m", want: style{fg: colorRGB | 0x010203}},
		{name: "truecolor then bold", in: "\x1b[38;2;1;2;3;1m", want: style{fg: colorRGB | 0x010203, attr: attrBold}},
		{name: "colour values clamp", in: "\x1b[38;5;999m", want: style{fg: colorIndexed | 255}},
		{name: "truncated extended colour", in: "\x1b[38;5m", want: style{}},
		{name: "underline colour", in: "\x1b[58;5;9m", want: style{ul: colorIndexed | 9}},
		{name: "underline colour rgb and reset", in: "\x1b[58:2::1:2:3m\x1b[59m", want: style{}},
		{name: "unknown codes ignored", in: "\x1b[1;73;999;31m", want: style{fg: colorBasic | 1, attr: attrBold}},
		{name: "private m is not SGR", in: "\x1b[1m\x1b[>4;2m", want: style{attr: attrBold}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(10, 2, 0)
			s.Write([]byte(tt.in + "x"))
			if s.pen != tt.want {
				t.Errorf("pen: got %+v; want %+v", s.pen, tt.want)
			}
			if got := s.main.rows[0][0].style; got != tt.want {
				t.Errorf("cell style: got %+v; want %+v", got, tt.want)
			}
		})
	}
}

// TestAppendSGRRoundTrip checks that the SGR the repaint writes for any
// change of pen leads a parser to exactly the new pen.
func TestAppendSGRRoundTrip(t *testing.T) {
	styles := []style{
		{},
		{attr: attrBold | attrItalic | ulCurly},
		{attr: attrFaint | attrReverse | attrConceal | attrStrike | attrOverline | attrBlink | ulDouble},
		{fg: colorBasic | 3, bg: colorBasic | 12},
		{fg: colorIndexed | 3, bg: colorIndexed | 200, ul: colorIndexed | 5, attr: ulSingle},
		{fg: colorRGB | 0xff8000, bg: colorRGB | 0x000001, ul: colorRGB | 0x102030, attr: ulDotted},
		{bg: colorBasic | 4},
	}
	for i, from := range styles {
		for j, to := range styles {
			s := New(4, 1, 0)
			s.pen = from
			s.Write(appendSGR(nil, from, to))
			if s.pen != to {
				t.Errorf("%d to %d: %q got %+v; want %+v", i, j, appendSGR(nil, from, to), s.pen, to)
			}
		}
	}
}
