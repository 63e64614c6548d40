package cli

// BenchmarkServeIdle runs the real `ovhtui serve --demo` and reports its
// CPU (percent of one core, from /proc) and resident memory after 10 s of
// watching, with 0 and with 5 SSH sessions attached, each drawing the
// dashboard at 120x40. The demo's simulator and its never-ending story run
// in the same process, as the user sees it. It measures, it does not assert:
//
//	go test -run '^$' -bench ServeIdle -benchtime 1x ./cli/

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func BenchmarkServeIdle(b *testing.B) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		b.Skip("needs /proc")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "ovhtui")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = rootDir
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		b.Fatal(err)
	}
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, sessions := range []int{0, 5} {
		b.Run(fmt.Sprintf("sessions=%d", sessions), func(b *testing.B) {
			cmd := exec.Command(bin, "serve", "--demo", "--ssh", "127.0.0.1:0", "--authorized-keys", keys,
				"--host-key", filepath.Join(b.TempDir(), "host_key"))
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
			cmd.Stdout = io.Discard
			stderr, err := cmd.StderrPipe()
			if err != nil {
				b.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
			addr := make(chan string, 1)
			said := make(chan string, 1)
			go func() {
				re := regexp.MustCompile(`ssh -p (\d+) `)
				sc := bufio.NewScanner(stderr)
				var all []string
				for sc.Scan() {
					all = append(all, sc.Text())
					if m := re.FindStringSubmatch(sc.Text()); m != nil {
						addr <- "127.0.0.1:" + m[1]
					}
				}
				said <- strings.Join(all, "\n")
			}()
			var a string
			select {
			case a = <-addr:
			case out := <-said:
				b.Fatalf("serve ended:\n%s", out)
			case <-time.After(30 * time.Second):
				b.Fatal("serve did not say where it listens")
			}
			for range sessions {
				c, err := gossh.Dial("tcp", a, &gossh.ClientConfig{User: "bench", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
					HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				s, err := c.NewSession()
				if err != nil {
					b.Fatal(err)
				}
				if err := s.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
					b.Fatal(err)
				}
				out, _ := s.StdoutPipe()
				go func() { _, _ = io.Copy(io.Discard, out) }()
				if err := s.Shell(); err != nil {
					b.Fatal(err)
				}
			}
			time.Sleep(3 * time.Second) // warm-up: carts built, sessions drawn
			pid := cmd.Process.Pid
			c0, t0 := cpuTicks(b, pid), time.Now()
			b.ResetTimer()
			time.Sleep(10 * time.Second)
			b.StopTimer()
			c1, t1 := cpuTicks(b, pid), time.Now()
			const hz = 100 // USER_HZ on Linux
			cpu := float64(c1-c0) / hz / t1.Sub(t0).Seconds() * 100
			b.ReportMetric(cpu, "cpu-%")
			b.ReportMetric(rssMB(b, pid), "rss-MB")
		})
	}
}

// cpuTicks is utime+stime of pid, in clock ticks.
func cpuTicks(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}

// rssMB is the resident memory of pid.
func rssMB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
