package nodesource

import (
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/relay/node"
	"postwork/relay/store"
	"postwork/relay/web"
)

func key(seed byte) *btcec.PrivateKey {
	var b [32]byte
	b[0], b[31] = 0x42, seed
	sk, _ := btcec.PrivKeyFromBytes(b[:])
	return sk
}

func signed(t *testing.T, seed byte, kind int, content string, at time.Time) *nostr.Event {
	t.Helper()
	ev := &nostr.Event{Kind: kind, CreatedAt: at.Unix(), Content: content, Tags: [][]string{}}
	if err := ev.Sign(key(seed)); err != nil {
		t.Fatal(err)
	}
	return ev
}

// scenario runs a TestNet node on st: two posts mined into block 1 by
// miner, one more block, one post pending.
type scenario struct {
	n                 *node.Node
	src               *Source
	mined, pending    *nostr.Event
	profile           *nostr.Event
	minerPub          [32]byte
	blocks            []*chain.Block
	genesisPlusAnHour time.Time
}

func run(t *testing.T, st node.Store) *scenario {
	t.Helper()
	p := chain.TestNet
	// The network's genesis may be after the machine's clock: the node's
	// clock runs an hour after it.
	at := time.Unix(p.GenesisTime, 0).Add(time.Hour)
	offset := time.Until(at)
	clock := func() time.Time { return time.Now().Add(offset) }
	s := &scenario{minerPub: nostr.PublicKey(key(1)), genesisPlusAnHour: at}
	var err error
	s.n, err = node.New(node.Config{Params: p, Store: st, MinPoW: 0, MinerKey: s.minerPub, Now: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	s.mined = signed(t, 10, 1, "mined post", at)
	s.profile = signed(t, 10, 0, `{"name":"ten"}`, at)
	for _, ev := range []*nostr.Event{s.mined, s.profile} {
		if err := s.n.Submit(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		b, err := s.n.MineOne(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.blocks = append(s.blocks, b)
	}
	s.pending = signed(t, 11, 1, "pending post", at)
	if err := s.n.Submit(ctx, s.pending); err != nil {
		t.Fatal(err)
	}
	s.src = New(s.n, st, at.Add(-time.Minute))
	return s
}

func stores(t *testing.T) map[string]func() node.Store {
	return map[string]func() node.Store{
		"memory": func() node.Store { return node.NewMemStore() },
		"sqlite": func() node.Store {
			st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), store.FileName), chain.TestNet)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		},
	}
}

func TestSource(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := run(t, open())
			ctx := t.Context()

			p, err := s.src.Post(ctx, s.mined.ID)
			if err != nil || !p.Confirmed || p.Height != 1 || p.BlockHash != s.blocks[0].Hash() || s.blocks[0].Events[p.Index].ID != s.mined.ID {
				t.Errorf("mined post: %+v, %v", p, err)
			}
			p, err = s.src.Post(ctx, s.pending.ID)
			if err != nil || p.Confirmed || p.Event.ID != s.pending.ID {
				t.Errorf("pending post: %+v, %v", p, err)
			}
			if _, err := s.src.Post(ctx, [32]byte{1}); !errors.Is(err, chain.ErrNotFound) {
				t.Errorf("unknown post: %v", err)
			}

			posts, err := s.src.Posts(ctx, s.mined.PubKey, []int{0}, 5)
			if err != nil || len(posts) != 1 || posts[0].Event.ID != s.profile.ID {
				t.Errorf("profile query: %d posts, %v", len(posts), err)
			}
			posts, err = s.src.Posts(ctx, s.mined.PubKey, nil, 5)
			if err != nil || len(posts) != 2 {
				t.Errorf("author query: %d posts, %v", len(posts), err)
			}

			reward, blocks, err := s.src.Balance(ctx, s.minerPub)
			if want := 2 * chain.TestNet.Reward(1); err != nil || blocks != 2 || reward != want {
				t.Errorf("miner balance %d from %d blocks, %v; want %d from 2", reward, blocks, err, want)
			}
			if reward, blocks, err := s.src.Balance(ctx, s.mined.PubKey); err != nil || reward != 0 || blocks != 0 {
				t.Errorf("poster balance %d from %d blocks, %v", reward, blocks, err)
			}

			m, err := s.src.Mempool(ctx, 0)
			if err != nil || m.Count != 1 || m.Bytes == 0 || len(m.Posts) != 0 {
				t.Errorf("mempool summary %+v, %v", m, err)
			}
			if m, _ := s.src.Mempool(ctx, 10); len(m.Posts) != 1 || m.Posts[0].ID != s.pending.ID {
				t.Errorf("mempool posts %+v", m.Posts)
			}

			st, err := s.src.Status(ctx)
			if err != nil || st.HeaderHeight != 2 || st.Mining || !strings.HasPrefix(st.Version, "postwork ") {
				t.Errorf("status %+v, %v", st, err)
			}
			if (name == "memory") != (st.StorageBytes == -1) || (name == "sqlite" && st.StorageBytes <= 0) {
				t.Errorf("%s store size %d", name, st.StorageBytes)
			}
			if peers, err := s.src.Peers(ctx); err != nil || len(peers) != 0 {
				t.Errorf("peers %v, %v", peers, err)
			}
		})
	}
}

// The pages, read through this Source from a real node, show what the node
// holds.
func TestPagesOverNode(t *testing.T) {
	s := run(t, stores(t)["sqlite"]())
	h := web.New(s.src, web.Options{Now: func() time.Time { return s.genesisPlusAnHour }})
	for path, want := range map[string]string{
		"/post/" + hexID(s.mined.ID):                  "mined post",
		"/post/" + hexID(s.pending.ID):                "pending",
		"/author/" + nostr.EncodeNpub(s.mined.PubKey): "ten",
		"/author/" + nostr.EncodeNpub(s.minerPub):     "100 coins from 2 blocks",
		"/block/1":  s.blocks[0].Hash().String(),
		"/explorer": "mined post",
		"/mempool":  "pending post",
		"/status":   "postwork " + node.Version,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d, want 200 showing %q", path, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/post/"+hexID(s.mined.ID), nil))
	if !strings.Contains(rec.Body.String(), "valid</span> leaf") {
		t.Error("the Merkle proof of a mined post does not check out")
	}
}

func hexID(id [32]byte) string { return hex.EncodeToString(id[:]) }
