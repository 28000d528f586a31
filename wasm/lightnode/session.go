package lightnode

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"postwork/chain"
	"postwork/chain/nostr"
	"postwork/chain/wire"
	"postwork/wasm/outbox"
)

// Limits that decide when a relay is misbehaving rather than slow.
const (
	// maxGarbage is how many malformed frames a session tolerates before
	// it disconnects (and the loop backs off).
	maxGarbage = 20
	// requestTimeout is how long a GETHEADERS or GETBLOCKS may go
	// unanswered.
	requestTimeout = 20 * time.Second
	// resendAfter is how long a post may wait for OK before it is sent again.
	resendAfter = 20 * time.Second
	// tickEvery paces the session's housekeeping.
	tickEvery = time.Second
)

// Subscription ids this node opens.
const (
	subFeed = "feed"
)

// session is one connection's state. Reads happen on the Run goroutine;
// the tick goroutine and Publish write too, so every field is under mu.
type session struct {
	n      *Node
	conn   Conn
	ctx    context.Context
	cancel context.CancelCauseFunc
	start  time.Time

	mu         sync.Mutex
	net        *network
	helloSent  string // network of the HELLO sent, "" if none
	gotHello   bool
	claim      *tipClaim
	headersAt  time.Time // when the outstanding GETHEADERS went out; zero if none
	waitFrom   time.Time // since when the session has had nothing to do but wait for HEADERS
	flushing   bool      // a background flush of verified headers is running (flushHeaders)
	flushAgain bool      // more headers were verified while it ran
	flushes    sync.WaitGroup
	blocksAt   time.Time
	wanted     map[chain.Hash]bool
	garbage    int
	sent       map[[32]byte]time.Time
	syncStart  time.Time
	feedDirty  bool
	liarNotice bool
	caughtUp   bool // the relay had no more headers for us
	postwork   bool // the relay's NIP-11 says it is a postwork node
	proving    bool // a round of proof requests is running
	proofTried map[[32]byte]uint64
	live       livePosts // posts safe to mine (mining.go)
}

// tipClaim is what the relay said its best block is.
type tipClaim struct {
	hash   chain.Hash
	height uint64
	work   *big.Int
}

// learnNetwork reads the relay's NIP-11 document and opens the chain of the
// network it names, so the first HELLO goes to the right network. A relay
// without one keeps the network followed before (or none).
func (n *Node) learnNetwork(ctx context.Context, relay string) (postwork bool, err error) {
	if n.cfg.Fetch == nil {
		return false, nil
	}
	u, err := InfoURL(relay)
	if err != nil {
		return false, err
	}
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	body, err := n.cfg.Fetch(ictx, u, "application/nostr+json", MaxInfoSize)
	cancel()
	if err != nil {
		return false, nil // not fatal: the relay's HELLO may still say
	}
	info, err := ParseInfo(body)
	if err != nil {
		n.problem("the relay's information document is unreadable: %v", err)
		return false, nil
	}
	if info.Network == "" {
		return false, nil
	}
	p := chain.Networks[info.Network]
	if p == nil {
		n.problem("the relay is on network %q, which this page does not know", info.Network)
		return false, fmt.Errorf("relay on unknown network %q", info.Network)
	}
	if info.Genesis != p.GenesisHash().String() {
		n.problem("the relay's genesis block %s is not the %s network's %s", info.Genesis, p.Name, p.GenesisHash())
		return false, errors.New("relay on a different chain")
	}
	if _, err := n.useNetwork(p); err != nil {
		return false, err
	}
	n.mu.Lock()
	n.minBits = max(p.DefaultMinPostBits, info.MinPoW)
	n.mu.Unlock()
	return true, nil
}

