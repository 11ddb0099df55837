package quota

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// du is the reference: allocated bytes of everything under roots, each
// inode once, links not followed, mounts not crossed.
func du(t *testing.T, roots ...string) int64 {
	t.Helper()
	var total int64
	seen := map[[2]uint64]bool{}
	for _, root := range roots {
		fi, err := os.Lstat(root)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		dev := fi.Sys().(*syscall.Stat_t).Dev
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return err
			}
			st := fi.Sys().(*syscall.Stat_t)
			if st.Dev != dev {
				return filepath.SkipDir
			}
			id := [2]uint64{st.Dev, st.Ino}
			if seen[id] {
				return nil
			}
			seen[id] = true
			total += st.Blocks * 512
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return total
}

func writeFile(t *testing.T, path string, size int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root, outside string)
		// want is checked against du; min bounds it from below, max from
		// above (0: not checked).
		min, max int64
	}{
		{name: "empty", setup: func(t *testing.T, root, outside string) {}},
		{name: "files and directories", min: 3 << 20, setup: func(t *testing.T, root, outside string) {
			writeFile(t, filepath.Join(root, "a", "b", "one"), 1<<20)
			writeFile(t, filepath.Join(root, "a", "two"), 2<<20)
			writeFile(t, filepath.Join(root, "small"), 10)
		}},
		{name: "hard links count once", min: 2 << 20, max: 3 << 20, setup: func(t *testing.T, root, outside string) {
			writeFile(t, filepath.Join(root, "blob"), 2<<20)
			for _, l := range []string{"l1", "d/l2", "d/e/l3"} {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(root, l)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Link(filepath.Join(root, "blob"), filepath.Join(root, l)); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{name: "symlinks not followed", max: 1 << 20, setup: func(t *testing.T, root, outside string) {
			writeFile(t, filepath.Join(outside, "big"), 8<<20)
			if err := os.MkdirAll(root, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, target := range map[string]string{"file": filepath.Join(outside, "big"), "dir": outside, "loop": ".", "up": ".."} {
				if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{name: "sparse file counts its blocks", max: 1 << 20, setup: func(t *testing.T, root, outside string) {
			if err := os.MkdirAll(root, 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(filepath.Join(root, "sparse"))
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(1 << 30); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}},
		{name: "root is a symlink", max: 0, setup: func(t *testing.T, root, outside string) {
			writeFile(t, filepath.Join(outside, "big"), 4<<20)
			if err := os.Symlink(outside, root); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
			tt.setup(t, root, outside)
			u, err := Measure(context.Background(), []string{root, filepath.Join(base, "missing")}, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := int64(0)
			if fi, err := os.Lstat(root); err == nil && fi.IsDir() {
				want = du(t, root)
			}
			if u.Bytes != want {
				t.Errorf("Measure = %d bytes; want %d (du)", u.Bytes, want)
			}
			if u.Bytes < tt.min || (tt.max > 0 && u.Bytes > tt.max) {
				t.Errorf("Measure = %d bytes; want it in [%d, %d]", u.Bytes, tt.min, tt.max)
			}
			if u.Measured.IsZero() {
				t.Errorf("Measured is zero")
			}
		})
	}
}

// TestMeasureMountNotCrossed mounts a tmpfs inside the tree: what is in it
// belongs to another file system, and is not counted.
func TestMeasureMountNotCrossed(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs")
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "mine"), 1<<20)
	mnt := filepath.Join(root, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=16m"); err != nil {
		t.Fatalf("mount a tmpfs (root without CAP_SYS_ADMIN?): %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, 0) })
	writeFile(t, filepath.Join(mnt, "theirs"), 8<<20)
	u, err := Measure(context.Background(), []string{root}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if u.Bytes < 1<<20 || u.Bytes > 2<<20 {
		t.Errorf("Measure = %d bytes; want the 1 MiB of the tree's own file system only", u.Bytes)
	}
}

func TestMeasurePaced(t *testing.T) {
	root := t.TempDir()
	for i := range 300 {
		writeFile(t, filepath.Join(root, "d", string(rune('a'+i%26)), "f"+string(rune('a'+i/26))), 1)
	}
	const rate = 1000
	u, err := Measure(context.Background(), []string{root}, rate)
	if err != nil {
		t.Fatal(err)
	}
	// 300-odd entries at 1000 a second take at least 0.25 s (the pace is
	// checked every paceEvery entries).
	if min := time.Duration(u.Entries/paceEvery*paceEvery) * time.Second / rate; u.Took < min {
		t.Errorf("%d entries took %s at %d a second; want at least %s", u.Entries, u.Took, rate, min)
	}
	if u.Entries < 300 {
		t.Errorf("counted %d entries; want at least 300", u.Entries)
	}
}

func TestMeasureCancelled(t *testing.T) {
	root := t.TempDir()
	for i := range 200 {
		writeFile(t, filepath.Join(root, "f"+string(rune('a'+i%26))+string(rune('a'+i/26))), 1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Measure(ctx, []string{root}, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("Measure with a cancelled context: %v; want context.Canceled", err)
	}
}

// FuzzMeasure builds a tree from the input (directories, files of some
// blocks, hard links, symlinks out of the tree and in loops) and checks
// Measure against the reference du.
func FuzzMeasure(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5})
	f.Add([]byte{1, 1, 1, 0, 3, 3, 2, 4})
	f.Add([]byte{0, 0, 0, 0, 1, 9, 2, 200})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		base := t.TempDir()
		root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
		writeFile(t, filepath.Join(outside, "big"), 1<<20)
		dirs, files := []string{root}, []string{}
		if err := os.Mkdir(root, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, op := range ops {
			parent := dirs[int(op>>3)%len(dirs)]
			name := filepath.Join(parent, "e"+string(rune('a'+i%26))+string(rune('a'+i/26)))
			switch op % 5 {
			case 0:
				if os.Mkdir(name, 0o755) == nil {
					dirs = append(dirs, name)
				}
			case 1:
				writeFile(t, name, int(op)*97)
				files = append(files, name)
			case 2:
				if len(files) > 0 {
					_ = os.Link(files[int(op)%len(files)], name)
				}
			case 3:
				_ = os.Symlink(filepath.Join(outside, "big"), name)
			case 4:
				_ = os.Symlink(parent, name)
			}
		}
		u, err := Measure(context.Background(), []string{root}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := du(t, root); u.Bytes != want {
			t.Fatalf("Measure = %d bytes; want %d (du)", u.Bytes, want)
		}
	})
}
