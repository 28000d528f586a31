package relay

import (
	"math"
	"time"
)

// Rate is a token bucket's setting: PerSecond tokens refill each second, up
// to Burst.
type Rate struct {
	PerSecond float64
	Burst     float64
}

// bucket is a token bucket. It is not safe for concurrent use.
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills the bucket for the time since the last call and takes one
// token if there is one.
func (b *bucket) take(r Rate, now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = r.Burst
	} else if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = math.Min(r.Burst, b.tokens+d*r.PerSecond)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// full reports whether the bucket would be full by now, so forgetting it
// changes nothing.
func (b *bucket) full(r Rate, now time.Time) bool {
	return b.tokens+now.Sub(b.last).Seconds()*r.PerSecond >= r.Burst
}
