package commands

import (
	"context"
)

// Attach attaches the caller's terminal to a workspace's session.
func Attach() Command {
	return Command{
		Name:    "attach",
		Args:    "NAME",
		Summary: "attach to NAME's session, creating the workspace if needed (needs ssh -t)",
		Run: func(ctx context.Context, env Env, args []string) error {
			if len(args) != 1 {
				return Usagef("attach takes one workspace name")
			}
			if env.Terminal == nil {
				return Usagef("attach needs a terminal: ssh -t HOST attach %s", clip(args[0]))
			}
			code, err := env.Terminal.Attach(ctx, args[0])
			if err != nil {
				return err
			}
			if code != ExitOK {
				return &ExitError{Code: code}
			}
			return nil
		},
	}
}
