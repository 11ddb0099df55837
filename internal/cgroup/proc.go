package cgroup

import (
	"bytes"
	"strconv"
	"strings"
)

// procCgroup is one line of /proc/<pid>/cgroup: "id:controllers:path".
// The cgroup v2 line has id 0 and no controllers; a cgroup v1 hierarchy has
// a positive id and the controllers bound to it.
type procCgroup struct {
	ID          int
	Controllers []string // "pids", "memory", "name=systemd"…; nil for v2
	Path        string   // relative to the process's cgroup namespace root
}

// parseProcCgroup parses /proc/<pid>/cgroup, skipping malformed lines.
func parseProcCgroup(data []byte) []procCgroup {
	var out []procCgroup
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		idStr, rest, ok := strings.Cut(string(line), ":")
		if !ok {
			continue
		}
		ctrls, path, ok := strings.Cut(rest, ":")
		if !ok {
			continue
		}
		id, err := strconv.Atoi(idStr)
		if err != nil || id < 0 {
			continue
		}
		pc := procCgroup{ID: id, Path: path}
		if ctrls != "" {
			pc.Controllers = strings.Split(ctrls, ",")
		}
		out = append(out, pc)
	}
	return out
}

// unifiedPath returns the path of the cgroup v2 ("0::") line.
func unifiedPath(cgs []procCgroup) (string, bool) {
	for _, c := range cgs {
		if c.ID == 0 && len(c.Controllers) == 0 {
			return c.Path, true
		}
	}
	return "", false
}

// mount is one line of /proc/<pid>/mountinfo, with the fields this package
// reads.
type mount struct {
	Root      string // the mounted directory inside the filesystem
	Point     string // where it is mounted
	FSType    string // "cgroup2", "cgroup"…
	SuperOpts []string
}

// parseMountinfo parses /proc/<pid>/mountinfo (proc(5)), skipping
// malformed lines. Paths have their octal escapes (\040 for a space)
// decoded.
func parseMountinfo(data []byte) []mount {
	var out []mount
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		// id parent major:minor root point options [optional…] - fstype source superopts
		fields := strings.Fields(string(line))
		sep := -1
		for i := 6; i < len(fields); i++ {
			if fields[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(fields) {
			continue
		}
		m := mount{
			Root:   unescapeMount(fields[3]),
			Point:  unescapeMount(fields[4]),
			FSType: fields[sep+1],
		}
		if sep+3 < len(fields) {
			m.SuperOpts = strings.Split(fields[sep+3], ",")
		}
		out = append(out, m)
	}
	return out
}

// unescapeMount decodes the \ooo octal escapes the kernel writes for space,
// tab, newline and backslash in mountinfo paths.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && '0' <= s[i+1] && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]) {
			v := (s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0')
			b.WriteByte(v)
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
