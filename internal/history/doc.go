// Package history owns a session's output history: an in-memory ring of the
// most recent output and its durable copy in framed, checksummed segment files
// on disk, with flushing, torn-tail recovery and replay. It never touches
// PTYs, SSH or SQL.
//
// # Use
//
// A session opens one Ring per history directory, feeds every byte of PTY
// output to Write, runs Run in a goroutine it owns, calls Flush on detach and
// Close on shutdown. AppendTo returns the recent output held in memory;
// NewReader streams everything that reached the disk.
//
// Only one Ring may have a directory open at a time (the session manager
// guarantees one session per login and workspace). NewReader, DiskUsage and
// Remove may run at any time; a reader racing a flush sees a record that is
// still being written as a torn tail and ends there.
//
// # Durability
//
// Write only copies into memory. Bytes become durable when a Flush appends
// them and fdatasync returns. Run flushes every FlushInterval (default 1 s)
// whenever bytes are pending, and Close flushes once more, so a crash of the
// server or the machine loses at most the output of the last FlushInterval
// plus the duration of one flush. While the disk refuses writes (ENOSPC, EIO)
// pending bytes stay in memory and Run retries with exponential backoff
// (capped at 30 s); pending is bounded by MemBytes, and when output overruns
// it the oldest pending bytes are dropped and counted in Stats.Dropped. The
// pending bytes are the newest part of the memory ring, so bytes dropped
// from pending are gone from memory too: the history has a gap there. A crash
// during a disk failure loses everything pending, at most MemBytes.
//
// # On-disk format
//
// A history directory holds segment files named by a zero-padded, strictly
// increasing sequence number, "000000000001.seg", "000000000002.seg", ...
// Files whose names do not match are ignored. A segment is a sequence of
// records, each:
//
//	offset  size  field
//	0       2     magic "wh"
//	2       1     format version, 1
//	3       4     payload length n, little-endian uint32, 1 <= n <= 1 MiB
//	7       4     CRC-32C (Castagnoli) of the payload, little-endian
//	11      n     payload: raw PTY output bytes
//
// The history is the concatenation of all payloads, in segment order. A
// flush appends one record per MiB (or per remaining segment space) with
// O_APPEND and then calls fdatasync; a segment never grows past SegmentBytes.
// When the next record would not fit, a new segment is created with
// O_EXCL and the directory is fsynced. After each flush the oldest segments
// are deleted (and the directory fsynced) while the total exceeds DiskBytes;
// the segment being appended to is never deleted. Directories are created
// 0700 and segment files 0600: the history holds whatever the program
// printed, secrets included.
//
// # Recovery
//
// Open scans every segment. At the first record that is incomplete (short
// header or payload), has a bad magic, version or length, or fails its
// checksum, the segment is truncated to the end of the last good record and
// the cut is logged; earlier records are kept and later segments are scanned
// on their own. A failed append is cut back to the last whole record at once;
// if even that truncate fails the segment is abandoned and the next flush
// starts a new one, so no good record is ever written after a torn one. A
// read error other than end of file fails Open rather than cutting data.
// NewReader applies the same rule without modifying anything: it yields only
// checksummed records and ends a segment at its first bad record.
package history
