package wire

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"postwork/chain/nostr"
)

// Bounds on one filter. A relay's policy may allow less.
const (
	// MaxFilterValues bounds each list of a filter: ids, authors, kinds and
	// the values of each tag.
	MaxFilterValues = 500
	// MaxFilterKeys bounds the keys of a filter object: seven named keys and
	// one per tag letter.
	MaxFilterKeys = 7 + 52
)

// Filter selects events (NIP-01). Every condition that is set must hold;
// within a list, one match is enough. A nil list is unset; an empty one
// ("ids":[]) matches nothing, as in the NIP-01 reference relays. A filter
// with nothing set matches every event.
type Filter struct {
	IDs     [][32]byte
	Authors [][32]byte
	Kinds   []int
	// Tags maps a tag letter (a-z, A-Z; "#e" in JSON) to values: the event
	// must have a tag with that name whose first value is one of them.
	Tags  map[string][]string
	Since int64 // created_at ≥ Since; 0: unset
	Until int64 // created_at ≤ Until; 0: unset (so "until":0 is read as unset)
	// Limit caps the stored events returned for the filter, newest first;
	// it does not apply to live events. "limit":0 asks for live events
	// only, which is why HasLimit tells it from no limit.
	Limit    int
	HasLimit bool
}

// Match reports whether ev passes the filter. It trusts ev's ID.
func (f *Filter) Match(ev *nostr.Event) bool {
	if f.IDs != nil && !slices.Contains(f.IDs, ev.ID) {
		return false
	}
	if f.Authors != nil && !slices.Contains(f.Authors, ev.PubKey) {
		return false
	}
	if f.Kinds != nil && !slices.Contains(f.Kinds, ev.Kind) {
		return false
	}
	if f.Since > 0 && ev.CreatedAt < f.Since {
		return false
	}
	if f.Until > 0 && ev.CreatedAt > f.Until {
		return false
	}
	for name, values := range f.Tags {
		if !hasTag(ev, name, values) {
			return false
		}
	}
	return true
}

func hasTag(ev *nostr.Event, name string, values []string) bool {
	for _, t := range ev.Tags {
		if len(t) >= 2 && t[0] == name && slices.Contains(values, t[1]) {
			return true
		}
	}
	return false
}

// AppendJSON appends the filter as a JSON object, keys in a fixed order.
func (f *Filter) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	n := 0
	key := func(k string) {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = appendString(dst, k)
		dst = append(dst, ':')
	}
	if f.IDs != nil {
		key("ids")
		dst = appendHashList(dst, f.IDs)
	}
	if f.Authors != nil {
		key("authors")
		dst = appendHashList(dst, f.Authors)
	}
	if f.Kinds != nil {
		key("kinds")
		dst = append(dst, '[')
		for i, k := range f.Kinds {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendInt(dst, int64(k))
		}
		dst = append(dst, ']')
	}
	names := make([]string, 0, len(f.Tags))
	for name := range f.Tags {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		key("#" + name)
		dst = append(dst, '[')
		for i, v := range f.Tags[name] {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, v)
		}
		dst = append(dst, ']')
	}
	if f.Since > 0 {
		key("since")
		dst = appendInt(dst, f.Since)
	}
	if f.Until > 0 {
		key("until")
		dst = appendInt(dst, f.Until)
	}
	if f.HasLimit {
		key("limit")
		dst = appendInt(dst, int64(f.Limit))
	}
	return append(dst, '}')
}

// ParseFilter strictly parses one filter object.
func ParseFilter(raw []byte) (Filter, error) {
	var f Filter
	err := f.parse(raw)
	return f, err
}

func (f *Filter) parse(raw json.RawMessage) error {
	return eachField(raw, MaxFilterKeys, func(key string, v json.RawMessage) error {
		var err error
		switch key {
		case "ids":
			f.IDs, err = parseIDList(v)
		case "authors":
			f.Authors, err = parseIDList(v)
		case "kinds":
			f.Kinds = []int{}
			err = eachItem(v, MaxFilterValues, func(i int, v json.RawMessage) error {
				k, err := jsonInt(v, nostr.MaxKind)
				if err != nil {
					return field("element "+itoa(i), err)
				}
				f.Kinds = append(f.Kinds, int(k))
				return nil
			})
		case "since":
			f.Since, err = jsonInt(v, nostr.MaxCreatedAt)
		case "until":
			f.Until, err = jsonInt(v, nostr.MaxCreatedAt)
		case "limit":
			var n int64
			n, err = jsonInt(v, 1<<31-1)
			f.Limit, f.HasLimit = int(n), true
		default:
			if len(key) != 2 || key[0] != '#' || !isLetter(key[1]) {
				return errors.New("unsupported filter key")
			}
			values := []string{}
			err = eachItem(v, MaxFilterValues, func(i int, v json.RawMessage) error {
				s, err := jsonString(v, nostr.MaxTagItemSize)
				if err != nil {
					return field("element "+itoa(i), err)
				}
				values = append(values, s)
				return nil
			})
			if f.Tags == nil {
				f.Tags = make(map[string][]string)
			}
			f.Tags[key[1:]] = values
		}
		return err
	})
}

// parseIDList reads a list of 64-character lower-case hex ids or pubkeys.
// NIP-01 dropped prefix matching; so does this relay.
func parseIDList(raw json.RawMessage) ([][32]byte, error) {
	out := [][32]byte{}
	err := eachItem(raw, MaxFilterValues, func(i int, v json.RawMessage) error {
		h, err := jsonHex32(v)
		if err != nil {
			return field("element "+itoa(i), err)
		}
		out = append(out, h)
		return nil
	})
	return out, err
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func itoa(i int) string { return strconv.Itoa(i) }

func appendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// String returns the filter's JSON, for logs.
func (f *Filter) String() string { return string(f.AppendJSON(nil)) }
