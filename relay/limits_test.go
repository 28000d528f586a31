package relay

import (
	"encoding/json"
	"testing"
)

func TestLimitsDefaultsAndNIP11(t *testing.T) {
	l := Limits{MaxFilters: 3, QueryLimit: MaxQueryLimit + 1, ClientRate: Rate{PerSecond: 1, Burst: 2}}.WithDefaults()
	if l.MaxFilters != 3 || l.ClientRate != (Rate{PerSecond: 1, Burst: 2}) {
		t.Errorf("set fields changed: %+v", l)
	}
	if l.QueryLimit != MaxQueryLimit {
		t.Errorf("query limit above the bound kept: %d", l.QueryLimit)
	}
	if l.ConnectionsPerIP != DefaultLimits.ConnectionsPerIP || l.MaxMessageSize != DefaultLimits.MaxMessageSize || l.PeerRate != DefaultLimits.PeerRate {
		t.Errorf("zero fields not defaulted: %+v", l)
	}
	b, err := json.Marshal(l.Limitation(12))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(b, &got)
	if got["min_pow_difficulty"] != 12.0 || got["max_filters"] != 3.0 || got["max_limit"] != float64(MaxQueryLimit) || got["max_message_length"] != float64(DefaultLimits.MaxMessageSize) {
		t.Errorf("NIP-11 limitation %s", b)
	}
}
