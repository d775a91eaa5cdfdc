package workers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"cooptrade/marketplace"
)

// Headers of a webhook delivery. The signature is "v1=" and the hex
// HMAC-SHA256, keyed with the member's secret (the whole string, prefix
// included), of the timestamp, a full stop and the body, byte for byte:
//
//	Marketplace-Webhook-Signature: v1=hex(HMAC-SHA256(secret, timestamp + "." + body))
const (
	WebhookIDHeader        = "Marketplace-Webhook-Id"        // the notification's ID: the same on every attempt
	WebhookTimestampHeader = "Marketplace-Webhook-Timestamp" // Unix seconds when this attempt was signed
	WebhookSignatureHeader = "Marketplace-Webhook-Signature" // v1=<hex>
)

// WebhookPayload is the JSON body of a webhook delivery.
type WebhookPayload struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	CreatedAt time.Time         `json:"created_at"`
	Subject   string            `json:"subject"`
	Text      string            `json:"text"`
	Link      string            `json:"link,omitempty"`
	Data      map[string]string `json:"data,omitempty"`
}

var (
	_ marketplace.WebhookSender     = (*WebhookSender)(nil)
	_ marketplace.WebhookURLChecker = (*WebhookSender)(nil)
)

// WebhookSender POSTs notifications to members' webhooks, signed with each
// member's secret, and checks webhook URLs when members register them.
//
// It reaches only public addresses: a host is resolved, every address it
// resolves to is checked (loopback, private, link-local, CGNAT, unique
// local, multicast, unspecified and reserved ranges are refused), and the
// connection goes to an address that was checked, so a name that resolves
// differently the second time cannot steer it elsewhere. Proxies from the
// environment are not used and redirects are not followed.
//
// The zero value is ready to use once Targets is set.
type WebhookSender struct {
	// Targets finds a member's webhook and its secret.
	Targets marketplace.WebhookTargetStore
	// AllowPrivate lets webhooks reach any address, loopback and private
	// ones included: for development and tests only.
	AllowPrivate bool
	// Timeout bounds one delivery, from dialling to the end of the answer
	// (default 10 seconds).
	Timeout time.Duration
	// TLSConfig configures TLS (nil: the system's roots).
	TLSConfig *tls.Config
	// LookupIP resolves a host name (default: net.DefaultResolver).
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// Now is the clock that timestamps deliveries (default time.Now).
	Now func() time.Time
	// Metrics counts the deliveries (nil: not counted).
	Metrics *DeliveryMetrics

	once   sync.Once
	client *http.Client
}

// CheckWebhookURL implements marketplace.WebhookURLChecker.
func (s *WebhookSender) CheckWebhookURL(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return marketplace.Errorf(marketplace.EINVALID, "must be an https:// URL")
	}
	_, err = s.resolve(ctx, u.Hostname())
	return err
}

// resolve returns the addresses of a host, every one of them allowed, or
// EINVALID.
func (s *WebhookSender) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addrs = []netip.Addr{a}
	} else {
		lookup := s.LookupIP
		if lookup == nil {
			lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
				return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			}
		}
		addrs, err = lookup(ctx, host)
		if err != nil || len(addrs) == 0 {
			return nil, marketplace.Errorf(marketplace.EINVALID, "the host %q does not resolve", host)
		}
		// The resolver may give an A record's address in its IPv6 form.
		for i := range addrs {
			addrs[i] = addrs[i].Unmap()
		}
	}
	if !s.AllowPrivate {
		for _, a := range addrs {
			if !IsPublicAddress(a) {
				return nil, marketplace.Errorf(marketplace.EINVALID,
					"the host %q resolves to %s, which is not a public address; webhooks reach the public internet only", host, a)
			}
		}
	}
	return addrs, nil
}

// nonPublic are the ranges that IsPublicAddress refuses beside those
// netip.Addr names itself (loopback, private, link-local, multicast,
// unspecified).
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{
		"0.0.0.0/8",       // "this network"
		"100.64.0.0/10",   // shared address space (CGNAT)
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"240.0.0.0/4",     // reserved, and the broadcast address
		"::/96",           // IPv4-compatible (deprecated)
		"::ffff:0:0/96",   // IPv4-mapped: not an address on the wire
		"::ffff:0:0:0/96", // IPv4-translated (SIIT): carries IPv4 addresses
		"64:ff9b::/96",    // NAT64: may carry any IPv4 address
		"64:ff9b:1::/48",  // local-use NAT64
		"100::/64",        // discard
		"2001::/32",       // Teredo: carries IPv4 addresses
		"2001:2::/48",     // benchmarking
		"2001:10::/28",    // ORCHID (deprecated)
		"2001:20::/28",    // ORCHIDv2
		"2001:db8::/32",   // documentation
		"3fff::/20",       // documentation
		"5f00::/16",       // segment routing (SRv6) SIDs
		"2002::/16",       // 6to4: carries IPv4 addresses
		"fec0::/10",       // site-local (deprecated)
	} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}()

