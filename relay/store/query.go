package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"postwork/relay"
)

// Bounds on one query, so a filter cannot make the node read or bind
// without limit.
const (
	// MaxQueryLimit caps PostQuery.Limit; it is also the limit when none is
	// set.
	MaxQueryLimit = relay.MaxQueryLimit
	// MaxQueryValues bounds the values of one query: ids, authors, kinds and
	// tag values together.
	MaxQueryValues = 1000
)

// ErrBadQuery is wrapped by the errors QueryPosts returns for a query it
// refuses; the message says why.
var ErrBadQuery = errors.New("bad query")

// PostQuery is a NIP-01 filter. Within a field the values are alternatives
// (OR); the fields set must all match (AND). A nil field is unset; an empty
// but non-nil one matches nothing, as in NIP-01 reference implementations.
type PostQuery struct {
	IDs, Authors [][32]byte
	Kinds        []int
	// Tags maps a single-letter tag name ("e", or "#e" as NIP-01 writes it
	// in filters) to values, of which the first value of a tag must be one.
	Tags map[string][]string
	// Since and Until bound created_at, both inclusive; 0 leaves a bound
	// unset.
	Since, Until int64
	// Limit is how many posts to return at most, newest first; 0 or above
	// MaxQueryLimit means MaxQueryLimit.
	Limit int
}

// QueryPosts returns the posts, pending and confirmed, that match q: newest
// first by created_at, then by id (lowest first), as NIP-01 orders them.
func (s *Store) QueryPosts(ctx context.Context, q PostQuery) ([]PostRecord, error) {
	where, args, empty, err := q.build()
	if err != nil {
		return nil, fmt.Errorf("store: query posts: %w", err)
	}
	if empty {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 || limit > MaxQueryLimit {
		limit = MaxQueryLimit
	}
	query := postSelect + where + " ORDER BY p.created_at DESC, p.id LIMIT ?"
	args = append(args, limit)
	var out []PostRecord
	err = s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		out, err = scanPosts(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: query posts: %w", err)
	}
	return out, nil
}

// build returns the WHERE clause of q and its arguments. empty reports a
// query that matches nothing (an empty list), which needs no SQL.
func (q *PostQuery) build() (where string, args []any, empty bool, err error) {
	if q.Limit < 0 {
		return "", nil, false, fmt.Errorf("%w: negative limit %d", ErrBadQuery, q.Limit)
	}
	if q.Since < 0 || q.Until < 0 {
		return "", nil, false, fmt.Errorf("%w: negative since or until", ErrBadQuery)
	}
	n := len(q.IDs) + len(q.Authors) + len(q.Kinds)
	for _, vs := range q.Tags {
		n += len(vs)
	}
	if n > MaxQueryValues {
		return "", nil, false, fmt.Errorf("%w: %d values, at most %d", ErrBadQuery, n, MaxQueryValues)
	}
	var conds []string
	in := func(col string, vals []any) {
		conds = append(conds, col+" IN ("+placeholders(len(vals))+")")
		args = append(args, vals...)
	}
	if q.IDs != nil {
		if len(q.IDs) == 0 {
			return "", nil, true, nil
		}
		in("p.id", blobs(q.IDs))
	}
	if q.Authors != nil {
		if len(q.Authors) == 0 {
			return "", nil, true, nil
		}
		in("p.pubkey", blobs(q.Authors))
	}
	if q.Kinds != nil {
		if len(q.Kinds) == 0 {
			return "", nil, true, nil
		}
		vals := make([]any, len(q.Kinds))
		for i, k := range q.Kinds {
			vals[i] = k
		}
		// Most posts are kind 1, so the kind index narrows little; with
		// ids or authors given, the unary + keeps SQLite from choosing it
		// (it has no statistics on a young file to know better).
		col := "p.kind"
		if q.IDs != nil || q.Authors != nil {
			col = "+p.kind"
		}
		in(col, vals)
		// Kind 1, nearly every post, is not in the kind index (a scan by
		// time finds those at once); saying so lets SQLite use the index
		// for the other kinds.
		if !slices.Contains(q.Kinds, 1) {
			conds = append(conds, "p.kind != 1")
		}
	}
	if q.Since != 0 {
		conds = append(conds, "p.created_at >= ?")
		args = append(args, q.Since)
	}
	if q.Until != 0 {
		conds = append(conds, "p.created_at <= ?")
		args = append(args, q.Until)
	}
	// Map order is random; sorted names keep the SQL (and its plan) stable.
	names := make([]string, 0, len(q.Tags))
	for name := range q.Tags {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, key := range names {
		vals := q.Tags[key]
		name := strings.TrimPrefix(key, "#")
		if !isIndexedTag(name) {
			return "", nil, false, fmt.Errorf("%w: tag filter %q: only single-letter tags are indexed", ErrBadQuery, key)
		}
		if len(vals) == 0 {
			return "", nil, true, nil
		}
		conds = append(conds, "p.rid IN (SELECT post FROM tags WHERE name = ? AND value IN ("+placeholders(len(vals))+"))")
		args = append(args, name)
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return where, args, false, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func blobs(vs [][32]byte) []any {
	out := make([]any, len(vs))
	for i := range vs {
		out[i] = vs[i][:]
	}
	return out
}
