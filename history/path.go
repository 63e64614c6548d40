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
func DefaultPath() (string, error) { return DefaultPathIn(os.Getenv) }

// DefaultPathIn is DefaultPath with the environment read through getenv.
func DefaultPathIn(getenv func(string) string) (string, error) {
	dir, err := stateDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "ovhtui", FileName), nil
}

func stateDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	home := getenv("HOME")
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return d, nil
		}
		return "", errors.New("history: %LocalAppData% is not set; give the file with --history PATH")
	case "darwin":
		if home == "" {
			return "", errors.New("history: no home folder ($HOME); give the file with --history PATH")
		}
		return filepath.Join(home, "Library", "Application Support"), nil
	}
	if home == "" {
		return "", errors.New("history: neither $XDG_STATE_HOME nor $HOME is set; give the file with --history PATH")
	}
	return filepath.Join(home, ".local", "state"), nil
}
