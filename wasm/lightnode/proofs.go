package lightnode

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
)

// Posts the relay sends that are not in the recent bodies the node checked
// may be in older blocks. A postwork node answers GET /api/posts/{id} with
// the block and an RFC 6962 inclusion proof; the node checks the proof
// against its own header at that height before it shows such a post as
// confirmed, so the relay is trusted for nothing.

// MaxProofSize bounds an /api/posts/{id} answer the node reads.
const MaxProofSize = 256 << 10

// proofsPerRound bounds the proofs asked for after each new best block.
const proofsPerRound = 16

// maxProofHashes bounds a proof: a tree of 2^64 leaves needs 64.
const maxProofHashes = 64

// apiPostURL is where the node at relay serves a post.
func apiPostURL(relay string, id [32]byte) (string, error) {
	u, err := url.Parse(relay)
	if err != nil {
		return "", err
	}
	switch strings.ToLower(u.Scheme) {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return "", errors.New("relay address must start with ws:// or wss://")
	}
	u.Path, u.RawQuery, u.Fragment = "/api/posts/"+hex.EncodeToString(id[:]), "", ""
	return u.String(), nil
}

// apiPost is the part of an /api/posts/{id} answer the node reads.
type apiPost struct {
	Status string `json:"status"`
	Block  *struct {
		Hash   string `json:"hash"`
		Height uint64 `json:"height"`
	} `json:"block"`
	Proof *struct {
		Index  int      `json:"index"`
		Size   int      `json:"size"`
		Hashes []string `json:"hashes"`
	} `json:"proof"`
}

// errNotConfirmed says the answer does not (yet) confirm the post in our
// best chain: not a fault of the relay.
var errNotConfirmed = errors.New("not confirmed in this page's best chain")

// verifyProof checks an answer about e against c and returns the block
// that confirms e. e must be verified already (its id is what is proven).
func verifyProof(c *chain.Chain, e *nostr.Event, body []byte) (chain.Hash, uint64, error) {
	if len(body) > MaxProofSize {
		return chain.Hash{}, 0, fmt.Errorf("answer of %d bytes, limit %d", len(body), MaxProofSize)
	}
	var a apiPost
	if err := json.Unmarshal(body, &a); err != nil {
		return chain.Hash{}, 0, fmt.Errorf("answer: %w", err)
	}
	if a.Status != "confirmed" {
		return chain.Hash{}, 0, errNotConfirmed
	}
	if a.Block == nil || a.Proof == nil {
		return chain.Hash{}, 0, errors.New("confirmed without a block and a proof")
	}
	hash, err := chain.ParseHash(a.Block.Hash)
	if err != nil {
		return chain.Hash{}, 0, fmt.Errorf("block hash: %w", err)
	}
	h, ok := c.HeaderAt(a.Block.Height)
	if !ok || h.Hash() != hash {
		return chain.Hash{}, 0, errNotConfirmed // on a branch we do not follow, or ahead of us
	}
	if len(a.Proof.Hashes) > maxProofHashes {
		return chain.Hash{}, 0, fmt.Errorf("proof of %d hashes, limit %d", len(a.Proof.Hashes), maxProofHashes)
	}
	proof := make([][32]byte, len(a.Proof.Hashes))
	for i, s := range a.Proof.Hashes {
		p, err := chain.ParseHash(s)
		if err != nil {
			return chain.Hash{}, 0, fmt.Errorf("proof hash %d: %w", i, err)
		}
		proof[i] = p
	}
	if err := chain.VerifyEventProof(&h, e, a.Proof.Index, a.Proof.Size, proof); err != nil {
		return chain.Hash{}, 0, err
	}
	return hash, a.Block.Height, nil
}

// startProofs asks, in the background, for the proofs of up to
// proofsPerRound pending posts not asked about at this tip. It runs after
// the recent bodies are in, only for a relay that said it is a postwork node.
func (s *session) startProofs() {
	if s.proving || s.net == nil || s.n.cfg.Fetch == nil || !s.postwork {
		return
	}
	tip := s.net.chain.Tip().Header.Height
	var todo []*nostr.Event
	for _, p := range s.net.feed.Posts() {
		if len(todo) == proofsPerRound {
			break
		}
		if p.Confirmed {
			continue
		}
		if at, ok := s.proofTried[p.Event.ID]; ok && at == tip {
			continue
		}
		s.proofTried[p.Event.ID] = tip
		todo = append(todo, p.Event)
	}
	if len(todo) == 0 {
		return
	}
	s.proving = true
	relay, nw := s.n.Relay(), s.net
	// Returns when the round is done or the session ends.
	go func() {
		changed := false
		for _, e := range todo {
			if s.ctx.Err() != nil {
				break
			}
			u, err := apiPostURL(relay, e.ID)
			if err != nil {
				break
			}
			ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
			body, err := s.n.cfg.Fetch(ctx, u, "application/json", MaxProofSize)
			cancel()
			if err != nil {
				continue // no API, or not there: the post stays pending
			}
			hash, height, err := verifyProof(nw.chain, e, body)
			switch {
			case err == nil:
				changed = nw.feed.Confirm(e, hash, height) || changed
			case !errors.Is(err, errNotConfirmed):
				s.n.problem("the node's proof that post %x is in the chain does not verify: %v", e.ID[:4], err)
			}
		}
		if changed {
			if err := nw.feed.Flush(); err != nil {
				s.n.problem("could not save the feed: %v", err)
			}
			s.n.cfg.Changed()
		}
		s.mu.Lock()
		s.proving = false
		s.mu.Unlock()
	}()
}
