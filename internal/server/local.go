package server

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// localUser is the login and key files warren lets in when no allowlist is
// configured: the user running the server, with their own public keys
// (~/.ssh/*.pub and ~/.ssh/authorized_keys).
func localUser(getenv func(string) string) (login string, keyFiles []string) {
	login = strings.ToLower(getenv("USER"))
	if login == "" {
		login = strings.ToLower(getenv("LOGNAME"))
	}
	if login == "" {
		// A container shell or a service often sets neither.
		if u, err := user.Current(); err == nil {
			login = strings.ToLower(u.Username)
		}
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return login, nil
	}
	pubs, _ := filepath.Glob(filepath.Join(home, ".ssh", "*.pub"))
	keyFiles = append(keyFiles, pubs...)
	if ak := filepath.Join(home, ".ssh", "authorized_keys"); fileExists(ak) {
		keyFiles = append(keyFiles, ak)
	}
	return login, keyFiles
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