func (n *Node) runSession(ctx context.Context) error {
	url := n.Relay()
	postwork, err := n.learnNetwork(ctx, url)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := n.cfg.Dial(dctx, url)
	cancel()
	if err != nil {
		return fmt.Errorf("cannot connect to %s: %w", url, err)
	}
	sctx, scancel := context.WithCancelCause(ctx)
	s := &session{n: n, conn: conn, ctx: sctx, cancel: scancel, start: n.cfg.Now(),
		wanted: make(map[chain.Hash]bool), sent: make(map[[32]byte]time.Time), net: n.network(),
		postwork: postwork, proofTried: make(map[[32]byte]uint64)}
	n.mu.Lock()
	n.sess = s
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		if n.sess == s {
			n.sess = nil
		}
		n.mu.Unlock()
		s.close(nil)
		s.flushes.Wait() // the session's headers are stored when it ends
	}()
	n.setConn(connState{State: "open", Detail: url})

	s.mu.Lock()
	s.begin()
	s.mu.Unlock()
	// The ticker exits when the session's context ends.
	go s.tick()
	for {
		frame, err := conn.Read(sctx)
		if err != nil {
			if cause := context.Cause(sctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return cause
			}
			return fmt.Errorf("connection lost: %w", err)
		}
		s.mu.Lock()
		err = s.handle(frame)
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// close ends the session with cause (nil: a plain close).
func (s *session) close(cause error) {
	s.cancel(cause)
	s.conn.Close()
}

func (s *session) send(m wire.Message) {
	// A failed write shows up as a failed read next; the loop redials.
	_ = s.conn.Write(s.ctx, wire.Encode(m))
}

// begin runs when the connection opens: introduce ourselves if we know the
// network, subscribe to the feed, and send what waits in the outbox.
func (s *session) begin() {
	if s.net != nil {
		s.sendHello()
	}
	s.send(&wire.MsgReq{SubID: subFeed, Filters: []wire.Filter{
		{Kinds: []int{1}, Limit: 200, HasLimit: true},
		{Kinds: []int{0}, Limit: 200, HasLimit: true},
	}})
	for _, e := range s.n.cfg.Outbox.Waiting() {
		s.sendEventLocked(e)
	}
}

func (s *session) sendHello() {
	tip := s.net.chain.Tip()
	s.send(&wire.MsgHello{
		Network: s.net.params.Name,
		Genesis: s.net.params.GenesisHash(),
		Tip:     tip.Hash,
		Height:  tip.Header.Height,
		Work:    tip.Work,
		Agent:   "postwork-light/0.1",
		Version: wire.ProtocolVersion,
	})
	s.helloSent = s.net.params.Name
}

func (s *session) sendEvent(e *nostr.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sendEventLocked(e)
}

func (s *session) sendEventLocked(e *nostr.Event) {
	s.sent[e.ID] = s.n.cfg.Now()
	s.send(&wire.MsgEvent{Event: e})
}

// tick does the session's housekeeping once a second until it ends.
func (s *session) tick() {
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		err := s.housekeeping()
		s.mu.Unlock()
		if err != nil {
			s.close(err)
			return
		}
	}
}

func (s *session) housekeeping() error {
	now := s.n.cfg.Now()
	if !s.headersAt.IsZero() && now.Sub(s.headersAt) > requestTimeout {
		s.n.problem("the relay did not answer a request for headers within %s", requestTimeout)
		return errors.New("relay stopped answering")
	}
	if !s.blocksAt.IsZero() && now.Sub(s.blocksAt) > requestTimeout {
		s.n.problem("the relay did not send the blocks asked for within %s", requestTimeout)
		return errors.New("relay stopped answering")
	}
	if !s.gotHello && s.net == nil && now.Sub(s.start) > s.n.cfg.HelloWait {
		s.n.setConn(connState{State: "open", Detail: "the relay sent no HELLO: it is not a postwork node, so there is no chain to follow; posts still go out"})
		s.gotHello = true // say it once
	}
	for _, e := range s.n.cfg.Outbox.Waiting() {
		if at, ok := s.sent[e.ID]; !ok || now.Sub(at) > resendAfter {
			s.sendEventLocked(e)
		}
	}
	s.flushFeed()
	return nil
}

func (s *session) flushFeed() {
	if !s.feedDirty || s.net == nil {
		return
	}
	if err := s.net.feed.Flush(); err != nil {
		s.n.problem("could not save the feed: %v", err)
		return
	}
	s.feedDirty = false
}

