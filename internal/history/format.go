package history

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strconv"
	"strings"
)

const (
	magic0     = 'w'
	magic1     = 'h'
	version    = 1
	headerLen  = 11
	maxRecord  = 1 << 20 // largest payload of one record
	segSuffix  = ".seg"
	seqDigits  = 12
	readBuffer = 64 << 10
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// putHeader writes the record header for payload into hdr[:headerLen].
func putHeader(hdr, payload []byte) {
	hdr[0], hdr[1], hdr[2] = magic0, magic1, version
	binary.LittleEndian.PutUint32(hdr[3:7], uint32(len(payload)))
	binary.LittleEndian.PutUint32(hdr[7:11], crc32.Checksum(payload, castagnoli))
}

// segment is one segment file as the package tracks it.
type segment struct {
	seq  uint64
	size int64 // bytes of whole records
}

func segName(seq uint64) string {
	return fmt.Sprintf("%0*d%s", seqDigits, seq, segSuffix)
}

// parseSegName returns the sequence number of a segment file name.
func parseSegName(name string) (uint64, bool) {
	stem, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(stem) < seqDigits {
		return 0, false
	}
	for _, c := range []byte(stem) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	seq, err := strconv.ParseUint(stem, 10, 64)
	if err != nil || seq == 0 {
		return 0, false
	}
	return seq, true
}

// listSegments returns the segments in dir, oldest first, with size 0.
func listSegments(fsys fileSystem, dir string) ([]segment, error) {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	var segs []segment
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if seq, ok := parseSegName(e.Name()); ok {
			segs = append(segs, segment{seq: seq})
		}
	}
	slices.SortFunc(segs, func(a, b segment) int {
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	return segs, nil
}

// corruptError says where and why a segment stops being readable.
type corruptError struct {
	off    int64
	reason string
}

func (e *corruptError) Error() string {
	return fmt.Sprintf("corrupt record at offset %d: %s", e.off, e.reason)
}

func (e *corruptError) Unwrap() error { return ErrCorrupt }

// scanner reads records from one segment. After next returns false, err is
// nil at a clean end, a *corruptError (wrapping ErrCorrupt) at a torn or bad
// record, or the read error; off is the end of the last good record.
type scanner struct {
	br      *bufio.Reader
	hdr     [headerLen]byte
	payload []byte // the current record's payload, valid until the next call
	off     int64
	err     error
}

func newScanner(r io.Reader) *scanner {
	return &scanner{br: bufio.NewReaderSize(r, readBuffer)}
}

func (s *scanner) next() bool {
	if s.err != nil {
		return false
	}
	if _, err := io.ReadFull(s.br, s.hdr[:]); err != nil {
		switch {
		case errors.Is(err, io.EOF):
			// clean end
		case errors.Is(err, io.ErrUnexpectedEOF):
			s.err = &corruptError{s.off, "short header"}
		default:
			s.err = fmt.Errorf("read record header: %w", err)
		}
		return false
	}
	if s.hdr[0] != magic0 || s.hdr[1] != magic1 {
		s.err = &corruptError{s.off, "bad magic"}
		return false
	}
	if s.hdr[2] != version {
		s.err = &corruptError{s.off, fmt.Sprintf("unknown version %d", s.hdr[2])}
		return false
	}
	n := binary.LittleEndian.Uint32(s.hdr[3:7])
	if n == 0 || n > maxRecord {
		s.err = &corruptError{s.off, fmt.Sprintf("bad length %d", n)}
		return false
	}
	if cap(s.payload) < int(n) {
		s.payload = make([]byte, n, max(int(n), min(2*cap(s.payload), maxRecord)))
	}
	s.payload = s.payload[:n]
	if _, err := io.ReadFull(s.br, s.payload); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			s.err = &corruptError{s.off, "short payload"}
		} else {
			s.err = fmt.Errorf("read record payload: %w", err)
		}
		return false
	}
	if crc32.Checksum(s.payload, castagnoli) != binary.LittleEndian.Uint32(s.hdr[7:11]) {
		s.err = &corruptError{s.off, "checksum mismatch"}
		return false
	}
	s.off += headerLen + int64(n)
	return true
}
