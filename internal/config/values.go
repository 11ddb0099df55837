package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kballard/go-shellquote"
)

// commaList is a flag.Value for "a,b,c"; empty items are dropped.
type commaList []string

func (l *commaList) String() string { return strings.Join(*l, ",") }

func (l *commaList) Set(s string) error {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	*l = out
	return nil
}

// shellWords is a flag.Value split like a POSIX shell splits words, without
// running one. An explicitly empty value gives an empty, non-nil list.
type shellWords []string

func (w *shellWords) String() string {
	if w == nil {
		return ""
	}
	return strings.Join(*w, " ")
}

func (w *shellWords) Set(s string) error {
	words, err := shellquote.Split(s)
	if err != nil {
		return fmt.Errorf("split %q: %w", s, err)
	}
	if words == nil {
		words = []string{}
	}
	*w = words
	return nil
}

// byteSize is a flag.Value for sizes such as 4MiB, 512KiB, 1G or 65536.
type byteSize int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
}

func (b *byteSize) String() string { return FormatBytes(int64(*b)) }

func (b *byteSize) Set(s string) error {
	n, err := ParseBytes(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

// ParseBytes reads a size such as "4MiB", "512K" or "65536".
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 4MiB", s)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * mult, nil
}

// FormatBytes writes n in the largest binary unit that divides it.
func FormatBytes(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// DetachByte turns a key name such as `ctrl-\` into the byte a terminal
// sends for it.
func DetachByte(name string) (byte, error) {
	k := strings.ToLower(strings.TrimSpace(name))
	rest, ok := strings.CutPrefix(k, "ctrl-")
	if !ok {
		rest, ok = strings.CutPrefix(k, "^")
	}
	if !ok || len(rest) != 1 {
		return 0, fmt.Errorf("%q is not a control key such as ctrl-\\", name)
	}
	c := rest[0]
	switch {
	case c == 'h' || c == 'i' || c == 'j' || c == 'm':
		return 0, fmt.Errorf("%q is backspace, tab or enter in a terminal; choose another key", name)
	case c >= 'a' && c <= 'z':
		return c - 'a' + 1, nil
	case c == '\\':
		return 0x1c, nil
	case c == ']':
		return 0x1d, nil
	case c == '^':
		return 0x1e, nil
	case c == '_':
		return 0x1f, nil
	}
	return 0, fmt.Errorf("%q is not a control key such as ctrl-\\", name)
}

// dayDuration is a flag.Value for durations that may also be given in days:
// "90d", "36h", "15m".
type dayDuration time.Duration

func (d *dayDuration) String() string {
	v := time.Duration(*d)
	if v != 0 && v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

func (d *dayDuration) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 100000 {
			return fmt.Errorf("%q is not a number of days such as 90d", s)
		}
		*d = dayDuration(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 90d or 36h", s)
	}
	*d = dayDuration(v)
	return nil
}