// handle processes one frame. An error ends the session.
func (s *session) handle(frame []byte) error {
	arrived := s.n.cfg.Now()
	m, err := wire.Parse(frame)
	if err != nil {
		if errors.Is(err, wire.ErrUnknownVerb) {
			return nil
		}
		s.garbage++
		s.n.problem("the relay sent a malformed message, ignored: %v", err)
		if s.garbage >= maxGarbage {
			return fmt.Errorf("the relay sent %d malformed messages", s.garbage)
		}
		return nil
	}
	switch m := m.(type) {
	case *wire.MsgHello:
		return s.onHello(m)
	case *wire.MsgHeaders:
		s.n.mu.Lock()
		if !s.waitFrom.IsZero() {
			s.n.stats.WaitTime += arrived.Sub(s.waitFrom)
			s.waitFrom = time.Time{}
		}
		s.n.stats.ParseTime += s.n.cfg.Now().Sub(arrived)
		s.n.mu.Unlock()
		return s.onHeaders(m.Headers)
	case *wire.MsgTip:
		return s.onTip(m)
	case *wire.MsgBlock:
		return s.onBlock(m.Block)
	case *wire.MsgNotFound:
		for _, h := range m.Hashes {
			delete(s.wanted, h)
		}
		if len(s.wanted) == 0 {
			s.blocksAt = time.Time{}
		}
	case *wire.MsgEvent:
		s.onEvent(m.Event)
		s.live.event(s, m.Event)
	case *wire.MsgOK:
		s.onOK(m)
	case *wire.MsgEOSE:
		s.live.eose = true
		s.flushFeed()
		if s.caughtUp && len(s.wanted) == 0 {
			s.startProofs() // posts the relay just sent may be in older blocks
		}
	case *wire.MsgNotice:
		s.n.mu.Lock()
		s.n.notice = m.Message
		s.n.mu.Unlock()
		s.n.cfg.Changed()
	case *wire.MsgClosed:
		s.n.problem("the relay closed the %s subscription: %s", m.SubID, m.Reason)
	case *wire.MsgGetHeaders:
		// A peer may ask us too; serving headers is cheap.
		if s.net != nil {
			s.send(&wire.MsgHeaders{Headers: s.net.chain.HeadersAfter(m.Locator, m.Stop, min(m.Max, wire.MaxHeadersPerMsg))})
		}
	case *wire.MsgGetBlocks:
		s.send(&wire.MsgNotFound{Hashes: m.Hashes}) // a light node keeps no bodies to serve
	}
	return nil
}

func (s *session) onHello(m *wire.MsgHello) error {
	s.gotHello = true
	p := chain.Networks[m.Network]
	if p == nil {
		s.n.problem("the relay is on network %q, which this page does not know", m.Network)
		return fmt.Errorf("relay on unknown network %q", m.Network)
	}
	if m.Genesis != p.GenesisHash() {
		s.n.problem("the relay's genesis block %s is not the %s network's %s", m.Genesis, p.Name, p.GenesisHash())
		return errors.New("relay on a different chain")
	}
	nw, err := s.n.useNetwork(p)
	if err != nil {
		return err
	}
	s.net = nw
	s.claim = &tipClaim{hash: m.Tip, height: m.Height, work: m.Work}
	if s.helloSent != p.Name {
		s.sendHello()
	}
	s.requestHeaders()
	return nil
}

func (s *session) requestHeaders() {
	if !s.headersAt.IsZero() {
		return // one request at a time
	}
	if s.syncStart.IsZero() {
		s.syncStart = s.n.cfg.Now()
		s.n.setConn(connState{State: "syncing", Detail: s.n.Relay()})
	}
	s.headersAt = s.n.cfg.Now()
	s.waitFrom = s.headersAt
	s.send(&wire.MsgGetHeaders{Locator: s.net.chain.Locator(), Max: wire.MaxHeadersPerMsg})
}

// requestHeadersAfter asks for the headers that follow last, a header not
// yet verified, so the relay finds and sends the next batch while this one
// is verified and stored. The rest of the locator covers a relay that does
// not have last on its best chain.
func (s *session) requestHeadersAfter(last *chain.Header) {
	s.headersAt = s.n.cfg.Now()
	loc := append([]chain.Hash{last.Hash()}, s.net.chain.Locator()...)
	s.send(&wire.MsgGetHeaders{Locator: loc[:min(len(loc), chain.MaxLocatorHashes)], Max: wire.MaxHeadersPerMsg})
}

