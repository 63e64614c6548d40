package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/safefile"
)

// envLineOf returns the line of data that sets name (the last one: the one
// godotenv keeps), 0 when not found. name may hold any bytes: it is
// compared, never compiled into a pattern.
func envLineOf(data []byte, name string) int {
	found := 0
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimLeft(line, " \t")
		if rest, ok := bytes.CutPrefix(line, []byte("export")); ok && len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t') {
			line = bytes.TrimLeft(rest, " \t")
		}
		rest, ok := bytes.CutPrefix(line, []byte(name))
		if !ok {
			continue
		}
		if rest = bytes.TrimLeft(rest, " \t"); len(rest) > 0 && (rest[0] == '=' || rest[0] == ':') {
			found = i + 1
		}
	}
	return found
}

// checkCredentialValues refuses a credential holding a character no OVH
// credential has (a space, a line break, a control or non-ASCII
// character), naming the variable, where it was set and the position,
// never the value. go-ovh would otherwise fail every call with "invalid
// header field value for X-Ovh-Consumer", which names an HTTP header,
// not what to fix.
func (a *app) checkCredentialValues(c *ovh.Client) error {
	for _, v := range []struct{ name, value string }{
		{"OVH_APPLICATION_KEY", c.AppKey},
		{"OVH_APPLICATION_SECRET", c.AppSecret},
		{"OVH_CONSUMER_KEY", c.ConsumerKey},
		{"OVH_CLIENT_ID", c.ClientID},
		{"OVH_CLIENT_SECRET", c.ClientSecret},
		{"OVH_ACCESS_TOKEN", c.AccessToken},
	} {
		for i, r := range []rune(v.value) {
			what := ""
			switch {
			case r == ' ':
				what = "a space"
			case r == '\t':
				what = "a tab"
			case r == '\n' || r == '\r':
				what = "a line break"
			case r < 0x20 || r == 0x7f:
				what = "a control character"
			case r > 0x7e:
				what = "a character that is not ASCII"
			default:
				continue
			}
			return fmt.Errorf("%s (%s) holds %s at character %d of %d: OVH credentials are letters, digits and a few signs; copy the value again (ovhtui never shows it)",
				v.name, a.env.origin(v.name), what, i+1, len([]rune(v.value)))
		}
	}
	return nil
}

// ovhConfFiles are the files go-ovh reads its configuration from
// (credentials included), as it names them; "~" is the home folder.
var ovhConfFiles = []string{"/etc/ovh.conf", "~/.ovh.conf", "./ovh.conf"}

// checkOVHConfFiles refuses what is not a regular file at a path go-ovh
// reads its configuration from: go-ovh opens them with a blocking open, and
// a FIFO there would hang start-up.
func checkOVHConfFiles() error {
	for _, p := range ovhConfFiles {
		if rest, ok := strings.CutPrefix(p, "~/"); ok {
			home, err := os.UserHomeDir()
			if err != nil {
				continue
			}
			p = filepath.Join(home, rest)
		}
		if info, err := os.Stat(p); err == nil && !info.Mode().IsRegular() {
			return &safefile.NotRegularError{Role: "OVH configuration file", Path: p, Mode: info.Mode()}
		}
	}
	return nil
}