// IsPublicAddress reports whether an address is one a webhook may reach: not
// loopback, private (RFC 1918, IPv6 unique local), link-local, multicast,
// unspecified, shared (CGNAT 100.64.0.0/10), documentation, benchmarking or
// reserved, and not an IPv6 address that carries an IPv4 one (IPv4-mapped
// ::ffff:0:0/96 included: a URL names an IPv4 address as itself).
func IsPublicAddress(a netip.Addr) bool {
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// dial connects to an address the host was checked to resolve to.
func (s *WebhookSender) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("webhook: bad port in %q", addr)
	}
	addrs, err := s.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	var errs []error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, "tcp", netip.AddrPortFrom(a, uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func (s *WebhookSender) httpClient() *http.Client {
	s.once.Do(func() {
		timeout := s.Timeout
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		s.client = &http.Client{
			Timeout: timeout,
			Transport: &http.Transport{
				Proxy:                 nil, // a proxy would dial what it likes
				DialContext:           s.dial,
				TLSClientConfig:       s.TLSConfig,
				TLSHandshakeTimeout:   5 * time.Second,
				ResponseHeaderTimeout: timeout,
				ForceAttemptHTTP2:     true,
				MaxIdleConns:          100,
				MaxIdleConnsPerHost:   4,
				IdleConnTimeout:       90 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return s.client
}

func (s *WebhookSender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// SendWebhook implements marketplace.WebhookSender: it POSTs the
// notification, as a WebhookPayload, to the member's webhook as it is now,
// signed. A 2xx answer is success. EINVALID, so that the notification is
// recorded as failed without retrying, when the member has no webhook or
// no longer takes the type, when its host resolves to an address that is
// not public, or when the receiver answers 3xx or 4xx other than 408 and
// 429 (a retry would get the same). Any other failure (no answer in time,
// a refused connection, 408, 429, 5xx) is an error to retry.
func (s *WebhookSender) SendWebhook(ctx context.Context, n *marketplace.Notification) (err error) {
	defer func() { s.Metrics.observe(ctx, "webhook", err) }()
	t, err := s.Targets.FindWebhookTarget(ctx, n.MemberID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return marketplace.Errorf(marketplace.EINVALID, "The member no longer has a webhook.")
	} else if err != nil {
		return err
	}
	if !t.Wants(n.Type) {
		return marketplace.Errorf(marketplace.EINVALID, "The member's webhook no longer takes notifications of type %s.", n.Type)
	}
	body, err := json.Marshal(WebhookPayload{ID: n.ID, Type: n.Type, CreatedAt: n.CreatedAt.UTC(), Subject: n.Subject,
		Text: n.Text, Link: n.Link, Data: n.Data})
	if err != nil {
		return fmt.Errorf("webhook: encode notification %s: %w", n.ID, err)
	}
	timestamp := strconv.FormatInt(s.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return marketplace.Errorf(marketplace.EINVALID, "The webhook URL cannot be used: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cooptrade-marketplace-webhooks/1")
	req.Header.Set(WebhookIDHeader, n.ID)
	req.Header.Set(WebhookTimestampHeader, timestamp)
	req.Header.Set(WebhookSignatureHeader, "v1="+WebhookSignature(t.Secret, timestamp, body))
	res, err := s.httpClient().Do(req)
	if err != nil {
		var refused *marketplace.Error
		if errors.As(err, &refused) {
			return refused
		}
		return fmt.Errorf("webhook: POST to %s: %w", req.URL.Host, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	switch code := res.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return fmt.Errorf("webhook: %s answered %s", req.URL.Host, res.Status)
	default:
		return marketplace.Errorf(marketplace.EINVALID, "The webhook answered %s; a retry would get the same.", res.Status)
	}
}

// WebhookSignature returns the hex HMAC-SHA256, keyed with secret, of
// timestamp + "." + body: what a delivery's signature header carries
// after "v1=".
func WebhookSignature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhook checks a delivery as a receiver in Go would: the signature
// header must carry a v1 signature of the timestamp header and the body
// with the secret, and the timestamp must lie within tolerance of now (a
// replayed old delivery fails). Compare IDs to drop repeats: a delivery
// may arrive more than once.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(WebhookTimestampHeader)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("webhook: no timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook: the timestamp is too far from now")
	}
	want := WebhookSignature(secret, ts, body)
	for _, part := range strings.Split(h.Get(WebhookSignatureHeader), ",") {
		if sig, ok := strings.CutPrefix(strings.TrimSpace(part), "v1="); ok && hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("webhook: the signature does not match")
}
