package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure Go SQLite driver "sqlite": keeps the static build
)

// BusyTimeout is how long a write waits for another process holding the
// database before it fails.
const BusyTimeout = 5 * time.Second

// DefaultKeep is how long history is kept when --history-keep does not say.
const DefaultKeep = 400 * 24 * time.Hour

// Store is an open history database. It is safe for concurrent use, by
// several goroutines and several processes (WAL mode).
type Store struct {
	db   *sql.DB
	path string
}

// Open opens (creating it and its folder when missing) the history database
// at path and brings its schema up to date. The error says what is wrong
// with the file and how to go on without it.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("history: no database path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fail(path, err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	if path == ":memory:" {
		dsn = "file::memory:?" + q.Encode()
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fail(path, err)
	}
	if path == ":memory:" {
		db.SetMaxOpenConns(1) // one connection: one in-memory database
	} else {
		db.SetMaxOpenConns(4)
	}
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fail(path, err)
	}
	return s, nil
}

// fail words an error of the database file for the user: which file, what
// is wrong, and that ovhtui runs on without history.
func fail(path string, err error) error {
	msg := err.Error()
	hint := ""
	switch {
	case strings.Contains(msg, "not a database"), strings.Contains(msg, "malformed"), strings.Contains(msg, "corrupt"):
		hint = " (the file is damaged: move it away to start a new history)"
	case strings.Contains(msg, "locked"), strings.Contains(msg, "busy"):
		hint = " (another process holds it)"
	case strings.Contains(msg, "readonly"), strings.Contains(msg, "permission denied"), strings.Contains(msg, "unable to open"):
		hint = " (it cannot be written here: check the folder's permissions)"
	}
	return fmt.Errorf("history database %s: %w%s; give another file with --history PATH or turn it off with --history off", path, err, hint)
}

// Path is the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrate applies the missing schema steps, each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this ovhtui knows (%d): it was written by a newer ovhtui", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to schema %d: %w", v+1, err)
		}
		var cur int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to schema %d: %w", v+1, err)
		}
		if cur != v { // another process migrated meanwhile
			tx.Rollback()
			v = cur - 1
			continue
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to schema %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to schema %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to schema %d: %w", v+1, err)
		}
	}
	return nil
}

// Prune deletes what is older than keep before now: availability changes,
// price and plan changes. The last price and plan change of every item is
// kept (it is the item's value now), and so is every series' state.
func (s *Store) Prune(ctx context.Context, now time.Time, keep time.Duration) (int64, error) {
	if keep <= 0 {
		return 0, nil
	}
	cut := ms(now.Add(-keep))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	defer tx.Rollback()
	var n int64
	for _, q := range []string{
		`DELETE FROM availability_changes WHERE at_ms < ?`,
		`DELETE FROM price_changes AS p WHERE at_ms < ? AND at_ms < (SELECT max(at_ms) FROM price_changes q WHERE q.subsidiary = p.subsidiary AND q.fqn = p.fqn)`,
		`DELETE FROM plan_changes AS p WHERE at_ms < ? AND at_ms < (SELECT max(at_ms) FROM plan_changes q WHERE q.subsidiary = p.subsidiary AND q.plan_code = p.plan_code)`,
	} {
		r, err := tx.ExecContext(ctx, q, cut)
		if err != nil {
			return 0, fmt.Errorf("history: prune: %w", err)
		}
		k, _ := r.RowsAffected()
		n += k
	}
	if err := pruneRestocks(ctx, tx, now, cut); err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	return n, nil
}

// restockLogKeep is how far back the restocks log reaches after a prune:
// the RestockWindow and a day, for the partial day of Offers' window.
const restockLogKeep = RestockWindow + 24*time.Hour

// pruneRestocks keeps the restock summaries in step with the changes just
// pruned before cut (ms): restock_days loses the days before cut's and
// counts cut's own day again from the changes left; the restocks log is
// trimmed to restockLogKeep before now (or to cut, when that is later).
func pruneRestocks(ctx context.Context, tx *sql.Tx, now time.Time, cut int64) error {
	day := cut / dayMS
	if cut < 0 {
		day = -1 // nothing recorded is that old
	}
	trim := max(cut, ms(now.Add(-restockLogKeep)))
	for _, q := range []string{
		`DELETE FROM restock_days WHERE day <= ?1`,
		`INSERT INTO restock_days (subsidiary, day, plan_code, restocks)
		SELECT s.subsidiary, ?1, s.plan_code, count(*) FROM series s JOIN availability_changes c ON c.series_id = s.id
		WHERE c.at_ms >= ?2 AND c.at_ms < ?3 AND c.from_id != 0
			AND c.from_id IN (SELECT id FROM availability_values WHERE in_stock = 0)
			AND c.to_id IN (SELECT id FROM availability_values WHERE in_stock = 1)
		GROUP BY s.subsidiary, s.plan_code`,
		`UPDATE restocks_since SET at_ms = max(at_ms, ?4)`,
		`DELETE FROM restocks WHERE subsidiary IN (SELECT DISTINCT subsidiary FROM series) AND at_ms < (SELECT at_ms FROM restocks_since)`,
	} {
		if _, err := tx.ExecContext(ctx, q, day, cut, (day+1)*dayMS, trim); err != nil {
			return err
		}
	}
	return nil
}

// ms is t in milliseconds since the epoch (0 for the zero time).
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
