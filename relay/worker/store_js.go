//go:build js && wasm

package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"postwork/chain/nostr"
)

// sqlStore is hub.Store over the Durable Object's SQLite storage
// (ctx.storage.sql, synchronous). Writes made while handling one message
// commit together, and the runtime's output gate holds the answers sent
// meanwhile until they are durable: an OK true is never seen for a post
// that was lost.
type sqlStore struct {
	sql js.Value
}

const schema = `
CREATE TABLE IF NOT EXISTS posts (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	id   TEXT NOT NULL UNIQUE,
	at   INTEGER NOT NULL,
	json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conn_frames (
	conn  TEXT NOT NULL,
	key   TEXT NOT NULL,
	frame TEXT NOT NULL,
	PRIMARY KEY (conn, key)
);`

func openStore(storage js.Value) (*sqlStore, error) {
	if storage.IsUndefined() || storage.Get("sql").IsUndefined() {
		return nil, errors.New("no SQLite storage: declare the class in new_sqlite_classes (wrangler.toml)")
	}
	s := &sqlStore{sql: storage.Get("sql")}
	if _, err := s.exec(schema); err != nil {
		return nil, fmt.Errorf("create tables: %w", err)
	}
	return s, nil
}

// exec runs one statement and returns its rows (a JS array of objects).
// A JavaScript exception becomes an error.
func (s *sqlStore) exec(query string, args ...any) (rows js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			if je, ok := r.(js.Error); ok {
				err = fmt.Errorf("sql: %s", je.Error())
				return
			}
			panic(r)
		}
	}()
	cursor := s.sql.Call("exec", append([]any{query}, args...)...)
	return cursor.Call("toArray"), nil
}

func (s *sqlStore) LoadPosts() ([]*nostr.Event, error) {
	rows, err := s.exec(`SELECT json FROM posts ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	out := make([]*nostr.Event, 0, rows.Length())
	for i := 0; i < rows.Length(); i++ {
		ev, err := nostr.Parse([]byte(rows.Index(i).Get("json").String()))
		if err != nil {
			return nil, fmt.Errorf("stored post %d: %w", i, err)
		}
		out = append(out, ev)
	}
	return out, nil
}

func (s *sqlStore) SavePost(ev *nostr.Event, at time.Time) error {
	_, err := s.exec(`INSERT OR IGNORE INTO posts (id, at, json) VALUES (?, ?, ?)`,
		hex.EncodeToString(ev.ID[:]), at.Unix(), string(ev.AppendJSON(nil)))
	return err
}

func (s *sqlStore) DeletePosts(ids [][32]byte) error {
	for _, id := range ids {
		if _, err := s.exec(`DELETE FROM posts WHERE id = ?`, hex.EncodeToString(id[:])); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqlStore) ConnFrames(conn string) ([][]byte, error) {
	rows, err := s.exec(`SELECT frame FROM conn_frames WHERE conn = ? ORDER BY key`, conn)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, rows.Length())
	for i := range out {
		out[i] = []byte(rows.Index(i).Get("frame").String())
	}
	return out, nil
}

func (s *sqlStore) PutConnFrame(conn, key string, frame []byte) error {
	_, err := s.exec(`INSERT OR REPLACE INTO conn_frames (conn, key, frame) VALUES (?, ?, ?)`, conn, key, string(frame))
	return err
}

func (s *sqlStore) DeleteConnFrame(conn, key string) error {
	_, err := s.exec(`DELETE FROM conn_frames WHERE conn = ? AND key = ?`, conn, key)
	return err
}

func (s *sqlStore) DeleteConn(conn string) error {
	_, err := s.exec(`DELETE FROM conn_frames WHERE conn = ?`, conn)
	return err
}

// PruneConns forgets the state of connections that are not open (the
// Durable Object was evicted and its sockets closed meanwhile).
func (s *sqlStore) PruneConns(open map[string]bool) error {
	rows, err := s.exec(`SELECT DISTINCT conn FROM conn_frames`)
	if err != nil {
		return err
	}
	for i := 0; i < rows.Length(); i++ {
		if c := rows.Index(i).Get("conn").String(); !open[c] {
			if err := s.DeleteConn(c); err != nil {
				return err
			}
		}
	}
	return nil
}
