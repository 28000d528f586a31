package ui

import "time"

// Section names the entry of the main navigation a page belongs to.
type Section string

// Sections of the main navigation.
const (
	SectionNone     Section = ""
	SectionExplorer Section = "explorer"
	SectionMempool  Section = "mempool"
	SectionPeers    Section = "peers"
	SectionStatus   Section = "status"
)

// Page is what the shared layout needs to know about the page it frames.
type Page struct {
	Title   string  // the page's own title; the layout adds the site name
	Section Section // navigation entry marked as current
	Network string  // network name shown beside the site name ("main", "dev", "test")
	Query   string  // echoed in the search box (a search that found nothing)
	Live    bool    // the page has data-live parts: load live.js
}

// BlockSummary is one row of a block list.
type BlockSummary struct {
	Height uint64
	Hash   string // 64 hex characters
	Time   time.Time
	Posts  int
	Miner  string // npub of the coinbase key; empty when it pays nobody (genesis)
	Reward uint64 // reward units (chain.CoinUnits per coin)
}

// PostSummary is one entry of a post list.
type PostSummary struct {
	ID      string // 64 hex characters
	Author  string // npub
	Time    time.Time
	Kind    int
	Bits    int    // NIP-13 difficulty: leading zero bits of the id
	Content string // the full content; lists show an excerpt
	Pending bool   // waiting in the mempool rather than in a block
	Height  uint64 // block height when confirmed
}

// ExplorerView is the front page of the explorer.
type ExplorerView struct {
	Tip           BlockSummary
	Difficulty    float64 // tip target relative to the easiest target the network allows
	Hashrate      float64 // network estimate in hashes per second; 0 when unknown
	Interval      float64 // mean seconds between the last Window blocks; 0 when unknown
	Window        int     // blocks the estimates average over
	TargetSpacing int64   // seconds per block the difficulty rule aims for
	MempoolCount  int
	MempoolBytes  int
	RecentBlocks  []BlockSummary
	RecentPosts   []PostSummary
	Version       string // identifies this content for the live stream (opaque)
}

// BlockView is a block page.
type BlockView struct {
	Hash       string
	Height     uint64
	Version    uint32
	Prev       string // parent hash; empty for the genesis block
	Merkle     string
	Time       time.Time
	Bits       uint32
	Nonce      uint64
	Difficulty float64

	HasBody   bool   // false while only the header has arrived
	Miner     string // npub; empty when the coinbase pays nobody
	Reward    uint64 // claimed by the coinbase
	MaxReward uint64 // the most the block could claim
	Extra     string // coinbase extra bytes as text, or hex when they are not UTF-8
	ExtraHex  bool
	Size      int // encoded header and body in bytes

	Confirmations uint64 // 0 when the block is not on the best chain
	Child         string // next block on the best chain; empty at the tip or off it
	Posts         []PostSummary
}

// TagView is one tag of an event. Link, when set, is a page of this site for
// the tag's value (an "e" tag's post, a "p" tag's author).
type TagView struct {
	Name   string
	Values []string
	Link   string
}

// ProofView says whether a post's Merkle inclusion proof checked out
// against its block header.
type ProofView struct {
	Checked bool // a proof was built and verified
	Valid   bool
	Index   int // leaf index (the coinbase is leaf 0)
	Leaves  int
	Hashes  int    // length of the proof
	Root    string // the header's Merkle root
	Error   string // why it failed
}

// PostView is a post page.
type PostView struct {
	ID         string
	Author     string // npub
	AuthorHex  string
	AuthorName string // from the author's kind-0 profile, if any
	Time       time.Time
	Kind       int
	Content    string
	Tags       []TagView
	Sig        string
	SigValid   bool
	Bits       int // leading zero bits of the id
	Target     int // committed NIP-13 target; -1 when the post commits to none

	Pending       bool
	Block         string // hash of the block holding it; empty while pending
	Height        uint64
	Confirmations uint64 // 0 when Block is not on the best chain
	Proof         ProofView
}

// ProfileView is what a kind-0 event says about its author.
type ProfileView struct {
	Found       bool
	Name        string
	DisplayName string
	About       string
	Website     string // shown as a link only when it is http or https
	Updated     time.Time
}

// AuthorView is an author page: profile, posts and mining rewards.
type AuthorView struct {
	Npub         string
	Hex          string
	Profile      ProfileView
	Posts        []PostSummary
	MorePosts    bool // the list is cut at its limit
	RewardBlocks int  // blocks this key mined on the best chain
	RewardTotal  uint64
}

// MempoolView is the list of pending posts, best first.
type MempoolView struct {
	Count   int
	Bytes   int
	MinBits int // the node's admission threshold
	Posts   []PostSummary
	Version string // identifies this content for the live stream (opaque)
}

// PeerView is one connected peer.
type PeerView struct {
	Addr    string
	Agent   string
	Inbound bool
	Height  uint64
	Since   time.Time
}

// PeersView is the peers page.
type PeersView struct {
	Peers []PeerView
}

// StatusView is the node status page.
type StatusView struct {
	Version      string
	Network      string
	Genesis      string
	Started      time.Time
	Uptime       time.Duration
	StorageBytes int64 // -1 when unknown
	TipHeight    uint64
	TipHash      string
	TipTime      time.Time
	HeaderHeight uint64 // best header known; above TipHeight while bodies download
	Peers        int
	MempoolCount int
	Mining       bool
	Hashrate     float64 // this node's miner, hashes per second
}

// Syncing reports whether the node still downloads blocks it knows headers of.
func (s StatusView) Syncing() bool { return s.HeaderHeight > s.TipHeight }

// ErrorView is a page that says what went wrong: a 400 for a malformed
// parameter, a 404 for something the node does not know, a 500 for its own
// failure.
type ErrorView struct {
	Status  int
	Title   string
	Message string
}
