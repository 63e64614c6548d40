package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ovhtui/ovhtui/prefs"
)

// runCheck implements --check: validate the preferences file and, when
// credentials are configured, verify them and list missing API rights.
func runCheck(opts options, stdout, stderr io.Writer) int {
	if w, err := loadEnvFile(opts.envPath); err != nil {
		fmt.Fprintln(stderr, "ovhtui:", err)
		return exitUsage
	} else if w != "" {
		fmt.Fprintln(stderr, "warning:", w)
	}
	collectSecrets()
	f, err := prefs.Load(opts.prefsPath)
	if err != nil {
		var pe *prefs.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintln(stderr, pe.Error())
		} else {
			fmt.Fprintln(stderr, "ovhtui:", err)
		}
		return exitUsage
	}
	code := exitOK
	problems := prefs.Validate(f, endpointName())
	for _, p := range problems {
		fmt.Fprintf(stdout, "%s: %s\n", opts.prefsPath, p)
	}
	if len(problems) > 0 {
		code = exitProblems
	}
	if !hasCredentials() {
		fmt.Fprintln(stdout, "no OVH credentials configured: skipped the API check (see .env.example)")
	} else {
		log := newLogger(stderr, opts.logFormat, 0)
		c, err := newOVHClient()
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui:", err)
			return exitProblems
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		missing, err := checkCredential(ctx, c, log)
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui:", err)
			return exitProblems
		}
		for _, m := range missing {
			if m.optional {
				fmt.Fprintf(stdout, "consumer key lacks %s %s (%s)\n", m.Method, m.Path, m.why)
				continue
			}
			fmt.Fprintf(stdout, "consumer key lacks %s %s: needed to %s\n", m.Method, m.Path, m.why)
			code = exitProblems
		}
		if len(missing) == 0 {
			fmt.Fprintln(stdout, "credentials ok: the consumer key has every right ovhtui needs")
		}
	}
	if code == exitOK {
		fmt.Fprintf(stdout, "%s: ok (%d entries)\n", opts.prefsPath, len(f.Servers))
	}
	return code
}

// hasCredentials reports whether any OVH credential is set in the environment.
func hasCredentials() bool {
	for _, k := range []string{"OVH_APPLICATION_KEY", "OVH_CLIENT_ID", "OVH_ACCESS_TOKEN"} {
		if lookupNonEmpty(k) {
			return true
		}
	}
	return false
}
