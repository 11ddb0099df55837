package screen

// Combining marks are rare, so cells do not carry them: a cell refers to an
// entry of Screen.combs, whose bytes live in Screen.combData. Entries are
// never changed in place; overwritten cells leave garbage behind, which
// compactCombs drops by keeping only what the two grids still refer to. The
// arena thus stays within about twice the number of cells, each entry at
// most maxCombBytes, and adding a mark allocates nothing once it has grown.

const minCombMax = 256

// combRef locates one cell's combining marks in Screen.combData.
type combRef struct{ off, n uint32 }

// combBytes returns c's combining marks; the slice is only valid until
// the next setComb.
func (s *Screen) combBytes(c *cell) []byte {
	if c.comb == 0 {
		return nil
	}
	r := s.combs[c.comb-1]
	return s.combData[r.off : r.off+r.n]
}

func (s *Screen) combString(c *cell) string { return string(s.combBytes(c)) }

// setComb makes c carry the combining marks v.
func (s *Screen) setComb(c *cell, v []byte) {
	if len(s.combs) >= max(s.combMax, minCombMax) {
		s.compactCombs()
	}
	s.combs = append(s.combs, combRef{off: uint32(len(s.combData)), n: uint32(len(v))})
	s.combData = append(s.combData, v...)
	c.comb = uint32(len(s.combs))
}

func (s *Screen) compactCombs() {
	oldRefs, oldData := s.combs, s.combData
	s.combs, s.combData = nil, nil
	for _, g := range []*grid{&s.main, &s.alt} {
		for _, row := range g.rows {
			for x := range row {
				if c := &row[x]; c.comb != 0 {
					r := oldRefs[c.comb-1]
					s.combs = append(s.combs, combRef{off: uint32(len(s.combData)), n: r.n})
					s.combData = append(s.combData, oldData[r.off:r.off+r.n]...)
					c.comb = uint32(len(s.combs))
				}
			}
		}
	}
	s.combMax = 2 * len(s.combs)
}
