// Package store keeps a full node's chain and posts in one SQLite file
// (modernc.org/sqlite, pure Go): every header and block the node accepted,
// which of them form the best chain, and the posts, pending or confirmed,
// indexed for the relay's REQ filters and the JSON API.
//
// A Store implements chain.Store: each of its methods is one transaction, so
// a crash (kill -9 included) leaves the file at a state the chain resumes
// from. Writes go through one connection, in turn; reads use a pool and see
// the last committed state. See docs/storage.md for the durability choices.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"postwork/chain"
)

// FileName is the store's file inside a node's data directory.
const FileName = "postwork.db"

// Path returns the store file of the data directory dir.
func Path(dir string) string { return filepath.Join(dir, FileName) }

// Errors a Store returns besides those of SQLite. ErrNotFound is
// chain.ErrNotFound, so callers may test for either.
var (
	ErrNotFound     = chain.ErrNotFound
	ErrWrongNetwork = errors.New("store holds another network")
	ErrCorrupt      = errors.New("store data is corrupt")
	ErrClosed       = errors.New("store is closed")
)

// busyTimeoutMS is how long a statement waits for a lock another process
// holds (`postwork chain verify` beside a running node, say) before failing.
const busyTimeoutMS = 5000

// Store is an open store file. It is safe for concurrent use.
type Store struct {
	path string
	p    *chain.Params

	// wmu serialises writes on wc, the one writer connection (SQLite has one
	// writer at a time anyway; doing it here keeps SQLITE_BUSY away).
	wmu    sync.Mutex
	w      *sql.DB
	wc     *sql.Conn
	closed atomic.Bool
	// wHasEvent is HasEvent on wc, for when no write holds it;
	// wConfirmedIn the memo's query (eventmemo.go).
	wHasEvent, wConfirmedIn *sql.Stmt
	// gen counts the writes; memo answers HasEvent for the last stored
	// block's posts while gen has not moved. Both are guarded by wmu.
	gen  uint64
	memo eventMemo

	// r is the read pool; in WAL mode readers never wait for the writer.
	// The statements the chain runs for every block and post are prepared
	// once (database/sql prepares them again on each pooled connection).
	r        *sql.DB
	hasEvent *sql.Stmt
	block    *sql.Stmt

	// batch collects SavePending calls that arrive while another write
	// holds wmu, so they share one durable commit (see SavePending).
	bmu   sync.Mutex
	batch *saveBatch
}

// dsn builds a SQLite URI for path with the driver's parameters.
func dsn(path string, params url.Values) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: params.Encode()}
	return u.String(), nil
}

