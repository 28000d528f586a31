package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/relay"
)

// Bounds of GET /api/posts and POST /api/posts.
const (
	DefaultPosts = 50
	MaxPosts     = 500
	// MaxPostBody is the largest body POST /api/posts reads: an event of
	// nostr.MaxEventSize with room for surrounding whitespace.
	MaxPostBody = nostr.MaxEventSize + 4<<10
)

// GET /api/posts?author=&kind=&until=&limit=
func (h *Handler) posts(w http.ResponseWriter, r *http.Request) {
	q, f := parseQuery(r.URL.RawQuery, "author", "kind", "until", "limit")
	if f != nil {
		h.fail(w, r, f)
		return
	}
	var pq Query
	if q.has("author") {
		k, f := parseKey(q.get("author"))
		if f != nil {
			h.fail(w, r, f)
			return
		}
		pq.Author = &k
	}
	if q.has("kind") {
		k, f := q.uint("kind", 0, 0, nostr.MaxKind)
		if f != nil {
			h.fail(w, r, f)
			return
		}
		kind := int(k)
		pq.Kind = &kind
	}
	until, f := q.uint("until", 0, 0, nostr.MaxCreatedAt)
	if f != nil {
		h.fail(w, r, f)
		return
	}
	limit, f := q.uint("limit", DefaultPosts, 1, MaxPosts)
	if f != nil {
		h.fail(w, r, f)
		return
	}
	pq.Until, pq.Limit = int64(until), int(limit)
	recs, err := h.node.Posts(r.Context(), pq)
	if err != nil {
		h.fail(w, r, nodeFailure(err, "no posts"))
		return
	}
	out := struct {
		Posts []postSummary `json:"posts"`
	}{Posts: make([]postSummary, len(recs))}
	for i, p := range recs {
		out.Posts[i] = h.summary(p)
	}
	writeJSON(w, http.StatusOK, out)
}

// postSummary is a post and its status, without the proof.
type postSummary struct {
	Event         *nostr.Event  `json:"event"`
	Status        string        `json:"status"` // "pending" or "confirmed"
	Block         *blockRefView `json:"block"`
	Confirmations uint64        `json:"confirmations"`
}

type blockRefView struct {
	Hash   string `json:"hash"`
	Height uint64 `json:"height"`
}

func (h *Handler) summary(p Post) postSummary {
	s := postSummary{Event: p.Event, Status: "pending"}
	if p.Confirmed {
		s.Status = "confirmed"
		s.Block = &blockRefView{Hash: p.BlockHash.String(), Height: p.Height}
		s.Confirmations = h.node.Confirmations(p.BlockHash)
	}
	return s
}

// proofView is an RFC 6962 inclusion proof of the post's id‖sig under the
// block's Merkle root: leaf Index of a tree of Size leaves (the coinbase is
// leaf 0), sibling hashes from the leaf up. chain.VerifyEventProof checks
// it.
type proofView struct {
	Index  int      `json:"index"`
	Size   int      `json:"size"`
	Hashes []string `json:"hashes"`
	Root   string   `json:"root"`
}

// GET /api/posts/{id}
func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	id, f := parseID("post id", r.PathValue("id"))
	if f != nil {
		h.fail(w, r, f)
		return
	}
	p, err := h.node.Post(r.Context(), id)
	if err != nil {
		h.fail(w, r, nodeFailure(err, "no post with id "+hexString(id)))
		return
	}
	out := struct {
		postSummary
		Proof *proofView `json:"proof"`
	}{postSummary: h.summary(p)}
	if p.Confirmed {
		proof, err := h.prove(p)
		if err != nil {
			h.fail(w, r, nodeFailure(err, ""))
			return
		}
		out.Proof = proof
	}
	writeJSON(w, http.StatusOK, out)
}

// prove builds the inclusion proof of a confirmed post from its block.
func (h *Handler) prove(p Post) (*proofView, error) {
	b, err := h.node.Block(p.BlockHash)
	if err != nil {
		return nil, err
	}
	if p.Index < 0 || p.Index >= len(b.Events) || b.Events[p.Index].ID != p.Event.ID {
		return nil, errors.New("stored position of the post does not match its block")
	}
	hashes, err := b.ProveEvent(p.Index)
	if err != nil {
		return nil, err
	}
	v := &proofView{Index: p.Index + 1, Size: len(b.Events) + 1, Hashes: make([]string, len(hashes)), Root: b.Header.Merkle.String()}
	for i, hh := range hashes {
		v.Hashes[i] = hexString(hh)
	}
	return v, nil
}

// submitView answers an accepted or known post.
type submitView struct {
	ID     string `json:"id"`
	Status string `json:"status"` // "pending" or "confirmed"
}

// POST /api/posts with a signed NIP-01 event as the body: 202 when it is
// accepted, 200 when the node already has it, else a 4xx whose error
// starts with the NIP-01 prefix a relay's OK would carry.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	if _, f := parseQuery(r.URL.RawQuery); f != nil {
		h.fail(w, r, f)
		return
	}
	body, f := readBody(w, r, MaxPostBody)
	if f != nil {
		h.fail(w, r, f)
		return
	}
	ev, err := nostr.Parse(body)
	if err != nil {
		reason := wire.PrefixInvalid + ": " + err.Error()
		h.onPost(false, reason)
		h.fail(w, r, badRequest("%s", reason))
		return
	}
	status, f := h.publish(r, ev)
	if f != nil {
		h.fail(w, r, f)
		return
	}
	code := http.StatusAccepted
	if status != "" {
		code = http.StatusOK
	} else {
		status = "pending"
	}
	writeJSON(w, code, submitView{ID: hexString(ev.ID), Status: status})
}

// publish submits ev to the node. It returns "" for a post accepted now,
// the status of one the node already had, or the failure to answer.
func (h *Handler) publish(r *http.Request, ev *nostr.Event) (known string, f *failure) {
	err := h.node.Submit(r.Context(), ev)
	if err == nil {
		h.onPost(true, "")
		return "", nil
	}
	var rej *relay.Reject
	if !errors.As(err, &rej) {
		h.onPost(false, wire.PrefixError+": "+err.Error())
		return "", &failure{status: http.StatusInternalServerError, msg: "error: the node could not take the post; the cause is in its log", cause: err}
	}
	h.onPost(rej.Prefix == wire.PrefixDuplicate, rej.Error())
	if rej.Prefix == wire.PrefixDuplicate {
		known = "pending"
		if p, err := h.node.Post(r.Context(), ev.ID); err == nil && p.Confirmed {
			known = "confirmed"
		}
		return known, nil
	}
	return "", &failure{status: rejectStatus(rej.Prefix), msg: rej.Error()}
}

// rejectStatus maps a NIP-01 prefix to an HTTP status: the client's
// mistakes are 4xx; error: (the node's failure) is 503, try again later.
func rejectStatus(prefix string) int {
	switch prefix {
	case wire.PrefixInvalid:
		return http.StatusBadRequest
	case wire.PrefixPoW:
		return http.StatusUnprocessableEntity
	case wire.PrefixRateLimited:
		return http.StatusTooManyRequests
	case wire.PrefixBlocked, wire.PrefixRestricted:
		return http.StatusForbidden
	case wire.PrefixError:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// readBody reads a request body of at most max bytes.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, *failure) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &failure{status: http.StatusRequestEntityTooLarge, msg: "invalid: body is larger than the limit of " + strconv.FormatInt(max, 10) + " bytes"}
	case err != nil:
		return nil, badRequest("could not read the body: %v", err)
	case len(body) == 0:
		return nil, badRequest("empty body")
	}
	return body, nil
}
