package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"postwork/chain"
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

// toSchemaV1 gives a current file the layout of schema version 1, as files
// written before version 2 have it.
const toSchemaV1 = `
DROP INDEX posts_kind;
CREATE INDEX posts_kind ON posts(kind, created_at DESC);
CREATE INDEX posts_block ON posts(block) WHERE block IS NOT NULL;
CREATE TABLE tags1 (
	name  TEXT NOT NULL,
	value TEXT NOT NULL,
	post  INTEGER NOT NULL REFERENCES posts(rid) ON DELETE CASCADE,
	PRIMARY KEY (name, value, post)
) WITHOUT ROWID;
INSERT INTO tags1 SELECT name, value, post FROM tags;
DROP TABLE tags;
ALTER TABLE tags1 RENAME TO tags;
CREATE INDEX tags_post ON tags(post);
UPDATE meta SET value = '1' WHERE key = 'schema';
`

func TestOpenMigratesSchema(t *testing.T) {
	ctx := context.Background()
	p := chain.TestNet
	path := tempPath(t)
	s := openStore(t, path)
	c := newChain(t, s)
	g := p.Genesis().Header
	confirmed := post(t, 2, 1, "confirmed", g.Time, []string{"t", "old"})
	pending := post(t, 3, 7, "pending", g.Time, []string{"t", "old"})
	b1 := child(t, p, &g, 1, "", confirmed)
	mustProcess(t, c, b1)
	if err := s.SavePending(pending, time.Unix(g.Time, 0)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := rawDB(t, path)
	if _, err := db.Exec(toSchemaV1); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s2 := openStore(t, path)
	var version string
	if err := s2.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'schema'").Scan(&version); err != nil || version != "2" {
		t.Fatalf("schema after open: %q %v, want 2", version, err)
	}
	var n int
	if err := s2.r.QueryRowContext(ctx, "SELECT count(*) FROM pragma_foreign_key_list('tags')").Scan(&n); err != nil || n != 0 {
		t.Fatalf("tags keeps %d foreign keys (%v)", n, err)
	}
	if c2 := newChain(t, s2); c2.Tip().Hash != b1.Hash() {
		t.Fatal("migrated store lost its tip")
	}
	recs, err := s2.QueryPosts(ctx, PostQuery{Tags: map[string][]string{"t": {"old"}}})
	if err != nil || len(recs) != 2 {
		t.Fatalf("tag query after migration: %d posts (%v), want 2", len(recs), err)
	}
	if recs, err := s2.QueryPosts(ctx, PostQuery{Kinds: []int{7}}); err != nil || len(recs) != 1 || recs[0].Event.ID != pending.ID {
		t.Fatalf("kind 7 after migration: %d posts (%v)", len(recs), err)
	}
	if err := s2.RemovePending([][32]byte{pending.ID}); err != nil {
		t.Fatal(err)
	}
	if recs, _ := s2.QueryPosts(ctx, PostQuery{Tags: map[string][]string{"t": {"old"}}}); len(recs) != 1 {
		t.Fatalf("after removing the pending post the tag finds %d posts, want 1", len(recs))
	}
	s2.Close()

	// A file from a newer program is refused, and left as it is.
	db = rawDB(t, path)
	if _, err := db.Exec("UPDATE meta SET value = '3' WHERE key = 'schema'"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, path, p); err == nil || !strings.Contains(err.Error(), "schema version 3 is newer") {
		t.Fatalf("opening a newer file: %v", err)
	}
}
