package nostr

import (
	"fmt"
	"unicode/utf8"
)

// Limits on one event; both decoders (JSON and binary) enforce them.
const (
	MaxEventSize   = 64 << 10 // bytes of the canonical JSON of the whole event
	MaxContentSize = 32 << 10 // bytes of content
	MaxTags        = 100      // tags per event
	MaxTagItems    = 16       // strings per tag
	MaxTagItemSize = 1024     // bytes per tag string
)

// Ranges of the numeric fields.
const (
	// MaxKind is the largest kind NIP-01 defines (kinds are 0..65535).
	MaxKind = 65535
	// MaxCreatedAt is 2^53-1, the largest integer a JavaScript number holds
	// exactly, so browsers and nostr-tools read the same created_at (and hash
	// the same digits) as Go does.
	MaxCreatedAt = 1<<53 - 1
)

// CheckLimits reports an event that Parse or DecodeBinary would refuse: a size
// limit exceeded (ErrTooLarge), or kind or created_at out of range or a string
// that is not valid UTF-8 (ErrMalformed). Size is that of the canonical JSON
// object (AppendJSON).
func (e *Event) CheckLimits() error {
	if e.CreatedAt < 0 || e.CreatedAt > MaxCreatedAt {
		return malformed("created_at", fmt.Sprintf("%d out of range [0,%d]", e.CreatedAt, int64(MaxCreatedAt)))
	}
	if e.Kind < 0 || e.Kind > MaxKind {
		return malformed("kind", fmt.Sprintf("%d out of range [0,%d]", e.Kind, MaxKind))
	}
	if len(e.Content) > MaxContentSize {
		return tooLarge("content", fmt.Sprintf("%d bytes, limit %d", len(e.Content), MaxContentSize))
	}
	if !utf8.ValidString(e.Content) {
		return malformed("content", "invalid utf-8")
	}
	if len(e.Tags) > MaxTags {
		return tooLarge("tags", fmt.Sprintf("%d tags, limit %d", len(e.Tags), MaxTags))
	}
	for i, tag := range e.Tags {
		if len(tag) > MaxTagItems {
			return tooLarge(fmt.Sprintf("tags[%d]", i), fmt.Sprintf("%d items, limit %d", len(tag), MaxTagItems))
		}
		for j, item := range tag {
			if err := checkTagItem(i, j, item); err != nil {
				return err
			}
		}
	}
	return e.checkSize()
}

func checkTagItem(i, j int, item string) error {
	if len(item) > MaxTagItemSize {
		return tooLarge(tagPath(i, j), fmt.Sprintf("%d bytes, limit %d", len(item), MaxTagItemSize))
	}
	if !utf8.ValidString(item) {
		return malformed(tagPath(i, j), "invalid utf-8")
	}
	return nil
}

// checkSize checks the whole-event limit once the parts are known to be valid.
func (e *Event) checkSize() error {
	if n := e.jsonLen(); n > MaxEventSize {
		return tooLarge("event", fmt.Sprintf("canonical json is %d bytes, limit %d", n, MaxEventSize))
	}
	return nil
}

func tagPath(i, j int) string { return fmt.Sprintf("tags[%d][%d]", i, j) }
