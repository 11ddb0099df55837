package screen

// scrollback is a ring of lines that scrolled off the top of the main
// screen, each kept encoded as text and SGR (a few bytes per cell instead
// of a cell struct), bounded by a line count and by total bytes.
type scrollback struct {
	lines   [][]byte // ring storage; buffers are reused when lines are evicted
	head    int      // index of the oldest line
	n       int      // lines held
	max     int      // line limit
	size    int      // bytes held
	maxSize int      // byte limit
	// sink, when set, gets every line instead: nothing is held (Text).
	sink func(row []cell)
}

func (sb *scrollback) init(maxLines, maxSize int) {
	sb.max, sb.maxSize = maxLines, maxSize
}

func (sb *scrollback) len() int { return sb.n }

// push encodes row and appends it, evicting the oldest lines past the
// limits.
func (sb *scrollback) push(row []cell, s *Screen) {
	if sb.sink != nil {
		sb.sink(row)
		return
	}
	if sb.max == 0 {
		return
	}
	var buf []byte
	if sb.n == sb.max {
		// Reuse the oldest line's buffer.
		buf = sb.lines[sb.head][:0]
		sb.size -= len(sb.lines[sb.head])
		sb.lines[sb.head] = nil
		sb.head = (sb.head + 1) % sb.max
		sb.n--
	}
	buf = encodeLine(buf, row, s)
	for sb.n > 0 && sb.size+len(buf) > sb.maxSize {
		sb.size -= len(sb.lines[sb.head])
		sb.lines[sb.head] = nil
		sb.head = (sb.head + 1) % len(sb.lines)
		sb.n--
	}
	if sb.n == len(sb.lines) {
		sb.grow()
	}
	sb.lines[(sb.head+sb.n)%len(sb.lines)] = buf
	sb.n++
	sb.size += len(buf)
}

// grow doubles the ring storage, up to max.
func (sb *scrollback) grow() {
	n := min(max(2*len(sb.lines), 64), sb.max)
	lines := make([][]byte, n)
	for i := 0; i < sb.n; i++ {
		lines[i] = sb.lines[(sb.head+i)%len(sb.lines)]
	}
	sb.lines, sb.head = lines, 0
}

// line returns the i-th line, 0 being the oldest.
func (sb *scrollback) line(i int) []byte {
	return sb.lines[(sb.head+i)%len(sb.lines)]
}

// pop removes and returns the newest line.
func (sb *scrollback) pop() []byte {
	i := (sb.head + sb.n - 1) % len(sb.lines)
	l := sb.lines[i]
	sb.lines[i] = nil
	sb.n--
	sb.size -= len(l)
	return l
}

func (sb *scrollback) clear() {
	clear(sb.lines)
	sb.head, sb.n, sb.size = 0, 0, 0
}

// encodeLine appends row as text and SGR, starting from the default pen,
// with trailing default blanks dropped and no final reset.
func encodeLine(dst []byte, row []cell, s *Screen) []byte {
	end := len(row)
	erased := blank(0)
	for end > 0 && row[end-1] == erased {
		end--
	}
	pen := style{}
	return appendCells(dst, row[:end], &pen, s)
}

// AppendScrollback appends the last n lines of the scrollback, oldest
// first, each rendered with SGR and ending in "\x1b[0m\r\n". Written to a
// client before AppendRepaint it fills the client's own scrollback with the
// session's history; AppendAttach does both so that every line really
// leaves the client's screen.
func (s *Screen) AppendScrollback(dst []byte, n int) []byte {
	n = clamp(n, 0, s.sb.n)
	for i := s.sb.n - n; i < s.sb.n; i++ {
		dst = append(dst, s.sb.line(i)...)
		dst = append(dst, "\x1b[0m\r\n"...)
	}
	return dst
}

// AppendAttach appends what a newly attached client of the same size
// needs: the last n scrollback lines, written from the bottom row and
// scrolled off the client's screen so they all land in its own scrollback,
// then AppendRepaint.
func (s *Screen) AppendAttach(dst []byte, n int) []byte {
	return s.AppendRepaint(s.appendPushed(dst, n, s.rows))
}

// appendPushed appends the last n scrollback lines written from the bottom
// row of a client rows high and scrolled off its screen into its own
// scrollback.
func (s *Screen) appendPushed(dst []byte, n, rows int) []byte {
	n = clamp(n, 0, s.sb.n)
	if n == 0 {
		return dst
	}
	// Only the main screen, scrolling as a whole, feeds a scrollback.
	dst = append(dst, "\x1b[?1049l\x1b[0m\x1b[r\x1b[?6l"...)
	dst = appendCUP(dst, 0, rows-1)
	dst = s.AppendScrollback(dst, n)
	for range rows - 1 {
		dst = append(dst, '\n')
	}
	return dst
}
