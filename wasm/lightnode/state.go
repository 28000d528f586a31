package lightnode

import (
	"cmp"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/wasm/feed"
	"postwork/wasm/outbox"
)

// bodies records which blocks' bodies this network's feed has taken in.
type bodies struct {
	mu   sync.Mutex
	seen map[chain.Hash]bool
}

func (nw *network) haveBody(h chain.Hash) bool {
	nw.bodies.mu.Lock()
	defer nw.bodies.mu.Unlock()
	return nw.bodies.seen[h]
}

func (nw *network) markBody(h chain.Hash) {
	nw.bodies.mu.Lock()
	defer nw.bodies.mu.Unlock()
	if nw.bodies.seen == nil {
		nw.bodies.seen = make(map[chain.Hash]bool)
	}
	nw.bodies.seen[h] = true
}

// SyncStats measure header sync, for the page and the benchmarks.
type SyncStats struct {
	Verified   int           // headers checked and connected since start
	VerifyTime time.Duration // spent in chain.ProcessHeader
	StoreTime  time.Duration // spent storing verified headers (headerstore Flush)
	ParseTime  time.Duration // spent decoding HEADERS messages
	WaitTime   time.Duration // idle between finishing a batch and the next HEADERS
	Batches    int           // HEADERS messages processed
	SyncTime   time.Duration // first GETHEADERS to the first time synced
	SyncedAt   time.Time
}

// State is what the page shows; it is encoded as JSON for the page script.
type State struct {
	Npub       string     `json:"npub"`
	Signer     string     `json:"signer"`
	Relay      string     `json:"relay"`
	Conn       string     `json:"conn"`
	ConnDetail string     `json:"connDetail"`
	RetryAt    int64      `json:"retryAt,omitempty"` // unix ms
	Network    string     `json:"network"`
	Tip        TipView    `json:"tip"`
	Sync       SyncView   `json:"sync"`
	MinBits    int        `json:"minBits"`
	Notice     string     `json:"notice,omitempty"`
	Problems   []Problem  `json:"problems"`
	Posts      []PostView `json:"posts"`
}

// TipView is the best block.
type TipView struct {
	Height uint64 `json:"height"`
	Hash   string `json:"hash"`
	Time   int64  `json:"time"`
}

// SyncView reports header sync.
type SyncView struct {
	Headers      int     `json:"headers"` // verified since the page opened
	VerifyMillis float64 `json:"verifyMs"`
	StoreMillis  float64 `json:"storeMs"`
	ParseMillis  float64 `json:"parseMs"`
	WaitMillis   float64 `json:"waitMs"`
	Batches      int     `json:"batches"`
	SyncMillis   float64 `json:"syncMs"`
	Synced       bool    `json:"synced"`
}

// PostView is one line of the feed. Content and Author are user data: the
// page must render them as text.
type PostView struct {
	ID            string `json:"id"`
	Author        string `json:"author"`
	AuthorNpub    string `json:"authorNpub"`
	Content       string `json:"content"`
	CreatedAt     int64  `json:"createdAt"`
	Status        string `json:"status"` // sending, rejected, pending, confirmed
	Reason        string `json:"reason,omitempty"`
	Height        uint64 `json:"height,omitempty"`
	Confirmations uint64 `json:"confirmations,omitempty"`
	Mine          bool   `json:"mine,omitempty"`
}

// Post statuses.
const (
	StatusSending   = "sending"
	StatusRejected  = "rejected"
	StatusPending   = "pending"
	StatusConfirmed = "confirmed"
)

// maxViewPosts bounds the posts in one State.
const maxViewPosts = 200

// State returns a snapshot for the page.
func (n *Node) State() State {
	n.mu.Lock()
	st := State{
		Relay:      n.relay,
		Conn:       n.conn.State,
		ConnDetail: n.conn.Detail,
		MinBits:    n.minBits,
		Notice:     n.notice,
		Problems:   append([]Problem{}, n.problems...),
		Sync: SyncView{
			Headers:      n.stats.Verified,
			VerifyMillis: float64(n.stats.VerifyTime) / float64(time.Millisecond),
			StoreMillis:  float64(n.stats.StoreTime) / float64(time.Millisecond),
			ParseMillis:  float64(n.stats.ParseTime) / float64(time.Millisecond),
			WaitMillis:   float64(n.stats.WaitTime) / float64(time.Millisecond),
			Batches:      n.stats.Batches,
			SyncMillis:   float64(n.stats.SyncTime) / float64(time.Millisecond),
			Synced:       !n.stats.SyncedAt.IsZero(),
		},
	}
	if !n.conn.Retry.IsZero() {
		st.RetryAt = n.conn.Retry.UnixMilli()
	}
	nw := n.net
	n.mu.Unlock()

	w := n.cfg.Wallet
	me := w.PubKey()
	st.Npub, st.Signer = nostr.EncodeNpub(me), w.Kind()

	var names func([32]byte) string
	var posts []feed.Post
	if nw != nil {
		st.Network = nw.params.Name
		tip := nw.chain.Tip()
		st.Tip = TipView{Height: tip.Header.Height, Hash: tip.Hash.String(), Time: tip.Header.Time}
		names = nw.feed.Name
		posts = nw.feed.Posts()
	} else {
		names = func([32]byte) string { return "" }
	}
	author := func(pub [32]byte) (string, string) {
		npub := nostr.EncodeNpub(pub)
		if name := names(pub); name != "" {
			return name, npub
		}
		return feed.ShortNpub(pub), npub
	}
	inView := make(map[[32]byte]bool)
	for _, it := range n.cfg.Outbox.Items() {
		pv := view(it.Event, author, me)
		pv.Status, pv.Reason = StatusSending, ""
		if it.State == outbox.StateRejected {
			pv.Status, pv.Reason = StatusRejected, it.Reason
		}
		st.Posts = append(st.Posts, pv)
		inView[it.Event.ID] = true
	}
	for _, p := range posts {
		if inView[p.Event.ID] {
			continue
		}
		pv := view(p.Event, author, me)
		pv.Status = StatusPending
		if p.Confirmed {
			if conf := nw.chain.Confirmations(p.Block); conf > 0 {
				pv.Status, pv.Height, pv.Confirmations = StatusConfirmed, p.Height, conf
			}
		}
		st.Posts = append(st.Posts, pv)
	}
	sortViews(st.Posts)
	if len(st.Posts) > maxViewPosts {
		st.Posts = st.Posts[:maxViewPosts]
	}
	if st.Posts == nil {
		st.Posts = []PostView{}
	}
	return st
}

func view(e *nostr.Event, author func([32]byte) (string, string), me [32]byte) PostView {
	name, npub := author(e.PubKey)
	return PostView{
		ID:         hex.EncodeToString(e.ID[:]),
		Author:     name,
		AuthorNpub: npub,
		Content:    e.Content,
		CreatedAt:  e.CreatedAt,
		Mine:       e.PubKey == me,
	}
}

// sortViews orders posts newest first, then by id.
func sortViews(ps []PostView) {
	slices.SortFunc(ps, func(a, b PostView) int {
		if c := cmp.Compare(b.CreatedAt, a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
