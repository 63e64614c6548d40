package cli

import (
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/prefs"
	"github.com/ovhtui/ovhtui/safefile"
)

// The roles of the files ovhtui opens by path, as errors name them.
const (
	rolePrefs   = "preferences file"
	roleLock    = "lock file"
	roleJournal = "journal"
	roleEnv     = "environment file (--env)"
	roleLog     = "log file"
)

// claimRoles checks that no path given to ovhtui serves two roles: the log
// file is not the preferences, their lock or journal, nor the .env; the
// .env is not the preferences. With --demo and no --prefs, the preferences
// are a fresh temp file and no .env is read.
func claimRoles(opts options) error {
	var r safefile.Roles
	if opts.prefsPath != "" && (!opts.demo || opts.prefsSet) {
		for _, c := range [][2]string{
			{rolePrefs, opts.prefsPath},
			{roleLock, prefs.LockPath(opts.prefsPath)},
			{roleJournal, journal.Beside(opts.prefsPath)},
		} {
			if err := r.Claim(c[0], c[1]); err != nil {
				return err
			}
		}
	}
	if !opts.demo && opts.envPath != "" {
		if err := r.Claim(roleEnv, opts.envPath); err != nil {
			return err
		}
	}
	if opts.logFile != "" {
		if err := r.Claim(roleLog, opts.logFile); err != nil {
			return err
		}
	}
	return nil
}
