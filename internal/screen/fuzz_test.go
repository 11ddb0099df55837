package screen

import (
	"fmt"
	"testing"
)

// checkInvariants returns an error when s is internally inconsistent.
func checkInvariants(s *Screen) error {
	if s.cx < 0 || s.cx >= s.cols || s.cy < 0 || s.cy >= s.rows {
		return fmt.Errorf("cursor %d,%d outside %dx%d", s.cx, s.cy, s.cols, s.rows)
	}
	if s.top < 0 || s.top >= s.bottom && s.rows > 1 || s.bottom >= s.rows {
		return fmt.Errorf("region %d-%d in %d rows", s.top, s.bottom, s.rows)
	}
	if len(s.tabs) != s.cols {
		return fmt.Errorf("%d tab stops for %d columns", len(s.tabs), s.cols)
	}
	for _, g := range s.grids() {
		if len(g.rows) != s.rows {
			return fmt.Errorf("%d rows; want %d", len(g.rows), s.rows)
		}
		for y, row := range g.rows {
			if len(row) != s.cols {
				return fmt.Errorf("row %d has %d cells; want %d", y, len(row), s.cols)
			}
			for x, c := range row {
				switch {
				case c.width == 2 && (x+1 >= s.cols || row[x+1].width != 0):
					return fmt.Errorf("wide cell at %d,%d without its continuation", x, y)
				case c.width == 0 && (x == 0 || row[x-1].width != 2):
					return fmt.Errorf("continuation at %d,%d without its wide cell", x, y)
				case int(c.comb) > len(s.combs):
					return fmt.Errorf("cell %d,%d refers to combining entry %d of %d", x, y, c.comb, len(s.combs))
				case len(s.combString(&c)) > maxCombBytes:
					return fmt.Errorf("cell %d,%d has %d bytes of combining marks", x, y, len(s.combString(&c)))
				}
			}
		}
	}
	if len(s.combs) > max(s.combMax, minCombMax)+1 || len(s.combs) > 4*s.cols*s.rows+minCombMax+1 {
		return fmt.Errorf("combining arena of %d entries", len(s.combs))
	}
	if len(s.p.osc) > maxOSCBytes || len(s.title) > maxTitleBytes {
		return fmt.Errorf("OSC buffer %d bytes, title %d bytes", len(s.p.osc), len(s.title))
	}
	if s.sb.n > s.sb.max || s.sb.size > s.sb.maxSize {
		return fmt.Errorf("scrollback %d lines, %d bytes", s.sb.n, s.sb.size)
	}
	return nil
}

func FuzzWrite(f *testing.F) {
	for _, tc := range tmuxCases {
		f.Add([]byte(tc.stream), uint8(7), uint16(0))
	}
	for _, tc := range repaintStreams {
		f.Add([]byte(tc.in), uint8(3), uint16(40))
	}
	f.Add([]byte("\x1b[2;4r\x1b[?6h\x1b[?1049h日本\u0301\x1b[4h\x1b[3@x\x1b7\x1b[99;99H\x1b8\x1b[3J"), uint8(1), uint16(5))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8, resizeEvery uint16) {
		s := New(20, 6, 30)
		step := 1 + int(chunk)%64
		writes := 0
		for i := 0; i < len(data); i += step {
			s.Write(data[i:min(i+step, len(data))])
			writes++
			if resizeEvery != 0 && writes%int(resizeEvery) == 0 {
				// Sizes from the data itself; zero and huge ones get clamped.
				s.Resize(int(data[i])%45-2, int(data[min(i+1, len(data)-1)])%14-2)
			}
			if err := checkInvariants(s); err != nil {
				t.Fatalf("after %d bytes: %v", min(i+step, len(data)), err)
			}
		}
		cols, rows := s.Size()
		if len(s.Lines()) != rows {
			t.Fatalf("Lines: got %d rows; want %d", len(s.Lines()), rows)
		}
		// The repaint must recreate the state on a fresh model.
		copyOf := New(cols, rows, 0)
		copyOf.Write(s.AppendRepaint(nil))
		if d := stateDiff(s, copyOf); len(d) > 0 {
			t.Fatalf("repaint round trip: %v", firstN(d, 5))
		}
		_ = s.AppendScrollback(nil, 1000)
	})
}
