package screen

// Combining marks are rare, so cells do not carry them: a cell points into
// Screen.combs, an arena of strings. Entries are never changed in place;
// overwritten cells leave garbage behind, which compactCombs drops by
// keeping only the entries the two grids still reference. The arena is thus
// bounded by twice the number of cells.

const minCombMax = 256

func (s *Screen) combString(c *cell) string {
	if c.comb == 0 {
		return ""
	}
	return s.combs[c.comb-1]
}

// setComb makes c carry the combining marks v.
func (s *Screen) setComb(c *cell, v string) {
	if len(s.combs) >= max(s.combMax, minCombMax) {
		s.compactCombs()
	}
	s.combs = append(s.combs, v)
	c.comb = uint32(len(s.combs))
}

func (s *Screen) compactCombs() {
	old := s.combs
	s.combs = make([]string, 0, len(old)/2+1)
	for _, g := range []*grid{&s.main, &s.alt} {
		for _, row := range g.rows {
			for x := range row {
				if c := &row[x]; c.comb != 0 {
					s.combs = append(s.combs, old[c.comb-1])
					c.comb = uint32(len(s.combs))
				}
			}
		}
	}
	s.combMax = 2 * len(s.combs)
}
