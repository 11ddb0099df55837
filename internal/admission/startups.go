package admission

import (
	"fmt"
	"strconv"
	"strings"
)

// maxStartupsValue bounds each number in a Startups, far above any sane
// setting, so arithmetic on them cannot overflow.
const maxStartupsValue = 1 << 24

// Startups is OpenSSH's MaxStartups "start:rate:full": with fewer than Start
// unauthenticated connections every new one is accepted; from Start on, a new
// one is refused with a probability rising linearly from Rate percent (at
// Start) towards 100 percent (at Full); at Full and above all are refused.
type Startups struct {
	Start int // connections accepted unconditionally
	Rate  int // refusal percentage at Start, 1..100
	Full  int // hard cap
}

// DefaultStartups is OpenSSH's default, 10:30:100.
var DefaultStartups = Startups{Start: 10, Rate: 30, Full: 100}

// ParseStartups parses "start:rate:full" or a single "n", which means a hard
// cap of n (Start = Full = n, Rate = 100).
func ParseStartups(s string) (Startups, error) {
	parts := strings.Split(s, ":")
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := parseCount(p)
		if err != nil {
			return Startups{}, fmt.Errorf("parse startups %q: %w", s, err)
		}
		nums[i] = n
	}
	var st Startups
	switch len(nums) {
	case 1:
		st = Startups{Start: nums[0], Rate: 100, Full: nums[0]}
	case 3:
		st = Startups{Start: nums[0], Rate: nums[1], Full: nums[2]}
	default:
		return Startups{}, fmt.Errorf("parse startups %q: %w: want start:rate:full or a single number", s, ErrInvalidStartups)
	}
	if err := st.Validate(); err != nil {
		return Startups{}, fmt.Errorf("parse startups %q: %w", s, err)
	}
	return st, nil
}

// parseCount accepts only plain decimal digits: no sign, no spaces.
func parseCount(p string) (int, error) {
	if p == "" || len(p) > 8 || strings.TrimLeft(p, "0123456789") != "" {
		return 0, fmt.Errorf("%w: %q is not a number up to %d", ErrInvalidStartups, p, maxStartupsValue)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n > maxStartupsValue {
		return 0, fmt.Errorf("%w: %q is not a number up to %d", ErrInvalidStartups, p, maxStartupsValue)
	}
	return n, nil
}

// Validate reports whether s is usable: 1 <= Start <= Full, 1 <= Rate <= 100.
func (s Startups) Validate() error {
	switch {
	case s.Start < 1 || s.Start > maxStartupsValue:
		return fmt.Errorf("%w: start %d must be 1..%d", ErrInvalidStartups, s.Start, maxStartupsValue)
	case s.Full < s.Start || s.Full > maxStartupsValue:
		return fmt.Errorf("%w: full %d must be start (%d)..%d", ErrInvalidStartups, s.Full, s.Start, maxStartupsValue)
	case s.Rate < 1 || s.Rate > 100:
		return fmt.Errorf("%w: rate %d must be 1..100", ErrInvalidStartups, s.Rate)
	}
	return nil
}

// String renders s as "start:rate:full", which ParseStartups accepts.
func (s Startups) String() string {
	return fmt.Sprintf("%d:%d:%d", s.Start, s.Rate, s.Full)
}

// dropProbability is the chance, 0..1, of refusing a new connection when n
// unauthenticated connections are already open; the formula is sshd's
// drop_connection.
func (s Startups) dropProbability(n int) float64 {
	switch {
	case n >= s.Full:
		return 1
	case n < s.Start:
		return 0
	}
	p := float64(s.Rate) + float64(100-s.Rate)*float64(n-s.Start)/float64(s.Full-s.Start)
	return p / 100
}
