package web

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/pow"
	"postwork/ui"
)

// unix converts a chain or event time to a time.Time in UTC.
func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// minerNpub is the npub a coinbase pays, or "" for the all-zero key the
// genesis block pays (nobody).
func minerNpub(pub [32]byte) string {
	if pub == ([32]byte{}) {
		return ""
	}
	return nostr.EncodeNpub(pub)
}

func headerSummary(hd *chain.Header) ui.BlockSummary {
	return ui.BlockSummary{Height: hd.Height, Hash: hd.Hash().String(), Time: unix(hd.Time)}
}

func blockSummary(b *chain.Block) ui.BlockSummary {
	s := headerSummary(&b.Header)
	s.Posts = len(b.Events)
	s.Miner = minerNpub(b.Coinbase.PubKey)
	s.Reward = b.Coinbase.Reward
	return s
}

// postSummary is the list entry of ev; height matters only when confirmed.
func postSummary(ev *nostr.Event, confirmed bool, height uint64) ui.PostSummary {
	return ui.PostSummary{
		ID:      hex.EncodeToString(ev.ID[:]),
		Author:  nostr.EncodeNpub(ev.PubKey),
		Time:    unix(ev.CreatedAt),
		Kind:    ev.Kind,
		Bits:    nostr.LeadingZeroBits(ev.ID),
		Content: ev.Content,
		Pending: !confirmed,
		Height:  height,
	}
}

func postSummaries(posts []Post) []ui.PostSummary {
	out := make([]ui.PostSummary, 0, len(posts))
	for _, p := range posts {
		if p.Event != nil {
			out = append(out, postSummary(p.Event, p.Confirmed, p.Height))
		}
	}
	return out
}

// difficulty is how much harder bits is than the easiest target the
// network allows: powLimit / target, so 1 at the limit.
func difficulty(p *chain.Params, bits uint32) float64 {
	target, err := pow.CompactToBig(bits)
	if err != nil || target.Sign() <= 0 || p.PowLimit == nil {
		return 0
	}
	d, _ := new(big.Float).Quo(new(big.Float).SetInt(p.PowLimit), new(big.Float).SetInt(target)).Float64()
	return d
}

// estimate averages the last window blocks of the best chain ending at
// tip: the mean interval between them, and the network hashrate, their
// expected hashes (the work of their targets) over the time they took.
// Both are zero when the blocks took no time (or the chain is only genesis).
func estimate(c Chain, tip chain.Header, window int) (interval, hashrate float64, n int) {
	if tip.Height == 0 || window <= 0 {
		return 0, 0, 0
	}
	n = window
	if uint64(n) > tip.Height {
		n = int(tip.Height)
	}
	first, ok := c.HeaderAt(tip.Height - uint64(n))
	if !ok {
		return 0, 0, 0
	}
	span := tip.Time - first.Time
	if span <= 0 {
		return 0, 0, n
	}
	work := new(big.Int)
	for h := tip.Height - uint64(n) + 1; h <= tip.Height; h++ {
		hd, ok := c.HeaderAt(h)
		if !ok {
			return 0, 0, 0
		}
		work.Add(work, pow.CalcWork(hd.Bits))
	}
	w, _ := new(big.Float).SetInt(work).Float64()
	return float64(span) / float64(n), w / float64(span), n
}

// coinbaseExtra shows a coinbase's free bytes: as text when they are
// printable UTF-8, else as hex.
func coinbaseExtra(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	if utf8.Valid(b) && !strings.ContainsFunc(string(b), func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return string(b), false
	}
	return hex.EncodeToString(b), true
}

// tagViews shows an event's tags; "e" and "p" tags whose value is a valid
// id or key link to that post or author.
func tagViews(tags [][]string) []ui.TagView {
	out := make([]ui.TagView, 0, len(tags))
	for _, t := range tags {
		var v ui.TagView
		if len(t) > 0 {
			v.Name, v.Values = t[0], t[1:]
		}
		if len(t) > 1 {
			if b, err := parseHex32(t[1]); err == nil {
				switch t[0] {
				case "e":
					v.Link = string(ui.PostURL(hex.EncodeToString(b[:])))
				case "p":
					v.Link = string(ui.AuthorURL(nostr.EncodeNpub(b)))
				}
			}
		}
		out = append(out, v)
	}
	return out
}

// Bounds on what a profile shows, so one crafted kind-0 event cannot make a
// page unreadable.
const (
	maxProfileName  = 100
	maxProfileAbout = 2000
	maxProfileURL   = 300
)

// parseProfile reads the fields a page shows from a kind-0 event's content,
// a JSON object (NIP-01, NIP-24). Fields that are missing or not strings are
// left empty; content that is not a JSON object gives a profile with none.
// The content is bounded by the event size limit before it gets here.
func parseProfile(ev *nostr.Event) ui.ProfileView {
	p := ui.ProfileView{Found: true, Updated: unix(ev.CreatedAt)}
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(ev.Content), &fields) != nil {
		return p
	}
	str := func(key string, max int) string {
		var s string
		if json.Unmarshal(fields[key], &s) != nil {
			return ""
		}
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) > max {
			s = string([]rune(s)[:max]) + "…"
		}
		return s
	}
	p.Name = str("name", maxProfileName)
	p.DisplayName = str("display_name", maxProfileName)
	if p.DisplayName == "" {
		p.DisplayName = str("displayName", maxProfileName) // older clients
	}
	p.About = str("about", maxProfileAbout)
	p.Website = str("website", maxProfileURL)
	return p
}

// profileName is what to call an author: display name, else name.
func profileName(p ui.ProfileView) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Name
}

// finite returns v, or 0 when it is not a finite number.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
