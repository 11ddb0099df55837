package commands

import (
	"context"
	"fmt"
)

// Whoami prints the caller's login and the fingerprint of the key used.
func Whoami() Command {
	return Command{
		Name:    "whoami",
		Summary: "print your login and the fingerprint of the key you used",
		Run: func(_ context.Context, env Env, args []string) error {
			if len(args) > 0 {
				return Usagef("whoami takes no arguments")
			}
			role := "user"
			if env.Identity.Admin {
				role = "admin"
			}
			_, err := fmt.Fprintf(env.Stdout, "%s\t%s\t%s\n", env.Identity.Login, env.Identity.Fingerprint, role)
			return err
		},
	}
}
