package history

import (
	"fmt"
	"testing"
)

func BenchmarkWrite(b *testing.B) {
	r := mustOpen(b, Options{Dir: b.TempDir()})
	p := pattern(4<<10, 1)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		r.Write(p)
	}
}

// BenchmarkFlush writes one chunk and flushes it: append plus fdatasync.
func BenchmarkFlush(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 10} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			r := mustOpen(b, Options{Dir: b.TempDir(), DiskBytes: 64 << 20})
			p := pattern(size, 2)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				r.Write(p)
				if err := r.Flush(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpen recovers 16 MiB of history in 4 KiB records.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	r := mustOpen(b, Options{Dir: dir, DiskBytes: 64 << 20})
	p := pattern(4<<10, 3)
	for range 4096 {
		r.Write(p)
		if err := r.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	r.Close()
	b.SetBytes(16 << 20)
	for b.Loop() {
		r, err := Open(Options{Dir: dir, DiskBytes: 64 << 20})
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
