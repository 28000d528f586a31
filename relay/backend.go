package relay

import (
	"context"

	"postwork/chain/nostr"
	"postwork/chain/wire"
)

// Backend is what the core needs from a node: somewhere to put events, a
// way to find stored ones, and a handler for the chain verbs.
type Backend interface {
	// SubmitEvent takes a new event whose id and signature the core has
	// verified. It returns nil only once the event is durably accepted
	// (the core then answers OK true and publishes it), or a *Reject saying
	// why not (PrefixDuplicate is answered OK true and not published). Any
	// other error is answered "error:".
	SubmitEvent(ctx context.Context, from *Client, ev *nostr.Event) error
	// QueryEvents returns stored events, pending and confirmed, that match
	// f: newest first, at most f.Limit when f.HasLimit (the backend may cap
	// it lower).
	QueryEvents(ctx context.Context, f *wire.Filter) ([]*nostr.Event, error)
	// HandleChain handles a chain verb (HELLO, TIP, GETHEADERS, HEADERS,
	// GETBLOCKS, BLOCK, NOTFOUND) from c, replying through c.Send. A HELLO
	// that returns nil makes c a peer; any error closes c. For other verbs a
	// *Reject is sent to c as a NOTICE and its Score added to c's ban
	// score; other errors are logged.
	HandleChain(ctx context.Context, c *Client, m wire.Message) error
}
