package history

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultMemBytes      = 4 << 20
	DefaultDiskBytes     = 64 << 20
	DefaultSegmentBytes  = 4 << 20
	DefaultFlushInterval = time.Second

	minSegmentBytes = 64
	maxBackoff      = 30 * time.Second
)

// Options configure a Ring. Zero fields take the defaults above.
type Options struct {
	// Dir is the session's history directory, e.g.
	// <data>/history/<login>/<workspace>. It is created 0700.
	Dir string
	// MemBytes is the size of the in-memory ring, and so also the bound on
	// bytes waiting for a flush.
	MemBytes int
	// DiskBytes caps the segment files; the oldest are deleted beyond it.
	// It must be at least SegmentBytes.
	DiskBytes int64
	// SegmentBytes is the size at which a new segment file is started.
	SegmentBytes int64
	// FlushInterval is how often Run flushes pending output.
	FlushInterval time.Duration
	// Logger receives recovery cuts and flush failures; nil discards.
	Logger *slog.Logger
	// Now is the clock for Stats.LastFlush; nil means time.Now.
	Now func() time.Time
	// OnFlush, when set, is told how long each flush that had bytes to
	// write took and whether it failed, for metrics.
	OnFlush func(took time.Duration, err error)

	fs fileSystem // tests only; nil means the OS
}

func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		return o, fmt.Errorf("%w: empty Dir", ErrInvalidOptions)
	}
	if o.MemBytes == 0 {
		o.MemBytes = DefaultMemBytes
	}
	if o.SegmentBytes == 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.DiskBytes == 0 {
		o.DiskBytes = max(DefaultDiskBytes, o.SegmentBytes)
	}
	if o.FlushInterval == 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	switch {
	case o.MemBytes < 0:
		return o, fmt.Errorf("%w: MemBytes %d is negative", ErrInvalidOptions, o.MemBytes)
	case o.SegmentBytes < minSegmentBytes:
		return o, fmt.Errorf("%w: SegmentBytes %d is below %d", ErrInvalidOptions, o.SegmentBytes, minSegmentBytes)
	case o.DiskBytes < o.SegmentBytes:
		return o, fmt.Errorf("%w: DiskBytes %d is below SegmentBytes %d", ErrInvalidOptions, o.DiskBytes, o.SegmentBytes)
	case o.FlushInterval < 0:
		return o, fmt.Errorf("%w: FlushInterval %v is negative", ErrInvalidOptions, o.FlushInterval)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.fs == nil {
		o.fs = osFS{}
	}
	return o, nil
}

// Stats is a snapshot of a Ring's counters. Byte counts start at Open.
type Stats struct {
	Written int64 // bytes passed to Write
	Flushed int64 // bytes appended to a segment and fdatasynced
	Pending int64 // bytes in memory waiting for a flush, at most MemBytes
	// Dropped counts bytes that will never reach the disk: overrun while
	// pending, pending when Close failed to flush, or written after Close.
	Dropped     int64
	FlushErrors int64     // failed Flush calls
	LastFlush   time.Time // end of the last Flush that wrote bytes
	LastError   error     // error of the latest Flush; nil once one succeeds
	DiskBytes   int64     // bytes in segment files
}

// Ring is a session's output history: a memory ring of the newest output
// plus its flushed copy on disk. Write, AppendTo, Len and Stats never wait
// for disk I/O; Flush, Run and Close do the I/O. All methods are safe for
// concurrent use.
type Ring struct {
	opts       Options
	log        *slog.Logger
	maxPayload int
	// kick wakes Run for an early flush when pending output passes half of
	// MemBytes, so that a burst faster than FlushInterval reaches the disk
	// instead of being overwritten in the ring. Capacity 1.
	kick chan struct{}
	// dirty wakes an idle Run when output arrives in a ring that had
	// nothing pending: an idle session's flusher sleeps without a timer.
	// Capacity 1.
	dirty chan struct{}

	// mu guards the following. It is never held across I/O.
	mu sync.Mutex
	// buf is the ring storage: stream offset o lives at buf[o%MemBytes].
	// It grows to MemBytes as output arrives, so an idle session holds
	// little: until the stream first passes MemBytes every offset in use
	// is below len(buf).
	buf     []byte
	end     int64 // stream offset just past the newest byte
	size    int   // bytes held in buf, ending at end
	diskEnd int64 // stream offset up to which bytes are on disk or dropped
	closed  bool
	written int64
	flushed int64
	dropped int64
	errs    int64
	lastAt  time.Time
	lastErr error
	diskSum int64 // mirror of diskTotal for Stats

	// flushMu serialises Flush and Close; it guards the following.
	flushMu   sync.Mutex
	segs      []segment // oldest first; appends go to the last
	diskTotal int64     // sum of segs sizes
	cur       file      // append handle of the last segment; nil until needed
	curBroken bool      // cur may end in a torn record: start a new segment
	dirDirty  bool      // a segment was created or removed since the last dir fsync
	scratch   []byte    // one framed record
	failing   bool      // in a streak of failed flushes (log once per streak)
	shut      bool      // Close has run
}

