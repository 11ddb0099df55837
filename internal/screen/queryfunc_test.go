package screen

import (
	"fmt"
	"testing"
)

func TestQueryFunc(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"DA1", "a\x1b[cb", []string{"\x1b[c"}},
		{"DA1 with 0", "\x1b[0c", []string{"\x1b[c"}},
		{"DA2 and DA3", "\x1b[>c\x1b[=c", []string{"\x1b[>c", "\x1b[=c"}},
		{"cursor position", "\x1b[6n\x1b[?6n", []string{"\x1b[6n", "\x1b[?6n"}},
		{"DECRQM", "\x1b[?2026$p\x1b[4$p", []string{"\x1b[?2026$p", "\x1b[4$p"}},
		{"XTVERSION", "\x1b[>q\x1b[>0q", []string{"\x1b[>q", "\x1b[>q"}},
		{"kitty keyboard", "\x1b[?u", []string{"\x1b[?u"}},
		{"XTQMODKEYS", "\x1b[?4m", []string{"\x1b[?4m"}},
		{"background colour, BEL", "\x1b]11;?\a", []string{"\x1b]11;?\a"}},
		{"palette colour, ST", "\x1b]4;1;?\x1b\\", []string{"\x1b]4;1;?\x1b\\"}},
		{"clipboard", "\x1b]52;c;?\a", []string{"\x1b]52;c;?\a"}},
		{"split across writes", "\x1b[", []string{"\x1b[6n"}},
		{"not queries", "\x1b[1;2H\x1b[31m\x1b[?25l\x1b]2;why?\a\x1b]8;;http://x/?\a\x1b]11;#000\a\x1b[>4;1m\x1b[>1u\x1b[2 q", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(20, 5, 0)
			var got []string
			s.SetQueryFunc(func(q []byte) { got = append(got, string(q)) })
			s.Write([]byte(tt.in))
			if tt.name == "split across writes" {
				s.Write([]byte("6n"))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
