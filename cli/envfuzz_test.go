package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovh/go-ovh/ovh"
)

// FuzzEnvFile: arbitrary bytes as the .env file never panic, an error never
// quotes a value (every text after a "=" of 6 bytes or more is a possible
// secret), and a credential refused for a bad character is named without
// its value (issue 12.6, 21.6).
func FuzzEnvFile(f *testing.F) {
	f.Add([]byte("OVH_APPLICATION_KEY=abcdef\nOVH_CONSUMER_KEY=\"s3cr3t\\nvalue\"\n"))
	f.Add([]byte("\xef\xbb\xbfA=1\r\nB-C=s3cr3tvalue\n"))
	f.Add([]byte("X=\"unterminated s3cr3tvalue\nY=2\n"))
	f.Add([]byte("export OVH_APPLICATION_SECRET = s3cr3t value\n"))
	f.Add([]byte("\xef=")) // a name that is not UTF-8: it made a regexp of it, which panicked
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, ".env")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var secrets []string
		for _, line := range bytes.Split(data, []byte("\n")) {
			if _, v, ok := bytes.Cut(line, []byte("=")); ok {
				if v = bytes.Trim(bytes.TrimSpace(v), `"'`); len(v) >= 6 {
					secrets = append(secrets, string(v))
				}
			}
		}
		env := newEnviron(nil)
		_, err := loadEnvFile(env, path)
		if err == nil {
			c := &ovh.Client{AppKey: env.get("OVH_APPLICATION_KEY"), AppSecret: env.get("OVH_APPLICATION_SECRET"), ConsumerKey: env.get("OVH_CONSUMER_KEY")}
			err = (&app{env: env}).checkCredentialValues(c)
			for _, v := range []string{c.AppKey, c.AppSecret, c.ConsumerKey} {
				if len(v) >= 6 {
					secrets = append(secrets, v)
				}
			}
		}
		if err == nil {
			return
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) {
				t.Fatalf("error %q shows a value %q", err, s)
			}
		}
	})
}
