// Package metrics exposes a node's figures to Prometheus at /metrics: the
// tip, peers, mempool and miner read from the node at each scrape, and the
// posts it accepted and refused, counted by NIP-01 reason as they are
// answered. Go runtime and process figures come with them.
package metrics

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"postwork/chain/wire"
)

// Source is what the gauges read, once per scrape. relay/node's *Node
// implements it.
type Source interface {
	// TipHeight and TipTime (unix seconds) describe the best chain's tip.
	TipHeight() uint64
	TipTime() int64
	// PeerCount is the number of connected nodes (HELLO exchanged).
	PeerCount() int
	// MempoolSize is the number of pending posts and their binary size.
	MempoolSize() (posts, bytes int)
	// Hashrate is the node's own miner in hashes per second; 0 when idle.
	Hashrate() float64
}

// Reasons are the values of the reason label of postwork_posts_rejected_total:
// the NIP-01 prefixes a refusal carries, and "other" for a reason without
// one, so the label has a fixed, small set of values. A duplicate is
// answered OK true by NIP-01 but adds nothing, so it counts here.
var Reasons = []string{
	wire.PrefixDuplicate, wire.PrefixPoW, wire.PrefixInvalid, wire.PrefixRateLimited,
	wire.PrefixBlocked, wire.PrefixRestricted, wire.PrefixError, "other",
}

// Metrics holds a node's registry. Its methods are safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	accepted prometheus.Counter
	rejected *prometheus.CounterVec
}

// New returns the metrics of a node on network, reading src at each scrape.
func New(src Source, network, version string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "postwork_posts_accepted_total",
			Help: "Posts accepted into the mempool, over WebSockets and the HTTP API.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "postwork_posts_rejected_total",
			Help: "Posts not accepted, by the NIP-01 prefix of the reason (duplicate: already held).",
		}, []string{"reason"}),
	}
	for _, r := range Reasons {
		m.rejected.WithLabelValues(r) // every series exists from the start, at 0
	}
	m.reg.MustRegister(
		m.accepted, m.rejected,
		&nodeCollector{src: src},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "postwork_info",
			Help:        "Always 1; its labels name the network and the software version.",
			ConstLabels: prometheus.Labels{"network": network, "version": version},
		}, func() float64 { return 1 }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// ObservePost counts the answer to one submitted post: accepted with no
// reason is an acceptance; anything else (a duplicate included) a refusal
// under the reason's NIP-01 prefix.
func (m *Metrics) ObservePost(accepted bool, reason string) {
	if accepted && reason == "" {
		m.accepted.Inc()
		return
	}
	m.rejected.WithLabelValues(reasonLabel(reason)).Inc()
}

// reasonLabel is the prefix of reason if it is one of Reasons, else "other".
func reasonLabel(reason string) string {
	prefix, _, ok := strings.Cut(reason, ":")
	if ok {
		for _, r := range Reasons {
			if r == prefix {
				return r
			}
		}
	}
	return "other"
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4})
}

// Registry is the registry, for a caller that adds its own collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// nodeCollector reads the node's gauges once per scrape, so the figures of
// one scrape belong together.
type nodeCollector struct{ src Source }

var (
	descTipHeight = prometheus.NewDesc("postwork_tip_height", "Height of the best chain's tip.", nil, nil)
	descTipTime   = prometheus.NewDesc("postwork_tip_timestamp_seconds", "Header time of the best chain's tip, unix seconds.", nil, nil)
	descPeers     = prometheus.NewDesc("postwork_peers", "Connected nodes (HELLO exchanged).", nil, nil)
	descPending   = prometheus.NewDesc("postwork_mempool_posts", "Posts waiting for a block.", nil, nil)
	descPoolBytes = prometheus.NewDesc("postwork_mempool_bytes", "Binary size of the posts waiting for a block.", nil, nil)
	descHashrate  = prometheus.NewDesc("postwork_miner_hashes_per_second", "The node's own mining rate; 0 when it is not mining.", nil, nil)
)

func (c *nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTipHeight, descTipTime, descPeers, descPending, descPoolBytes, descHashrate} {
		ch <- d
	}
}

func (c *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	posts, bytes := c.src.MempoolSize()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	gauge(descTipHeight, float64(c.src.TipHeight()))
	gauge(descTipTime, float64(c.src.TipTime()))
	gauge(descPeers, float64(c.src.PeerCount()))
	gauge(descPending, float64(posts))
	gauge(descPoolBytes, float64(bytes))
	gauge(descHashrate, c.src.Hashrate())
}