// Open recovers the history in opts.Dir and returns a Ring holding its last
// MemBytes of output in memory. Torn or corrupt record tails are truncated
// away (see the package doc); a read error fails Open instead.
func Open(opts Options) (*Ring, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open history: %w", err)
	}
	if err := o.fs.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("open history: create dir: %w", err)
	}
	r := &Ring{
		kick:       make(chan struct{}, 1),
		dirty:      make(chan struct{}, 1),
		opts:       o,
		log:        o.Logger.With("component", "history", "dir", o.Dir),
		maxPayload: int(min(maxRecord, o.SegmentBytes-headerLen)),
	}
	segs, err := listSegments(o.fs, o.Dir)
	if err != nil {
		return nil, fmt.Errorf("open history: %w", err)
	}
	for i := range segs {
		if err := r.recoverSegment(&segs[i]); err != nil {
			return nil, fmt.Errorf("open history: %w", err)
		}
		r.diskTotal += segs[i].size
	}
	r.segs = segs
	r.diskEnd = r.end
	r.enforceCap()
	if r.dirDirty {
		if err := o.fs.SyncDir(o.Dir); err == nil {
			r.dirDirty = false
		}
	}
	r.diskSum = r.diskTotal
	return r, nil
}

// recoverSegment scans one segment into the memory ring, cuts a torn or
// corrupt tail, and sets seg.size.
func (r *Ring) recoverSegment(seg *segment) error {
	path := filepath.Join(r.opts.Dir, segName(seg.seq))
	f, err := r.opts.fs.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("recover segment: %w", err)
	}
	defer f.Close()
	sc := newScanner(f)
	for sc.next() {
		r.put(sc.payload) // recovered bytes: in memory, already on disk, not counted
	}
	seg.size = sc.off
	if sc.err == nil {
		return nil
	}
	if !errors.Is(sc.err, ErrCorrupt) {
		return fmt.Errorf("recover segment %s: %w", path, sc.err)
	}
	r.log.Warn("history segment cut at last good record",
		"segment", segName(seg.seq), "offset", sc.off, "reason", sc.err)
	if err := f.Truncate(sc.off); err != nil {
		return fmt.Errorf("recover segment: truncate %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("recover segment: sync %s: %w", path, err)
	}
	return nil
}

// minGrow is the smallest step in which buf grows.
const minGrow = 4 << 10

// put copies p into the ring; the caller holds mu (or owns r exclusively).
func (r *Ring) put(p []byte) {
	c := r.opts.MemBytes // at least 1: Options reject a negative MemBytes, 0 means the default
	if len(p) > c {
		r.end += int64(len(p) - c)
		p = p[len(p)-c:]
	}
	r.grow(min(r.end+int64(len(p)), int64(c)))
	pos := int(r.end % int64(c))
	n := copy(r.buf[pos:], p)
	copy(r.buf, p[n:])
	r.end += int64(len(p))
	r.size = min(r.size+len(p), c)
}

// grow makes buf at least need bytes long (need <= MemBytes), doubling so
// that a session's output costs amortised constant copying. A stream that
// has passed MemBytes gets all of it: its offsets wrap.
func (r *Ring) grow(need int64) {
	if int64(len(r.buf)) >= need {
		return
	}
	if r.end > int64(len(r.buf)) {
		need = int64(r.opts.MemBytes)
	}
	n := min(max(need, int64(2*len(r.buf)), minGrow), int64(r.opts.MemBytes))
	nb := make([]byte, n)
	copy(nb, r.buf)
	r.buf = nb
}

// copyOut copies the ring bytes at stream offset from into dst; the caller
// holds mu and has checked that they are still in the ring.
func (r *Ring) copyOut(dst []byte, from int64) {
	pos := int(from % int64(r.opts.MemBytes))
	n := copy(dst, r.buf[pos:])
	copy(dst[n:], r.buf)
}

// Write copies p into the memory ring, where it waits for the next flush. It
// never blocks on disk I/O, allocates only while the ring grows towards
// MemBytes, and never fails. If pending bytes would exceed MemBytes the
// oldest are dropped (Stats.Dropped). After Close, p is dropped and
// counted.
func (r *Ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		r.dropped += int64(len(p))
		return len(p), nil
	}
	r.written += int64(len(p))
	if r.end == r.diskEnd {
		select {
		case r.dirty <- struct{}{}:
		default:
		}
	}
	r.put(p)
	if low := r.end - int64(r.opts.MemBytes); r.diskEnd < low {
		r.dropped += low - r.diskEnd
		r.diskEnd = low
	}
	if r.end-r.diskEnd >= int64(r.opts.MemBytes/2) {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// AppendTo appends the output held in memory, oldest first, to dst. It
// holds at most MemBytes: recovered history first, then what was written.
func (r *Ring) AppendTo(dst []byte) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.size == 0 {
		return dst
	}
	n := len(dst)
	dst = append(dst, make([]byte, r.size)...)
	r.copyOut(dst[n:], r.end-int64(r.size))
	return dst
}

// Len returns the number of bytes AppendTo would append.
func (r *Ring) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.size
}

// Stats returns a snapshot of the counters.
func (r *Ring) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{
		Written:     r.written,
		Flushed:     r.flushed,
		Pending:     r.end - r.diskEnd,
		Dropped:     r.dropped,
		FlushErrors: r.errs,
		LastFlush:   r.lastAt,
		LastError:   r.lastErr,
		DiskBytes:   r.diskSum,
	}
}

// Close flushes what is pending and closes the segment file. Bytes it could
// not flush are counted as dropped, and so are bytes written afterwards
// (Write keeps working and never panics). Close is idempotent.
func (r *Ring) Close() error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	if r.shut {
		return nil
	}
	err := r.flushLocked()
	r.shut = true
	r.mu.Lock()
	r.closed = true
	r.dropped += r.end - r.diskEnd
	r.diskEnd = r.end
	r.mu.Unlock()
	if r.cur != nil {
		if cerr := r.cur.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close segment: %w", cerr))
		}
		r.cur = nil
	}
	if err != nil {
		return fmt.Errorf("close history: %w", err)
	}
	return nil
}
