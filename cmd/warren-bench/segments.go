package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// The record framing of warren's history segments (internal/history):
// "wh", a version byte, the payload length (uint32 LE), its CRC32C
// (uint32 LE), then the payload.
const (
	recHeaderLen = 11
	recVersion   = 1
	recMaxLen    = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segmentPayload returns the payload bytes of the valid records at the start
// of one segment: it stops at the end of the stream or at the first torn or
// corrupt record, which a crash may leave behind and replay ignores too.
func segmentPayload(r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var hdr [recHeaderLen]byte
	var payload []byte
	var total int64
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return total, nil
			}
			return total, fmt.Errorf("read segment: %w", err)
		}
		n := binary.LittleEndian.Uint32(hdr[3:7])
		if hdr[0] != 'w' || hdr[1] != 'h' || hdr[2] != recVersion || n == 0 || n > recMaxLen {
			return total, nil
		}
		if cap(payload) < int(n) {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(br, payload); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return total, nil
			}
			return total, fmt.Errorf("read segment: %w", err)
		}
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[7:11]) {
			return total, nil
		}
		total += int64(n)
	}
}

// historyPayload sums segmentPayload over the *.seg files of one session's
// history directory.
func historyPayload(dir string) (int64, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		return 0, fmt.Errorf("list segments: %w", err)
	}
	sort.Strings(names)
	var total int64
	for _, name := range names {
		n, err := fileSegmentPayload(name)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func fileSegmentPayload(name string) (int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, fmt.Errorf("open segment: %w", err)
	}
	defer f.Close()
	return segmentPayload(f)
}