// Open opens the store at path for network p, creating the file (and its
// directory) if it does not exist. A file written for another network, or
// by a newer version of this program, is refused.
func Open(ctx context.Context, path string, p *chain.Params) (*Store, error) {
	if p == nil {
		return nil, errors.New("store: open: no network parameters")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Store{path: path, p: p}
	if err := s.open(ctx); err != nil {
		s.closeAll()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	wq := url.Values{}
	wq.Add("_pragma", "busy_timeout("+strconv.Itoa(busyTimeoutMS)+")")
	wq.Add("_pragma", "foreign_keys(1)")
	// The indexes a block touches stay in memory (64 MiB); the log is
	// copied into the file every 10,000 pages (40 MiB) rather than every
	// 1,000, so index pages that many blocks touch are copied once; the
	// log file is cut back to 64 MiB after a checkpoint.
	wq.Add("_pragma", "cache_size(-65536)")
	wq.Add("_pragma", "wal_autocheckpoint(10000)")
	wq.Add("_pragma", "journal_size_limit(67108864)")
	wq.Set("_txlock", "immediate")
	wdsn, err := dsn(s.path, wq)
	if err != nil {
		return err
	}
	if s.w, err = sql.Open("sqlite", wdsn); err != nil {
		return err
	}
	s.w.SetMaxOpenConns(1)
	if s.wc, err = s.w.Conn(ctx); err != nil {
		return err
	}
	var mode string
	if err := s.wc.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return err
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	if _, err := s.wc.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		return err
	}
	if err := s.initSchema(ctx); err != nil {
		return err
	}
	if s.wHasEvent, err = s.wc.PrepareContext(ctx, hasEventSQL); err != nil {
		return err
	}
	if s.wConfirmedIn, err = s.wc.PrepareContext(ctx, confirmedInSQL); err != nil {
		return err
	}
	// Refresh the query planner's statistics where they are missing or
	// stale (SQLite's advice for long-lived connections; cheap: it samples).
	if _, err := s.wc.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		return err
	}

	rq := url.Values{}
	rq.Add("_pragma", "busy_timeout("+strconv.Itoa(busyTimeoutMS)+")")
	rq.Add("_pragma", "query_only(1)")
	rq.Add("_pragma", "cache_size(-16384)")
	rdsn, err := dsn(s.path, rq)
	if err != nil {
		return err
	}
	if s.r, err = sql.Open("sqlite", rdsn); err != nil {
		return err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	if s.hasEvent, err = s.r.PrepareContext(ctx, hasEventSQL); err != nil {
		return err
	}
	s.block, err = s.r.PrepareContext(ctx, "SELECT b.header, d.data FROM blocks b JOIN bodies d ON d.block = b.id WHERE b.hash = ?")
	return err
}

// initSchema creates the tables in a new file and checks the meta rows of an
// existing one.
func (s *Store) initSchema(ctx context.Context) error {
	genesis := s.p.GenesisHash().String()
	return s.txLocked(ctx, false, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			var others int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&others); err != nil {
				return err
			}
			if others > 0 {
				return errors.New("not a postwork store: it holds other tables")
			}
			if _, err := tx.ExecContext(ctx, schema); err != nil {
				return fmt.Errorf("create schema: %w", err)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES ('schema', ?), ('network', ?), ('genesis', ?)",
				strconv.Itoa(schemaVersion), s.p.Name, genesis)
			return err
		}
		meta, err := readMeta(ctx, tx)
		if err != nil {
			return err
		}
		if meta["network"] != s.p.Name || meta["genesis"] != genesis {
			return fmt.Errorf("%w: the file holds network %q (genesis %s), not %q (genesis %s)",
				ErrWrongNetwork, meta["network"], meta["genesis"], s.p.Name, genesis)
		}
		v, err := strconv.Atoi(meta["schema"])
		if err != nil {
			return fmt.Errorf("%w: schema version %q", ErrCorrupt, meta["schema"])
		}
		if v > schemaVersion {
			return fmt.Errorf("schema version %d is newer than this program's %d", v, schemaVersion)
		}
		for ; v < schemaVersion; v++ {
			m, ok := migrations[v]
			if !ok {
				return fmt.Errorf("%w: schema version %d cannot be migrated", ErrCorrupt, v)
			}
			if _, err := tx.ExecContext(ctx, m); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
			}
		}
		return nil
	})
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readMeta(ctx context.Context, q querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT key, value FROM meta")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	meta := make(map[string]string)
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		meta[k] = v
	}
	return meta, rows.Err()
}

// NetworkOf returns the name of the network whose chain the store file at
// path holds, without opening it for writing: so a tool can open a node's
// file with the right parameters.
func NetworkOf(ctx context.Context, path string) (string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(busyTimeoutMS)+")")
	q.Add("_pragma", "query_only(1)")
	d, err := dsn(path, q)
	if err != nil {
		return "", err
	}
	db, err := sql.Open("sqlite", d)
	if err != nil {
		return "", err
	}
	defer db.Close()
	meta, err := readMeta(ctx, db)
	if err != nil {
		return "", fmt.Errorf("store: %s: not a postwork store: %w", path, err)
	}
	name, ok := meta["network"]
	if !ok {
		return "", fmt.Errorf("store: %s: %w: no network recorded", path, ErrCorrupt)
	}
	return name, nil
}

// Params returns the network the store was opened for.
func (s *Store) Params() *chain.Params { return s.p }

// Close waits for the write in progress, if any, and closes the file. Calls
// after Close fail with ErrClosed.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Swap(true) {
		return nil
	}
	_, err := s.wc.ExecContext(context.Background(), "PRAGMA optimize")
	return errors.Join(err, s.closeAll())
}

func (s *Store) closeAll() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.hasEvent, s.block, s.wHasEvent, s.wConfirmedIn} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.wc != nil {
		errs = append(errs, s.wc.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// write runs fn in one transaction on the writer connection. durable makes
// the commit wait until the log is on disk (synchronous=FULL), so it
// survives a power failure, not only a crash of the process.
func (s *Store) write(ctx context.Context, durable bool, fn func(tx *sql.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.txLocked(ctx, durable, fn)
}

// txLocked is write for a caller holding wmu.
func (s *Store) txLocked(ctx context.Context, durable bool, fn func(tx *sql.Tx) error) (err error) {
	if s.closed.Load() {
		return ErrClosed
	}
	defer func() { s.gen++ }() // what was read before may have changed
	if durable {
		if _, err := s.wc.ExecContext(ctx, "PRAGMA synchronous=FULL"); err != nil {
			return err
		}
		defer func() {
			if _, e := s.wc.ExecContext(context.Background(), "PRAGMA synchronous=NORMAL"); e != nil && err == nil {
				err = e
			}
		}()
	}
	tx, err := s.wc.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in one read transaction, so its queries see one state.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}
