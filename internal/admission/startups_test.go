package admission

import (
	"errors"
	"testing"
)

func TestParseStartups(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Startups
		wantErr bool
	}{
		{name: "openssh default", in: "10:30:100", want: Startups{Start: 10, Rate: 30, Full: 100}},
		{name: "single number is a hard cap", in: "10", want: Startups{Start: 10, Rate: 100, Full: 10}},
		{name: "start equals full", in: "5:50:5", want: Startups{Start: 5, Rate: 50, Full: 5}},
		{name: "rate 100", in: "1:100:2", want: Startups{Start: 1, Rate: 100, Full: 2}},
		{name: "leading zeros", in: "010", want: Startups{Start: 10, Rate: 100, Full: 10}},
		{name: "empty", in: "", wantErr: true},
		{name: "zero", in: "0", wantErr: true},
		{name: "zero start", in: "0:30:100", wantErr: true},
		{name: "zero rate", in: "10:0:100", wantErr: true},
		{name: "rate above 100", in: "10:101:100", wantErr: true},
		{name: "full below start", in: "100:30:10", wantErr: true},
		{name: "two fields", in: "10:30", wantErr: true},
		{name: "four fields", in: "10:30:100:1", wantErr: true},
		{name: "negative", in: "-1", wantErr: true},
		{name: "plus sign", in: "+10", wantErr: true},
		{name: "space", in: " 10", wantErr: true},
		{name: "empty field", in: "10::100", wantErr: true},
		{name: "word", in: "ten", wantErr: true},
		{name: "huge", in: "99999999999999999999", wantErr: true},
		{name: "above bound", in: "20000000", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStartups(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidStartups) {
					t.Errorf("ParseStartups(%q): got %v, %v; want ErrInvalidStartups", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseStartups(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseStartups(%q): got %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDropProbability(t *testing.T) {
	st := DefaultStartups // 10:30:100
	tests := []struct {
		name string
		open int
		want float64
	}{
		{name: "empty", open: 0, want: 0},
		{name: "below start", open: 9, want: 0},
		{name: "at start", open: 10, want: 0.30},
		{name: "half way", open: 55, want: 0.65},
		{name: "just below full", open: 99, want: 0.30 + 0.70*89/90},
		{name: "at full", open: 100, want: 1},
		{name: "above full", open: 150, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := st.dropProbability(tt.open)
			if diff := got - tt.want; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("dropProbability(%d): got %v; want %v", tt.open, got, tt.want)
			}
		})
	}
}

// FuzzParseStartups: ParseStartups never panics, and whatever it accepts is
// valid and survives a round trip through String.
func FuzzParseStartups(f *testing.F) {
	for _, s := range []string{"10:30:100", "10", "", "0", "1:1:1", "10:101:100", "-1", "1:2:3:4", "::", "+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStartups(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidStartups) {
				t.Errorf("ParseStartups(%q): got %v; want an ErrInvalidStartups", s, err)
			}
			return
		}
		if err := st.Validate(); err != nil {
			t.Errorf("ParseStartups(%q) accepted %v, which Validate rejects: %v", s, st, err)
		}
		again, err := ParseStartups(st.String())
		if err != nil || again != st {
			t.Errorf("round trip of %q: got %v, %v; want %v", s, again, err, st)
		}
		for n := 0; n <= st.Full; n += 1 + st.Full/16 {
			if p := st.dropProbability(n); p < 0 || p > 1 {
				t.Errorf("%v dropProbability(%d) = %v; want 0..1", st, n, p)
			}
		}
	})
}
