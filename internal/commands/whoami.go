package commands

import (
	"context"
)

type whoamiRecord struct {
	Login       string `json:"login"`
	Fingerprint string `json:"fingerprint"`
	Admin       bool   `json:"admin"`
}

// Whoami prints the caller's login, the fingerprint of the key used and the
// role (user or admin).
func Whoami() Command {
	return Command{
		Name:    "whoami",
		Args:    "[--json]",
		Summary: "print your login and the fingerprint of the key you used",
		Flags:   []Flag{jsonFlag},
		Run: func(_ context.Context, env Env, args []string) error {
			asJSON, err := jsonOnly(args, "whoami")
			if err != nil {
				return err
			}
			id := env.Identity
			if asJSON {
				return writeJSON(stdout(env), whoamiRecord{id.Login, id.Fingerprint, id.Admin})
			}
			role := "user"
			if id.Admin {
				role = "admin"
			}
			t := newTable(stdout(env))
			t.row(id.Login, id.Fingerprint, role)
			return t.flush()
		},
	}
}
