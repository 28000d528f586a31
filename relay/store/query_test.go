package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
)

// queryFixture is a store holding posts of a few authors, kinds, times and
// tags, some confirmed in blocks and some pending, and the same posts in a
// slice for the reference filter.
type queryFixture struct {
	s     *Store
	posts []*nostr.Event
	conf  map[[32]byte]bool
}

var (
	fixtureAuthors = []byte{2, 3, 4, 5}
	fixtureKinds   = []int{0, 1, 7}
	fixtureTimes   = []int64{100, 200, 200, 300, 400} // ties on purpose
	fixtureValues  = []string{"a", "b", "c"}
)

func newQueryFixture(t testing.TB) *queryFixture {
	t.Helper()
	p := chain.TestNet
	s := openStore(t, tempPath(t))
	c := newChain(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	f := &queryFixture{s: s, conf: map[[32]byte]bool{}}
	for i := range 40 {
		var tags [][]string
		for _, name := range []string{"e", "p", "t", "long"} {
			if rng.IntN(2) == 0 {
				tags = append(tags, []string{name, fixtureValues[rng.IntN(len(fixtureValues))]})
			}
		}
		if rng.IntN(4) == 0 {
			tags = append(tags, []string{"t"}) // no value: not indexed
		}
		e := post(t, fixtureAuthors[rng.IntN(len(fixtureAuthors))], fixtureKinds[rng.IntN(len(fixtureKinds))],
			fmt.Sprintf("post %d", i), fixtureTimes[rng.IntN(len(fixtureTimes))], tags...)
		f.posts = append(f.posts, e)
	}
	// The first 15 go into three blocks, the rest wait.
	parent := p.Genesis().Header
	for i := 0; i < 15; i += 5 {
		b := child(t, p, &parent, 1, "", f.posts[i:i+5]...)
		mustProcess(t, c, b)
		parent = b.Header
		for _, e := range f.posts[i : i+5] {
			f.conf[e.ID] = true
		}
	}
	for _, e := range f.posts[15:] {
		if err := s.SavePending(e, time.Unix(500, 0)); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// matches is NIP-01's filter, written the plain way.
func (q *PostQuery) matches(e *nostr.Event) bool {
	if q.IDs != nil && !slices.Contains(q.IDs, e.ID) {
		return false
	}
	if q.Authors != nil && !slices.Contains(q.Authors, e.PubKey) {
		return false
	}
	if q.Kinds != nil && !slices.Contains(q.Kinds, e.Kind) {
		return false
	}
	if q.Since != 0 && e.CreatedAt < q.Since || q.Until != 0 && e.CreatedAt > q.Until {
		return false
	}
	for key, vals := range q.Tags {
		name := strings.TrimPrefix(key, "#")
		if !slices.ContainsFunc(e.Tags, func(tag []string) bool {
			return len(tag) >= 2 && tag[0] == name && slices.Contains(vals, tag[1])
		}) {
			return false
		}
	}
	return true
}

func (f *queryFixture) want(q PostQuery) [][32]byte {
	var out []*nostr.Event
	for _, e := range f.posts {
		if q.matches(e) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *nostr.Event) int {
		return cmp.Or(cmp.Compare(b.CreatedAt, a.CreatedAt), bytes.Compare(a.ID[:], b.ID[:]))
	})
	limit := q.Limit
	if limit <= 0 || limit > MaxQueryLimit {
		limit = MaxQueryLimit
	}
	var ids [][32]byte
	for _, e := range out[:min(limit, len(out))] {
		ids = append(ids, e.ID)
	}
	return ids
}

func (f *queryFixture) check(t *testing.T, q PostQuery) {
	t.Helper()
	recs, err := f.s.QueryPosts(context.Background(), q)
	if err != nil {
		t.Fatalf("query %+v: %v", q, err)
	}
	var got [][32]byte
	for _, r := range recs {
		got = append(got, r.Event.ID)
		if r.Confirmed != f.conf[r.Event.ID] {
			t.Fatalf("post %x confirmed %v, want %v", r.Event.ID, r.Confirmed, f.conf[r.Event.ID])
		}
	}
	if want := f.want(q); !slices.Equal(got, want) {
		t.Fatalf("query %+v:\n got %d posts %x\nwant %d posts %x", q, len(got), got, len(want), want)
	}
}

func TestQueryPostsExamples(t *testing.T) {
	f := newQueryFixture(t)
	a := nostr.PublicKey(testKey(2))
	b := nostr.PublicKey(testKey(3))
	for _, q := range []PostQuery{
		{},
		{Limit: 3},
		{IDs: [][32]byte{f.posts[0].ID, f.posts[20].ID, {1}}},
		{Authors: [][32]byte{a}},
		{Authors: [][32]byte{a, b}, Kinds: []int{1}},
		{Kinds: []int{0, 7}, Since: 200, Until: 300},
		{Since: 200},
		{Until: 200},
		{Tags: map[string][]string{"e": {"a"}}},
		{Tags: map[string][]string{"#e": {"a", "b"}, "p": {"c"}}},
		{Tags: map[string][]string{"t": {"b"}}, Authors: [][32]byte{a}, Limit: 2},
		{IDs: [][32]byte{}},                         // empty list: nothing
		{Tags: map[string][]string{"e": nil}},       // likewise
		{Authors: [][32]byte{{7}}},                  // unknown author
		{Kinds: []int{1}, Limit: MaxQueryLimit + 1}, // capped, not refused
	} {
		f.check(t, q)
	}
	if len(f.want(PostQuery{})) != len(f.posts) {
		t.Fatal("test setup: an empty query should return every post")
	}
}

func TestQueryPostsRefusals(t *testing.T) {
	s := openStore(t, tempPath(t))
	ctx := context.Background()
	for _, q := range []PostQuery{
		{Limit: -1},
		{Since: -5},
		{Tags: map[string][]string{"long": {"x"}}},
		{Tags: map[string][]string{"": {"x"}}},
		{Tags: map[string][]string{"1": {"x"}}},
		{IDs: make([][32]byte, MaxQueryValues+1)},
		{Authors: make([][32]byte, MaxQueryValues/2), Kinds: make([]int, MaxQueryValues/2+1)},
	} {
		if _, err := s.QueryPosts(ctx, q); !errors.Is(err, ErrBadQuery) {
			t.Errorf("query with %s: %v, want ErrBadQuery", describe(q), err)
		}
	}
}

func describe(q PostQuery) string {
	return fmt.Sprintf("%d ids, %d authors, %d kinds, tags %v, since %d, limit %d",
		len(q.IDs), len(q.Authors), len(q.Kinds), q.Tags, q.Since, q.Limit)
}

// TestQueryPostsMatchesReference runs random filters against the SQL and
// the plain Go filter.
func TestQueryPostsMatchesReference(t *testing.T) {
	f := newQueryFixture(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		buf := make([]byte, 24)
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		f.check(t, f.queryFrom(buf))
	}
}

// FuzzQueryPosts is the same comparison driven by the fuzzer.
func FuzzQueryPosts(fz *testing.F) {
	for _, seed := range []string{"", "\x00", "\xff\xff\xff\xff", "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c",
		"\x3f\x00\x10\x21\x32\x43\x54\x65\x76\x87\x98"} {
		fz.Add([]byte(seed))
	}
	f := newQueryFixture(fz)
	fz.Fuzz(func(t *testing.T, data []byte) {
		f.check(t, f.queryFrom(data))
	})
}

// queryFrom turns bytes into a query over the fixture's values: each field
// is set or not, and picks values (sometimes ones no post has).
func (f *queryFixture) queryFrom(data []byte) PostQuery {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	var q PostQuery
	set := next()
	if set&1 != 0 {
		q.IDs = [][32]byte{}
		for range next() % 4 {
			if i := int(next()); i < 2*len(f.posts) {
				q.IDs = append(q.IDs, f.posts[i%len(f.posts)].ID)
			} else {
				q.IDs = append(q.IDs, [32]byte{byte(i)})
			}
		}
	}
	if set&2 != 0 {
		q.Authors = [][32]byte{}
		for range next() % 3 {
			q.Authors = append(q.Authors, nostr.PublicKey(testKey(fixtureAuthors[int(next())%len(fixtureAuthors)])))
		}
	}
	if set&4 != 0 {
		q.Kinds = []int{}
		for range next() % 3 {
			q.Kinds = append(q.Kinds, int(next()%9))
		}
	}
	if set&8 != 0 {
		q.Since = int64(next()) * 2
	}
	if set&16 != 0 {
		q.Until = int64(next()) * 2
	}
	if set&32 != 0 {
		q.Tags = map[string][]string{}
		for range next()%2 + 1 {
			name := []string{"e", "#p", "t"}[next()%3]
			var vals []string
			for range next() % 3 {
				vals = append(vals, []string{"a", "b", "c", "d"}[next()%4])
			}
			q.Tags[name] = vals
		}
	}
	q.Limit = int(next() % 45)
	return q
}
