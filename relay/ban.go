package relay

import (
	"math"
	"sync"
	"time"
)

// banList keeps a decaying misbehaviour score per IP and the IPs banned.
// A score halves every halfLife; reaching threshold bans the IP for
// duration. Safe for concurrent use.
type banList struct {
	threshold float64
	halfLife  time.Duration
	duration  time.Duration

	mu     sync.Mutex
	scores map[string]*score
	until  map[string]time.Time
}

type score struct {
	value float64
	at    time.Time
}

func newBanList(threshold int, halfLife, duration time.Duration) *banList {
	return &banList{
		threshold: float64(threshold), halfLife: halfLife, duration: duration,
		scores: make(map[string]*score), until: make(map[string]time.Time),
	}
}

// add raises ip's score by points and reports whether ip is now banned.
func (b *banList) add(ip string, points int, now time.Time) (banned bool, total float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.scores[ip]
	if s == nil {
		s = &score{at: now}
		b.scores[ip] = s
	}
	s.value = b.decayed(s, now) + float64(points)
	s.at = now
	if s.value >= b.threshold {
		b.until[ip] = now.Add(b.duration)
		delete(b.scores, ip)
		return true, s.value
	}
	b.pruneLocked(now)
	return false, s.value
}

// banned reports whether ip is banned at now, and until when.
func (b *banList) banned(ip string, now time.Time) (bool, time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.until[ip]
	if ok && !now.Before(t) {
		delete(b.until, ip)
		return false, time.Time{}
	}
	return ok, t
}

func (b *banList) decayed(s *score, now time.Time) float64 {
	d := now.Sub(s.at)
	if d <= 0 || b.halfLife <= 0 {
		return s.value
	}
	return s.value * math.Exp2(-d.Seconds()/b.halfLife.Seconds())
}

// pruneLocked forgets scores that decayed to nothing and bans that ended,
// once the maps grow, so an address scan cannot grow them without bound.
func (b *banList) pruneLocked(now time.Time) {
	if len(b.scores) < 4096 && len(b.until) < 4096 {
		return
	}
	for ip, s := range b.scores {
		if b.decayed(s, now) < 1 {
			delete(b.scores, ip)
		}
	}
	for ip, t := range b.until {
		if !now.Before(t) {
			delete(b.until, ip)
		}
	}
}
