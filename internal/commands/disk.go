package commands

import "time"

// DiskUsage is a login's disk use against its quota (--disk-quota).
type DiskUsage struct {
	Used     int64     // bytes its workspaces and HOME took at the last measurement
	Quota    int64     // bytes
	Measured time.Time // zero: not measured yet
	Summary  string    // for people: "1.2 MiB of 5.0 GiB"
}

// Disk tells logins' disk use; ok is false when no quota is in force.
type Disk interface {
	DiskUsage(login string) (u DiskUsage, ok bool)
}

// diskRecord is DiskUsage in JSON.
type diskRecord struct {
	Used       *int64   `json:"used"` // null until measured
	Quota      int64    `json:"quota"`
	MeasuredAt jsonTime `json:"measured_at"`
	Over       bool     `json:"over"`
}

func newDiskRecord(u DiskUsage) *diskRecord {
	r := &diskRecord{Quota: u.Quota, MeasuredAt: jsonTime(u.Measured)}
	if !u.Measured.IsZero() {
		used := u.Used
		r.Used, r.Over = &used, used > u.Quota
	}
	return r
}
