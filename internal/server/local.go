package server

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// localUser is the login and key directory warren lets in when no
// allowlist is configured: the user running the server, with their own
// public keys (~/.ssh/*.pub and ~/.ssh/authorized_keys, listed again
// whenever they may have changed). The login is $USER, else $LOGNAME, else
// the name of the process's user in the passwd database, as a container
// shell or a service often sets neither variable.
func localUser(getenv func(string) string) (login, keyDir string) {
	login = strings.ToLower(getenv("USER"))
	if login == "" {
		login = strings.ToLower(getenv("LOGNAME"))
	}
	if login == "" {
		if u, err := user.Current(); err == nil {
			login = strings.ToLower(u.Username)
		}
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		if u, err := user.Current(); err == nil {
			home = u.HomeDir
		}
	}
	if home == "" {
		return login, ""
	}
	if abs, err := filepath.Abs(home); err == nil {
		home = abs
	}
	return login, filepath.Join(home, ".ssh")
}