func (s *session) onHeaders(hs []chain.Header) error {
	if s.net == nil {
		s.n.problem("the relay sent headers before saying which network it is on; ignored")
		return nil
	}
	s.headersAt = time.Time{}
	c := s.net.chain
	// A full batch whose last header is new is most likely followed by
	// more: ask for them now. If this batch turns out bad the session ends
	// and the answer is never read; if it is good, its last header is
	// stored by then, so the answer connects.
	pipelined := false
	if len(hs) >= wire.MaxHeadersPerMsg {
		last := &hs[len(hs)-1]
		if _, known := c.HeaderByHash(last.Hash()); !known {
			s.requestHeadersAfter(last)
			pipelined = true
		}
	}
	now := s.n.cfg.Now()
	added := 0
	var bad error
	for i := range hs {
		h := &hs[i]
		res, err := c.ProcessHeader(h, now.Unix())
		switch {
		case err == nil:
			added++
			s.disconnected(res)
		case errors.Is(err, chain.ErrDuplicateBlock):
		case errors.Is(err, chain.ErrUnknownParent):
			s.n.problem("the relay sent a header at height %d that does not connect to the headers before it; the rest of its answer was ignored", h.Height)
			bad = errors.New("relay sent headers that do not connect")
		case chain.IsRuleError(err):
			s.n.problem("the relay sent an invalid header at height %d (%s): %v; it was not stored", h.Height, h.Hash(), err)
			bad = errors.New("relay sent an invalid header")
		default:
			return err
		}
		if bad != nil {
			break
		}
	}
	verified := s.n.cfg.Now()
	s.flushHeaders()
	s.n.mu.Lock()
	s.n.stats.Verified += added
	s.n.stats.VerifyTime += verified.Sub(now)
	s.n.stats.Batches++
	s.n.mu.Unlock()
	if bad != nil {
		return bad
	}
	if len(hs) >= wire.MaxHeadersPerMsg && added > 0 {
		if !pipelined {
			s.requestHeaders()
		}
		if !s.headersAt.IsZero() {
			s.waitFrom = verified
		}
		return nil
	}
	s.synced()
	return nil
}

// flushHeaders stores the headers verified so far in the background: the
// IndexedDB transaction commits while the session verifies the next batch,
// instead of the sync waiting for it. One flush runs at a time; headers
// verified meanwhile go in the next. The goroutine exits when nothing is
// left to flush, and the session waits for it before it ends. s.mu is held.
func (s *session) flushHeaders() {
	if s.flushing {
		s.flushAgain = true
		return
	}
	s.flushing = true
	store := s.net.store
	s.flushes.Add(1)
	go func() {
		defer s.flushes.Done()
		for {
			start := s.n.cfg.Now()
			err := store.Flush()
			took := s.n.cfg.Now().Sub(start)
			if err != nil {
				s.n.problem("could not save headers: %v", err)
			}
			s.n.mu.Lock()
			s.n.stats.StoreTime += took
			s.n.mu.Unlock()
			s.mu.Lock()
			again := s.flushAgain && err == nil
			s.flushAgain = false
			s.flushing = again
			store = s.net.store // the network followed may have changed
			s.mu.Unlock()
			if !again {
				return
			}
		}
	}()
}

// disconnected makes the posts of blocks a reorganisation removed pending.
func (s *session) disconnected(res *chain.Result) {
	for _, b := range res.Disconnected {
		if s.net.feed.Unconfirm(b.Hash()) {
			s.feedDirty = true
		}
	}
}

// synced runs when the relay has no more headers for us: check its claim,
// then fetch the bodies of the recent blocks.
func (s *session) synced() {
	c := s.net.chain
	tip := c.Tip()
	if cl := s.claim; cl != nil && !s.liarNotice {
		if _, ok := c.HeaderByHash(cl.hash); !ok && (cl.work == nil || cl.work.Cmp(tip.Work) > 0) {
			s.n.problem("the relay claimed a best block %s at height %d but sent headers only up to height %d; its claim is ignored", cl.hash, cl.height, tip.Header.Height)
			s.liarNotice = true
		}
	}
	s.n.mu.Lock()
	if s.n.stats.SyncedAt.IsZero() {
		s.n.stats.SyncedAt = s.n.cfg.Now()
		s.n.stats.SyncTime = s.n.stats.SyncedAt.Sub(s.syncStart)
	}
	s.n.mu.Unlock()
	s.caughtUp = true
	s.n.setConn(connState{State: "synced", Detail: s.n.Relay()})
	s.fetchBodies()
}

