package commands

import (
	"context"
)

type whoamiRecord struct {
	Login       string      `json:"login"`
	Fingerprint string      `json:"fingerprint"`
	Admin       bool        `json:"admin"`
	Disk        *diskRecord `json:"disk,omitempty"` // only with a disk quota
}

// Whoami prints the caller's login, the fingerprint of the key used and the
// role (user or admin).
func Whoami() Command { return WhoamiDisk(nil) }

// WhoamiDisk is Whoami that also prints, when a disk quota is in force,
// the caller's disk use against it (a fourth field).
func WhoamiDisk(d Disk) Command {
	return Command{
		Name:    "whoami",
		Args:    "[--json]",
		Summary: "print your login, the fingerprint of the key you used, your role, and your disk use when there is a quota",
		Flags:   []Flag{jsonFlag},
		Run: func(_ context.Context, env Env, args []string) error {
			asJSON, err := jsonOnly(args, "whoami")
			if err != nil {
				return err
			}
			id := env.Identity
			var disk *DiskUsage
			if d != nil {
				if u, ok := d.DiskUsage(id.Login); ok {
					disk = &u
				}
			}
			if asJSON {
				rec := whoamiRecord{Login: id.Login, Fingerprint: id.Fingerprint, Admin: id.Admin}
				if disk != nil {
					rec.Disk = newDiskRecord(*disk)
				}
				return writeJSON(stdout(env), rec)
			}
			role := "user"
			if id.Admin {
				role = "admin"
			}
			fields := []string{id.Login, id.Fingerprint, role}
			if disk != nil {
				fields = append(fields, "disk "+disk.Summary)
			}
			t := newTable(stdout(env))
			t.row(fields...)
			return t.flush()
		},
	}
}
