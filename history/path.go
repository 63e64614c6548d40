package history

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// FileName is the name of the history database in the state folder.
const FileName = "history.db"

// DefaultPath returns where the history database lives when --history does
// not say: $XDG_STATE_HOME/ovhtui/history.db, else the platform's state
// folder (~/.local/state on Linux and the BSDs, ~/Library/Application
// Support on macOS, %LocalAppData% on Windows).
func DefaultPath() (string, error) {
	dir, err := stateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "ovhtui", FileName), nil
}

func stateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return d, nil
		}
		return "", errors.New("history: %LocalAppData% is not set; give the file with --history PATH")
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", errors.New("history: no home folder; give the file with --history PATH")
		}
		return filepath.Join(home, "Library", "Application Support"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("history: neither $XDG_STATE_HOME nor $HOME is set; give the file with --history PATH")
	}
	return filepath.Join(home, ".local", "state"), nil
}