// fetchBodies asks for the bodies of the best chain's recent blocks that
// the feed has not seen yet.
func (s *session) fetchBodies() {
	if len(s.wanted) > 0 {
		return
	}
	c := s.net.chain
	tip := c.Tip().Header.Height
	var hashes []chain.Hash
	for h := tip; h > 0 && tip-h < uint64(s.n.cfg.RecentBlocks) && len(hashes) < wire.MaxBlocksPerMsg; h-- {
		hd, ok := c.HeaderAt(h)
		if !ok {
			break
		}
		hash := hd.Hash()
		if !s.net.haveBody(hash) {
			hashes = append(hashes, hash)
		}
	}
	if len(hashes) == 0 {
		s.startProofs()
		return
	}
	for _, h := range hashes {
		s.wanted[h] = true
	}
	s.blocksAt = s.n.cfg.Now()
	s.send(&wire.MsgGetBlocks{Hashes: hashes})
}

func (s *session) onTip(m *wire.MsgTip) error {
	s.claim = &tipClaim{hash: m.Header.Hash(), height: m.Header.Height, work: m.Work}
	s.liarNotice = false
	if s.net == nil {
		return nil
	}
	if err := s.acceptHeader(m.Header); err != nil {
		return err
	}
	s.fetchBodies()
	return nil
}

// acceptHeader validates and stores one announced header; a header whose
// parent is unknown starts a header sync instead.
func (s *session) acceptHeader(h chain.Header) error {
	res, err := s.net.chain.ProcessHeader(&h, s.n.cfg.Now().Unix())
	switch {
	case err == nil:
		s.disconnected(res)
		if err := s.net.store.Flush(); err != nil {
			s.n.problem("could not save headers: %v", err)
		}
		s.n.mu.Lock()
		s.n.stats.Verified++
		s.n.mu.Unlock()
		s.n.cfg.Changed()
	case errors.Is(err, chain.ErrDuplicateBlock):
	case errors.Is(err, chain.ErrUnknownParent):
		s.requestHeaders()
	case chain.IsRuleError(err):
		s.n.problem("the relay announced an invalid block at height %d (%s): %v; it was not stored", h.Height, h.Hash(), err)
	default:
		return err
	}
	return nil
}

func (s *session) onBlock(b *chain.Block) error {
	if s.net == nil {
		return nil
	}
	hash := b.Hash()
	c := s.net.chain
	if s.wanted[hash] {
		delete(s.wanted, hash)
		if len(s.wanted) == 0 {
			s.blocksAt = time.Time{}
		}
	} else {
		// A block we did not ask for: a relay forwarding a new block.
		// Its header goes through the same checks as one from HEADERS.
		if s.net.haveBody(hash) {
			return nil
		}
		if err := s.acceptHeader(b.Header); err != nil {
			return err
		}
	}
	if _, ok := c.HeaderByHash(hash); !ok {
		return nil
	}
	if err := chain.CheckBlockSanity(s.net.params, b); err != nil {
		s.n.problem("the relay sent block %d with a body that fails verification: %v; its posts were not shown", b.Header.Height, err)
		return nil
	}
	s.net.markBody(hash)
	for _, e := range b.Events {
		if s.net.feed.Confirm(e, hash, b.Header.Height) {
			s.feedDirty = true
		}
	}
	s.n.cfg.Changed()
	if len(s.wanted) == 0 {
		s.flushFeed()
		s.fetchBodies()
	}
	return nil
}

func (s *session) onEvent(e *nostr.Event) {
	if err := e.Verify(); err != nil {
		s.n.problem("the relay sent an event that fails verification (%v); it was not shown", err)
		return
	}
	if s.net != nil && s.net.feed.Seen(e) {
		s.feedDirty = true
		s.n.cfg.Changed()
	}
}

func (s *session) onOK(m *wire.MsgOK) {
	var ev *nostr.Event
	for _, e := range s.n.cfg.Outbox.Waiting() {
		if e.ID == m.EventID {
			ev = e
		}
	}
	out, err := s.n.cfg.Outbox.Answer(m.EventID, m.Accepted, m.Reason)
	if err != nil {
		s.n.problem("%v", err)
		return
	}
	delete(s.sent, m.EventID)
	if out == outbox.Accepted && ev != nil && s.net != nil {
		s.live.accepted(s, ev, m.Reason)
		if s.net.feed.Seen(ev) {
			s.feedDirty = true
		}
		s.flushFeed()
	}
	s.n.cfg.Changed()
}
