package hub

import (
	"encoding/hex"
	"encoding/json"

	"postwork/chain"
	"postwork/chain/nostr"
)

// A light node asks a relay whose NIP-11 names a postwork chain for
// GET /api/posts/{id}, the full node's answer with the block and an
// RFC 6962 inclusion proof, to confirm a pending post that is not in the
// recent bodies it fetched. The hub answers in the same shape from what it
// holds: a post in one of its cached blocks on its best chain is confirmed,
// with the proof (the page checks it against its own header, so the hub is
// trusted for nothing); a post it holds otherwise is pending (it may be in
// an older block the hub no longer holds: the page keeps it pending, as it
// would without an answer); anything else is 404. Without this the page's
// every new tip cost a 404 per pending post, each a Worker request and a
// console error.

// HTTP statuses, without importing net/http into the Worker's wasm.
const (
	statusOK            = 200
	statusBadRequest    = 400
	statusNotFound      = 404
	statusInternalError = 500
)

// postAnswer is relay/api's GET /api/posts/{id} answer (docs/api.md).
type postAnswer struct {
	Event         *nostr.Event `json:"event"`
	Status        string       `json:"status"` // "pending" or "confirmed"
	Block         *blockRef    `json:"block"`
	Confirmations uint64       `json:"confirmations"`
	Proof         *proofView   `json:"proof"`
}

type blockRef struct {
	Hash   string `json:"hash"`
	Height uint64 `json:"height"`
}

type proofView struct {
	Index  int      `json:"index"`
	Size   int      `json:"size"`
	Hashes []string `json:"hashes"`
	Root   string   `json:"root"`
}

// PostAPI answers GET /api/posts/{id} for idHex: an HTTP status and a JSON
// body, {"error": "..."} unless 200.
func (h *Hub) PostAPI(idHex string) (int, []byte) {
	var id [32]byte
	if len(idHex) != 2*len(id) {
		return apiError(statusBadRequest, "post id must be 64 hex digits")
	}
	if _, err := hex.Decode(id[:], []byte(idHex)); err != nil {
		return apiError(statusBadRequest, "post id must be 64 hex digits")
	}
	if a := h.confirmedAnswer(id); a != nil {
		return apiJSON(a)
	}
	h.mu.Lock()
	ev := h.posts.get(id)
	h.mu.Unlock()
	if ev == nil {
		return apiError(statusNotFound, "no post with id "+idHex+" among this relay's recent posts and blocks")
	}
	return apiJSON(&postAnswer{Event: ev, Status: "pending"})
}

// confirmedAnswer looks for id in the cached blocks of the best chain.
func (h *Hub) confirmedAnswer(id [32]byte) *postAnswer {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	tip := h.chain.Tip().Header.Height
	for _, hash := range h.blocks.order {
		b := h.blocks.get(hash)
		if hdr, ok := h.chain.HeaderAt(b.Header.Height); !ok || hdr.Hash() != hash {
			continue // not on the best chain
		}
		for i, ev := range b.Events {
			if ev.ID != id {
				continue
			}
			hashes, err := b.ProveEvent(i)
			if err != nil {
				return nil // cannot happen: i is in range
			}
			p := &proofView{Index: i + 1, Size: len(b.Events) + 1, Hashes: make([]string, len(hashes)), Root: b.Header.Merkle.String()}
			for j, s := range hashes {
				p.Hashes[j] = chain.Hash(s).String()
			}
			return &postAnswer{Event: ev, Status: "confirmed", Block: &blockRef{Hash: hash.String(), Height: b.Header.Height},
				Confirmations: tip - b.Header.Height + 1, Proof: p}
		}
	}
	return nil
}

func apiJSON(v any) (int, []byte) {
	b, err := json.Marshal(v)
	if err != nil {
		return apiError(statusInternalError, "encode answer: "+err.Error())
	}
	return statusOK, b
}

func apiError(status int, msg string) (int, []byte) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	return status, b
}
