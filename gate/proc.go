package gate

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Self is this process's identity in the journal: its PID and, where the
// system says (Linux), its start time, so that a PID reused by a later
// process (PID 1 of every container start) is not taken for it.
func Self() string { return procID(os.Getpid()) }

func procID(pid int) string {
	id := strconv.Itoa(pid)
	if st := startTime(pid); st != "" {
		id += "/" + st
	}
	return id
}

// ProcAlive reports whether the process proc (as Self gives it) still
// runs. A process that cannot be checked counts as alive: its intent is
// left to it, the stricter choice.
func ProcAlive(proc string) bool {
	pidStr, start, _ := strings.Cut(proc, "/")
	pid, err := strconv.Atoi(pidStr)
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return start == "" || start == startTime(pid)
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if start != "" {
		if now := startTime(pid); now != "" && now != start {
			return false // the PID was reused
		}
	}
	return true
}

// startTime is field 22 of /proc/PID/stat (start time in clock ticks after
// boot), "" where there is none.
func startTime(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(data[i+1:]))
	// fields[0] is field 3 (state): field 22 is fields[19].
	if len(fields) < 20 {
		return ""
	}
	return fields[19]
}
