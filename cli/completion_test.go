package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBashCompletionCompletes: the script of the built binary's
// `ovhtui completion bash`, loaded in bash, completes a command and a flag
// by asking the binary (found on PATH as `ovhtui`, as once installed).
// _get_comp_words_by_ref comes from the bash-completion package the README
// asks for; a minimal one stands in for it here.
func TestBashCompletionCompletes(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this machine")
	}
	bin := ovhtuiBinary(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "ovhtui.bash")
	gen := exec.Command(bin, "completion", "bash")
	gen.Env = []string{"HOME=" + dir}
	out, err := gen.Output()
	if err != nil || !bytes.HasPrefix(out, []byte("# bash completion V2 for ovhtui")) {
		t.Fatalf("ovhtui completion bash: %v\n%s", err, out)
	}
	if err := os.WriteFile(script, out, 0o600); err != nil {
		t.Fatal(err)
	}
	const driver = `
_get_comp_words_by_ref() { cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
source "$1"
complete -p ovhtui
COMP_WORDS=(ovhtui re); COMP_CWORD=1; __start_ovhtui ovhtui re ovhtui
echo "commands: ${COMPREPLY[*]}"
COMP_WORDS=(ovhtui renew --pe); COMP_CWORD=2; __start_ovhtui ovhtui --pe renew
echo "flags: ${COMPREPLY[*]}"
COMP_WORDS=(ovhtui orders --js); COMP_CWORD=2; __start_ovhtui ovhtui --js orders
echo "json: ${COMPREPLY[*]}"
`
	cmd := exec.Command(bash, "--norc", "--noprofile", "-c", driver, "driver", script)
	cmd.Env = []string{"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + dir}
	got, err := cmd.Output() // compopt complains on stderr outside a real completion: ignored
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, got)
	}
	for _, want := range []string{"complete -o default -F __start_ovhtui ovhtui", "commands: renew", "flags: --period", "json: --json"} {
		if !strings.Contains(string(got), want+"\n") {
			t.Errorf("bash completion: lacks %q:\n%s", want, got)
		}
	}
}

// TestManPage: `ovhtui man` prints a man page that groff reads without a
// warning, with every visible command and the shared flags, and the
// description reflowed (a hard-wrapped help line is not a paragraph).
func TestManPage(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	code, out, errOut := e.run("man")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, ".TH OVHTUI 1 ") {
		t.Fatalf("no .TH header:\n%.200s", out)
	}
	for _, want := range []string{".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH COMMANDS", ".SH EXAMPLES", ".SH FILES",
		"listed in preferences\\&.json and orders them", // one paragraph, not one per terminal line
		"\\fBrun\\fP", "\\fBheadless\\fP", "\\fBcheck\\fP", "\\fBserve\\fP", "\\fBhistory\\fP", "\\fBorders\\fP", "\\fBpay\\fP ORDER_ID", "\\fBservers\\fP", "\\fBrenew\\fP SERVER",
		"\\fB--prefs", "\\fB--env", "\\fB--demo", "\\fB--json"} {
		if !strings.Contains(out, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	if strings.ContainsAny(out, "\x1b\r") {
		t.Errorf("man page holds an escape or carriage return")
	}
	groff, err := exec.LookPath("groff")
	if err != nil {
		return
	}
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = strings.NewReader(out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("groff: %v\n%s", err, stderr.String())
	}
}
