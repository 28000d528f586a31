package store

import (
	"context"
	"database/sql"
	"testing"
)

// The connection settings the durability argument of docs/storage.md rests
// on: WAL, NORMAL for chain writes, foreign keys, read-only readers.
func TestConnectionSettings(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, tempPath(t))
	for _, c := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "1"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"wal_autocheckpoint", "10000"},
	} {
		var got string
		if err := s.wc.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil || got != c.want {
			t.Errorf("writer: %s = %q (%v), want %q", c.pragma, got, err, c.want)
		}
	}
	var qo string
	if err := s.r.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("reader: query_only = %q (%v), want 1", qo, err)
	}
	if _, err := s.r.ExecContext(ctx, "DELETE FROM meta"); err == nil {
		t.Error("a reader connection wrote")
	}
	// A durable write runs at FULL and leaves the connection at NORMAL.
	var during string
	err := s.write(ctx, true, func(tx *sql.Tx) error {
		return tx.QueryRow("PRAGMA synchronous").Scan(&during)
	})
	if err != nil || during != "2" {
		t.Errorf("durable write ran at synchronous %q (%v), want 2 (FULL)", during, err)
	}
	var after string
	if err := s.wc.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&after); err != nil || after != "1" {
		t.Errorf("after a durable write synchronous = %q (%v), want 1", after, err)
	}
}
