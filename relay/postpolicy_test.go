package relay

import (
	"errors"
	"strings"
	"testing"
	"time"

	"postwork/chain/nostr"
)

func TestCheckPost(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ev := &nostr.Event{CreatedAt: now.Unix()}
	ev.ID[0] = 0x0f // 4 leading zero bits
	cases := []struct {
		minPoW    int
		createdAt int64
		prefix    string
	}{
		{4, now.Unix() + 3600, ""},
		{5, now.Unix(), "pow: difficulty 4 is less than 5"},
		{0, now.Unix() + 3601, "invalid: created_at is 3601 seconds in the future"},
	}
	for _, c := range cases {
		ev.CreatedAt = c.createdAt
		err := CheckPost(ev, c.minPoW, 3600, now)
		if c.prefix == "" {
			if err != nil {
				t.Errorf("min %d at %+d s: %v", c.minPoW, c.createdAt-now.Unix(), err)
			}
			continue
		}
		var r *Reject
		if !errors.As(err, &r) || !strings.HasPrefix(r.Error(), c.prefix) {
			t.Errorf("min %d at %+d s: %v, want %q", c.minPoW, c.createdAt-now.Unix(), err, c.prefix)
		}
	}
}
