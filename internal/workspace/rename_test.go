package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Renaming a finished clone into place never replaces anything, not even
// an empty directory (which plain rename(2) would silently replace).
func TestRenameNoReplace(t *testing.T) {
	tests := []struct {
		name  string
		setup func(path string) error // makes the target; nil leaves it free
	}{
		{"free", nil},
		{"empty dir", func(p string) error { return os.Mkdir(p, 0o700) }},
		{"symlink", func(p string) error { return os.Symlink("/", p) }},
		{"dangling symlink", func(p string) error { return os.Symlink("/nonexistent", p) }},
		{"file", func(p string) error { return os.WriteFile(p, nil, 0o600) }},
	}
	for _, rename := range []struct {
		name string
		fn   func(*os.Root, string, string) error
	}{{"renameNoReplace", renameNoReplace}, {"renameChecked", renameChecked}} {
		for _, tt := range tests {
			t.Run(rename.name+"/"+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				if err := os.Mkdir(filepath.Join(dir, ".clone-x"), 0o700); err != nil {
					t.Fatal(err)
				}
				if tt.setup != nil {
					if err := tt.setup(filepath.Join(dir, "ws")); err != nil {
						t.Fatal(err)
					}
				}
				r, err := os.OpenRoot(dir)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				err = rename.fn(r, ".clone-x", "ws")
				if tt.setup == nil {
					if err != nil {
						t.Errorf("rename to a free name: %v", err)
					}
					mustNotExist(t, filepath.Join(dir, ".clone-x"))
					return
				}
				if !errors.Is(err, fs.ErrExist) {
					t.Errorf("rename onto %s: got %v; want fs.ErrExist", tt.name, err)
				}
				mustExist(t, filepath.Join(dir, ".clone-x"))
			})
		}
	}
}
