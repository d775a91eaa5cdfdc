package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/marketplace/matching"
	"cooptrade/marketplace/mongo"
	"cooptrade/mongodb"
	"cooptrade/payments/stripetest"
	"cooptrade/search/bleve"
	wmail "cooptrade/workers/mail"
	"cooptrade/workers/mail/mailtest"
	"cooptrade/workers/redistest"
)

// The soak runs the whole program (serve with its workers, on the embedded
// database and search index, a real redis-server, stripe-mock and an SMTP
// server in this process) under a steady load of writes and reads, while
// the program is killed with SIGKILL and restarted every SOAK_KILL_EVERY
// and Redis is killed and started again, empty, every SOAK_REDIS_EVERY.
// With the embedded defaults the job workers live in the serve process, so
// killing it kills them. When the load stops and everything has settled it
// checks, on the data files themselves, that nothing was lost or done twice.
//
// make test runs a short form; make soak the long one (SOAK_DURATION=30m,
// SOAK_WRITES=50).
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak runs for minutes")
	}
	cfg := soakConfig{
		duration:   envDuration(t, "SOAK_DURATION", 2*time.Minute),
		writes:     envInt(t, "SOAK_WRITES", 8),
		killEvery:  envDuration(t, "SOAK_KILL_EVERY", 30*time.Second),
		redisEvery: envDuration(t, "SOAK_REDIS_EVERY", 0),
		listings:   envInt(t, "SOAK_LISTINGS", 240),
		members:    24,
	}
	if cfg.redisEvery == 0 {
		cfg.redisEvery = min(3*time.Minute, cfg.duration/2+5*time.Second)
	}
	t.Logf("soak: %s, %d writes a second, the program killed every %s, Redis every %s", cfg.duration, cfg.writes, cfg.killEvery, cfg.redisEvery)

	for _, c := range soakCategories {
		if _, ok := marketplace.Taxonomy.Category(c); !ok {
			t.Fatalf("%q is not a category", c)
		}
	}
	s := newSoak(t, cfg)
	s.setUp()
	s.load()
	s.settle()
	s.check()
}

type soakConfig struct {
	duration, killEvery, redisEvery time.Duration
	// listings is how many listings are open at once: closed ones are
	// replaced by new ones.
	writes, listings, members int
}

func envDuration(tb testing.TB, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return d
}

func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return n
}

// soak is one run: the servers, the program, and what the load was told.
type soak struct {
	t       *testing.T
	cfg     soakConfig
	redis   *redistest.Server
	smtp    *mailtest.Server
	dataDir string
	prog    *program
	http    *http.Client

	staff   string
	members []*soakMember

	mu       sync.Mutex
	listings []*soakListing

	// What the load saw, by kind of request and status (0: no answer).
	statuses   sync.Map // string -> *atomic.Int64
	bad        []string // 5xx other than 503, with what was asked
	refused    []string // the first 400s, to see what the load got wrong
	badMu      sync.Mutex
	events     sync.Map // acknowledged Stripe event IDs -> true
	redisOff   atomic.Bool
	ended      atomic.Int64 // listings closed or removed (see setStatus)
	setupCalls atomic.Int64
	kills      atomic.Int64
	redises    atomic.Int64
}

type soakMember struct {
	id, slug, token, addr string
	// cancels says whether the member's subscription is now and then
	// cancelled; the others stay listed, so that search is checked on
	// visible listings at the end.
	cancels bool
	// events counts the Stripe events sent for the member, which orders
	// their periods and times.
	events atomic.Int64
}

// soakListing is what the load knows of a listing it wrote: the last
// version the program acknowledged, and what that version says.
type soakListing struct {
	mu     sync.Mutex
	id     string
	member *soakMember
	kind   marketplace.ListingKind
	// version, title and status are of the last acknowledged write.
	version int64
	title   string
	status  marketplace.ListingStatus
	// unsure is set when a write got no answer: it may have been stored.
	unsure bool
}

func newSoak(t *testing.T, cfg soakConfig) *soak {
	bin := filepath.Join(t.TempDir(), "marketplace")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	s := &soak{
		t: t, cfg: cfg, redis: redistest.New(t), smtp: mailtest.NewServer(t), dataDir: t.TempDir(),
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
	}
	stripe := stripetest.NewServer(t)
	s.prog = &program{t: t, bin: bin, env: append(os.Environ(),
		"DATA_DIR="+s.dataDir, "REDIS_URL="+s.redis.URL, "SMTP_URL="+s.smtp.URL,
		"STRIPE_SECRET_KEY=sk_test_soak", "STRIPE_WEBHOOK_SECRET="+stripetest.WebhookSecret, "STRIPE_API_BASE="+stripe.URL,
		"SECRET_KEY="+strings.Repeat("5a", 32), "TRUSTED_PROXIES=127.0.0.1", "BASE_URL=http://market.example.coop",
		"MONGODB_URI=", "MEILI_URL=", "LOG_LEVEL=warn", "SHUTDOWN_TIMEOUT=10s",
	)}
	return s
}

// program is the marketplace binary, serving.
type program struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
	mu   sync.Mutex // guards cmd
	cmd  *exec.Cmd
	logs soakLog
}

func (p *program) run(args []string, stdin string) {
	cmd := exec.Command(p.bin, args...)
	cmd.Env, cmd.Stdin = p.env, strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("marketplace %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// start starts serve and waits until it answers.
func (p *program) start() {
	if p.addr == "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			p.t.Fatal(err)
		}
		p.addr = l.Addr().String()
		l.Close()
	}
	cmd := exec.Command(p.bin, "serve", "--workers=6")
	cmd.Env = append(p.env, "HTTP_ADDR="+p.addr)
	cmd.Stdout, cmd.Stderr = &p.logs, &p.logs
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("serve did not answer after 90 s:\n%s", p.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill kills serve as a crash would.
func (p *program) kill() {
	p.mu.Lock()
	cmd := p.cmd
	p.cmd = nil
	p.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// stop stops serve with SIGTERM, as an operator would.
func (p *program) stop() {
	p.mu.Lock()
	cmd := p.cmd
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Errorf("serve after SIGTERM: %v\n%s", err, p.tail())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		p.t.Errorf("serve still running 60 s after SIGTERM")
	}
}

func (p *program) tail() string {
	s := p.logs.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

// soakLog keeps what the program writes, from several goroutines.
type soakLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *soakLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *soakLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// do sends a request as the client at addr; it returns the status (0 for
// no answer) and the body.
func (s *soak) do(kind, method, path, token, addr string, body any, headers ...string) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		if raw, ok := body.([]byte); ok {
			b = raw
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.prog.addr+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Forwarded-For", addr)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	status, out := 0, []byte(nil)
	if res, err := s.http.Do(req); err == nil {
		out, _ = io.ReadAll(res.Body)
		res.Body.Close()
		status = res.StatusCode
	}
	s.count(kind, status)
	if status == http.StatusBadRequest {
		s.badMu.Lock()
		if len(s.refused) < 5 {
			s.refused = append(s.refused, fmt.Sprintf("%s %s: %.300s", method, path, out))
		}
		s.badMu.Unlock()
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		s.badMu.Lock()
		s.bad = append(s.bad, fmt.Sprintf("%s %s: %d %.300s", method, path, status, out))
		s.badMu.Unlock()
	}
	return status, out
}

func (s *soak) count(kind string, status int) {
	key := kind + " " + strconv.Itoa(status)
	v, _ := s.statuses.LoadOrStore(key, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// must sends a request during set-up, when nothing is being broken.
func (s *soak) must(want int, method, path, token string, body any, out any) {
	// Each from an address of its own: sign-ins are limited by address.
	addr := fmt.Sprintf("192.0.2.%d", s.setupCalls.Add(1)%250+1)
	status, b := s.do("setup", method, path, token, addr, body)
	if status != want {
		s.t.Fatalf("%s %s: %d; want %d: %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatal(err)
		}
	}
}

// soakCategories are categories of sectors unrelated to one another, so
// that each listing has few counterparts and the best 25 a listing keeps
// hold all of them.
var soakCategories = []string{"print-runs", "office-cleaning", "event-catering", "bookkeeping-accounts", "web-development", "cycle-courier", "carpentry-joinery", "copywriting-translation"}

var soakPlaces = []string{"LS6 1AA", "M4 1HN", "HX7 8AD", "B1 1AA", "CF10 1AA", "EH6 6QU", "BS1 4DJ", "NE1 1AA", "G1 1AA", "N1 9AA"}

func (s *soak) setUp() {
	s.prog.run([]string{"admin", "add-staff", "--name", "Soak Staff", "staff@soak.example"}, "a soak staff passphrase\n")
	s.prog.start()
	var tok struct{ Token string }
	s.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "staff@soak.example", "password": "a soak staff passphrase"}, &tok)
	s.staff = tok.Token
	var members []*marketplace.Member
	for i := range s.cfg.members {
		var m marketplace.Member
		name := fmt.Sprintf("Soak Co-op %02d", i)
		s.must(201, "POST", "/v1/members", s.staff, map[string]any{
			"kind": "enterprise", "name": name, "email": fmt.Sprintf("hello@soak%02d.example", i),
			"postcode": soakPlaces[i%len(soakPlaces)], "sectors": []string{"printing-publishing"}, "standing": "active",
		}, &m)
		members = append(members, &m)
	}
	// Their owners get a first password from the command line (inviting
	// them all would pass staff's hourly limit), with the program stopped:
	// the embedded database is one process's at a time.
	s.prog.stop()
	for i, m := range members {
		s.prog.run([]string{"admin", "add-user", "--member", m.Slug, "--email", fmt.Sprintf("owner@soak%02d.example", i), "--role", "owner"}, "owner of a soak co-op\n")
	}
	s.prog.start()
	for i, m := range members {
		s.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": fmt.Sprintf("owner@soak%02d.example", i), "password": "owner of a soak co-op"}, &tok)
		s.members = append(s.members, &soakMember{id: m.ID, slug: m.Slug, token: tok.Token, addr: fmt.Sprintf("10.0.%d.1", i), cancels: i%3 == 0})
	}
}

// load writes and reads for the configured time while the program and
// Redis are killed now and then.
func (s *soak) load() {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.duration)
	defer cancel()
	var wg sync.WaitGroup

	// Faults.
	wg.Add(2)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(s.cfg.killEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				s.prog.kill()
				s.kills.Add(1)
				s.prog.start()
			}
		}
	}()
	go func() {
		defer wg.Done()
		tick := time.NewTicker(s.cfg.redisEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				s.redisOff.Store(true)
				s.redis.Stop()
				time.Sleep(3 * time.Second)
				s.redis.Restart(s.t)
				s.redisOff.Store(false)
				s.redises.Add(1)
			}
		}
	}()

	// Readers: search, pages.
	words := []string{"leaflets", "prnting", "cleaning", "catering", "accounts", "websites", "courier", "joinery", "welsh"}
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(r), 7))
			for ctx.Err() == nil {
				w := words[rng.IntN(len(words))]
				switch rng.IntN(4) {
				case 0:
					s.do("read", "GET", "/v1/search?q="+w+"&near=LS6&radius_km=100&facets=category", "", "198.51.100.1", nil)
				case 1:
					s.do("read", "GET", "/search?q="+w, "", "198.51.100.2", nil)
				case 2:
					if l := s.randomListing(rng); l != nil {
						s.do("read", "GET", "/listings/"+l.id, "", "198.51.100.3", nil)
					}
				case 3:
					s.do("read", "GET", "/v1/listings?limit=20", "", "198.51.100.4", nil)
				}
				time.Sleep(40 * time.Millisecond)
			}
		}()
	}

	// Writers: a steady rate, at most 16 at a time.
	sem := make(chan struct{}, 16)
	tick := time.NewTicker(time.Second / time.Duration(max(s.cfg.writes, 1)))
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
writes:
	for {
		select {
		case <-ctx.Done():
			break writes
		case <-tick.C:
		}
		n++
		seed := rng.Uint64()
		select {
		case sem <- struct{}{}:
		default:
			s.count("write-skipped", 0) // the program is behind
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s.write(rand.New(rand.NewPCG(seed, uint64(n))))
		}()
	}
	tick.Stop()
	wg.Wait()
}

func (s *soak) randomListing(rng *rand.Rand) *soakListing {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.listings) == 0 {
		return nil
	}
	return s.listings[rng.IntN(len(s.listings))]
}

// write does one write: a new listing, a change to one, or a Stripe event.
func (s *soak) write(rng *rand.Rand) {
	s.mu.Lock()
	many := len(s.listings) - int(s.ended.Load())
	s.mu.Unlock()
	switch p := rng.IntN(100); {
	case p < 8:
		s.stripeEvent(s.members[rng.IntN(len(s.members))])
	case p < 30 && many < s.cfg.listings, many == 0:
		s.create(s.members[rng.IntN(len(s.members))], rng)
	default:
		l := s.randomListing(rng)
		if l == nil || !l.mu.TryLock() {
			return // another writer has it
		}
		defer l.mu.Unlock()
		s.change(l, rng)
	}
}

func (s *soak) create(m *soakMember, rng *rand.Rand) {
	kind := marketplace.KindOffer
	if rng.IntN(2) == 0 {
		kind = marketplace.KindNeed
	}
	cat := soakCategories[rng.IntN(len(soakCategories))]
	body := map[string]any{
		"kind": kind, "title": fmt.Sprintf("%s wanted, batch %d", strings.ReplaceAll(cat, "-", " "), rng.IntN(1000)),
		"description": "Soak test listing: steady work for a co-op, " + cat, "category": cat,
		"postcode": soakPlaces[rng.IntN(len(soakPlaces))], "tags": []string{cat, "soak"},
		"price_min_pence": 10000, "price_max_pence": 50000, "price_unit": "job",
	}
	if kind == marketplace.KindOffer {
		body["title"] = fmt.Sprintf("%s offered, batch %d", strings.ReplaceAll(cat, "-", " "), rng.IntN(1000))
		body["radius_km"] = 400
	}
	status, b := s.do("write", "POST", "/v1/listings", m.token, m.addr, body)
	if status != 201 {
		return
	}
	var got marketplace.Listing
	if json.Unmarshal(b, &got) != nil {
		s.t.Errorf("a created listing that is not JSON: %s", b)
		return
	}
	s.mu.Lock()
	s.listings = append(s.listings, &soakListing{id: got.ID, member: m, kind: kind, version: got.Version, title: got.Title, status: got.Status})
	s.mu.Unlock()
}

// change publishes, edits, pauses or closes a listing, naming the version
// acknowledged last; after a write that got no answer it reads the
// listing first.
func (s *soak) change(l *soakListing, rng *rand.Rand) {
	m := l.member
	if l.unsure && !s.resync(l) {
		return
	}
	path := "/v1/listings/" + l.id
	ifMatch := []string{"If-Match", `"` + strconv.FormatInt(l.version, 10) + `"`}
	var status int
	var b []byte
	switch st := l.status; {
	case st == marketplace.StatusDraft || st == marketplace.StatusPaused || st == marketplace.StatusExpired:
		status, b = s.do("write", "POST", path+"/publish", m.token, m.addr, nil, ifMatch...)
	case st == marketplace.StatusPublished && rng.IntN(10) == 0:
		status, b = s.do("write", "POST", path+"/pause", m.token, m.addr, nil, ifMatch...)
	case st == marketplace.StatusPublished && rng.IntN(25) == 0:
		status, b = s.do("write", "POST", path+"/close", m.token, m.addr, nil, ifMatch...)
	case st.Open():
		title := l.title
		if i := strings.LastIndex(title, " rev "); i >= 0 {
			title = title[:i]
		}
		status, b = s.do("write", "PATCH", path, m.token, m.addr, map[string]any{"title": fmt.Sprintf("%s rev %d", title, l.version+1)}, ifMatch...)
	default:
		return // closed or removed: nothing more to do
	}
	switch status {
	case 200:
		s.acknowledge(l, b)
	case 0, 502, 503, 504:
		l.unsure = true
	case 412:
		s.resync(l)
	}
}

func (s *soak) acknowledge(l *soakListing, b []byte) {
	var got marketplace.Listing
	if err := json.Unmarshal(b, &got); err != nil || got.ID != l.id {
		s.t.Errorf("an answer that is not the listing: %s", b)
		return
	}
	if got.Version <= l.version && !l.unsure {
		s.t.Errorf("listing %s: acknowledged version %d after %d", l.id, got.Version, l.version)
	}
	s.setStatus(l, got.Status)
	l.version, l.title, l.unsure = got.Version, got.Title, false
}

// resync reads a listing whose last write may or may not have been
// stored; it reports whether the listing is known again.
func (s *soak) resync(l *soakListing) bool {
	status, b := s.do("resync", "GET", "/v1/listings/"+l.id, l.member.token, l.member.addr, nil)
	if status != 200 {
		return false
	}
	var got marketplace.Listing
	if json.Unmarshal(b, &got) != nil {
		return false
	}
	if got.Version < l.version {
		s.t.Errorf("listing %s: version %d was acknowledged, the program now says %d", l.id, l.version, got.Version)
	}
	s.setStatus(l, got.Status)
	l.version, l.title, l.unsure = got.Version, got.Title, false
	return true
}

// setStatus records the listing's status as the program acknowledged it,
// counting the listings that end: the load keeps cfg.listings open, so
// that the soak ends with listings to search.
func (s *soak) setStatus(l *soakListing, st marketplace.ListingStatus) {
	if l.status.Open() && !st.Open() {
		s.ended.Add(1)
	}
	l.status = st
}

// stripeEvent sends the member's next subscription state, newer than the
// last: mostly paid, now and then past due, and for a third of the members
// now and then cancelled.
func (s *soak) stripeEvent(m *soakMember) {
	k := m.events.Add(1)
	base := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * 24 * time.Hour)
	typ, status := "invoice.paid", "active"
	switch k % 7 {
	case 3:
		typ, status = "customer.subscription.updated", "past_due"
	case 5:
		if m.cancels {
			typ, status = "customer.subscription.deleted", "canceled"
		}
	}
	sub, cus := "sub_soak_"+m.id, "cus_soak_"+m.id
	meta := map[string]string{"member_id": m.id}
	var obj map[string]any
	if strings.HasPrefix(typ, "invoice.") {
		obj = map[string]any{"id": fmt.Sprintf("in_soak_%s_%d", m.id, k), "object": "invoice", "customer": cus, "subscription": sub,
			"billing_reason": "subscription_cycle", "subscription_details": map[string]any{"metadata": meta},
			"lines": map[string]any{"data": []any{map[string]any{"period": map[string]any{"start": base.AddDate(-1, 0, 0).Unix(), "end": base.Unix()}}}}}
	} else {
		obj = map[string]any{"id": sub, "object": "subscription", "customer": cus, "status": status, "metadata": meta,
			"current_period_end": base.Unix()}
	}
	ev := map[string]any{"id": fmt.Sprintf("evt_soak_%s_%d", m.id, k), "object": "event", "api_version": "2023-10-16",
		"type": typ, "created": base.Unix(), "data": map[string]any{"object": obj}}
	body, _ := json.Marshal(ev)
	status2, _ := s.do("stripe", "POST", "/v1/stripe/webhook", "", "203.0.113.50", body, "Stripe-Signature", stripetest.Sign(body))
	if status2 == 200 {
		s.events.Store(ev["id"], true)
	}
}

// settle waits, with the load stopped and everything up, until the queues
// are empty; then restarts the program once more (its start reconciles
// whatever lags) and waits again; then stops it.
func (s *soak) settle() {
	if s.redisOff.Load() {
		s.redis.Restart(s.t)
	}
	s.prog.kill()
	s.prog.start()
	insp := asynq.NewInspector(s.redis.Opt())
	defer insp.Close()
	for round := range 2 {
		start := time.Now()
		quiet := 0
		for quiet < 5 {
			if time.Since(start) > 10*time.Minute {
				s.t.Fatalf("the queues did not empty in 10 minutes:\n%s", s.prog.tail())
			}
			time.Sleep(time.Second)
			busy := 0
			queues, err := insp.Queues()
			if err != nil {
				quiet = 0
				continue
			}
			for _, q := range queues {
				info, err := insp.GetQueueInfo(q)
				if err != nil {
					busy++
					continue
				}
				busy += info.Pending + info.Active + info.Scheduled + info.Retry
				if info.Retry > 0 {
					_, _ = insp.RunAllRetryTasks(q)
				}
				if info.Scheduled > 0 {
					_, _ = insp.RunAllScheduledTasks(q)
				}
			}
			if busy == 0 {
				quiet++
			} else {
				quiet = 0
			}
		}
		s.t.Logf("settled in %s (round %d)", time.Since(start).Round(time.Second), round+1)
		if round == 0 {
			s.prog.stop()
			s.prog.start()
		}
	}
	if queues, err := insp.Queues(); err == nil {
		for _, q := range queues {
			if info, err := insp.GetQueueInfo(q); err == nil && info.Archived > 0 {
				s.t.Errorf("%d jobs of queue %s failed for good", info.Archived, q)
			}
		}
	}
	s.prog.stop()
}

// check reads the data files and compares them with what was acknowledged
// and with what the rules say should be there.
func (s *soak) check() {
	t := s.t
	ctx := context.Background()
	e, err := mongodb.StartEmbedded(filepath.Join(s.dataDir, "mongo"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	db, err := mongodb.Open(ctx, e.URI(), "marketplace")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)

	members := map[string]*marketplace.Member{}
	if err := mongo.NewMemberStore(db).WalkMembers(ctx, func(m *marketplace.Member) error { members[m.ID] = m; return nil }); err != nil {
		t.Fatal(err)
	}
	stored := map[string]*marketplace.Listing{}
	if err := mongo.NewListingStore(db).WalkListings(ctx, nil, func(l *marketplace.Listing) error { stored[l.ID] = l; return nil }); err != nil {
		t.Fatal(err)
	}

	// 1. Every acknowledged write, with its last version.
	lost, lagging := 0, 0
	for _, l := range s.listings {
		got := stored[l.id]
		switch {
		case got == nil:
			t.Errorf("listing %s was acknowledged and is not stored", l.id)
			lost++
		case got.Version < l.version, got.Version == l.version && (got.Title != l.title || got.Status != l.status):
			t.Errorf("listing %s: acknowledged v%d %q %s; stored v%d %q %s", l.id, l.version, l.title, l.status, got.Version, got.Title, got.Status)
			lost++
		}
	}
	for _, l := range stored {
		if l.IndexedVersion != l.Version || l.MatchedVersion != l.Version {
			t.Errorf("listing %s v%d was indexed at v%d and matched at v%d", l.ID, l.Version, l.IndexedVersion, l.MatchedVersion)
			lagging++
		}
	}

	// 2. The search index holds exactly the visible listings, at their
	// versions.
	visible := map[string]int64{}
	for _, l := range stored {
		if l.VisibleTo(members[l.MemberID]) {
			visible[l.ID] = l.Version
		}
	}
	if len(visible) == 0 && len(stored) > 0 {
		t.Errorf("none of %d listings is visible at the end: the search index was checked on nothing", len(stored))
	}
	engine, err := bleve.Open(filepath.Join(s.dataDir, "search"))
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	docs, err := engine.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	indexed := map[string]int64{}
	for _, d := range docs {
		indexed[d.ID] = d.Version
	}
	indexWrong := 0
	for id, v := range visible {
		if indexed[id] != v {
			t.Errorf("visible listing %s v%d: the index has v%d", id, v, indexed[id])
			indexWrong++
		}
	}
	for id := range indexed {
		if _, ok := visible[id]; !ok {
			t.Errorf("the index holds listing %s, which is not visible", id)
			indexWrong++
		}
	}

	// 3. Matches: one per pair; every pair the matcher finds among the
	// open listings is there and open; none is open beside a listing that
	// is not.
	type pair struct{ offer, need string }
	matches := map[pair]*marketplace.Match{}
	dupMatches, matchWrong := 0, 0
	err = mongo.NewMatchStore(db).WalkMatches(ctx, time.Time{}, time.Now().AddDate(10, 0, 0), func(m *marketplace.Match) error {
		p := pair{m.OfferID, m.NeedID}
		if matches[p] != nil {
			dupMatches++
		}
		matches[p] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var open []matching.Candidate
	for _, l := range stored {
		if l.Status == marketplace.StatusPublished && members[l.MemberID].Standing.Listed() {
			open = append(open, matching.NewCandidate(l, true))
		}
	}
	now := time.Now()
	threshold := matching.MatchWeights.Threshold
	wantedPairs := map[pair]bool{}
	for _, c := range open {
		best := matching.BestMatches(c, open, now, 25)
		if len(best) >= 25 {
			t.Logf("listing %s has 25 counterparts or more: its matches are not checked", c.Listing.ID)
			continue
		}
		for _, b := range best {
			if b.Score < threshold+5 {
				continue
			}
			if wantedPairs[pair{b.OfferID, b.NeedID}] {
				continue
			}
			wantedPairs[pair{b.OfferID, b.NeedID}] = true
			if m := matches[pair{b.OfferID, b.NeedID}]; m == nil || m.Retired {
				t.Errorf("offer %s and need %s score %.1f and have no open match (%+v)", b.OfferID, b.NeedID, b.Score, m)
				matchWrong++
			}
		}
	}
	for p, m := range matches {
		o, n := stored[p.offer], stored[p.need]
		live := o != nil && n != nil && o.Status == marketplace.StatusPublished && n.Status == marketplace.StatusPublished &&
			members[o.MemberID].Standing.Listed() && members[n.MemberID].Standing.Listed()
		if !m.Retired && !live && m.Status == marketplace.MatchNew {
			t.Errorf("match %s is open though its listings are not (%s, %s)", m.ID, statusOf(o), statusOf(n))
			matchWrong++
		}
	}

	// 4. Every e-mail went out once: one Message-ID per notification,
	// received once. A delivery claimed by a process that was killed
	// before it sent waits out its lease before it is sent again.
	var notes []struct {
		ID      string `bson:"_id"`
		Channel string `bson:"channel"`
		Status  string `bson:"status"`
	}
	cur, err := db.Database.Collection("notifications").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(ctx, &notes); err != nil {
		t.Fatal(err)
	}
	received := map[string]int{}
	for _, m := range s.smtp.Messages() {
		received[m.Header.Get("Message-Id")]++
	}
	mails, unsent, leased, markLost, dupMails := 0, 0, 0, 0, 0
	for _, n := range notes {
		if n.Channel != string(marketplace.ChannelEmail) {
			continue
		}
		mails++
		got := received[wmail.StableMessageID(n.ID, "noreply@market.example.coop")]
		switch {
		case got > 1:
			t.Errorf("e-mail %s went out %d times", n.ID, got)
			dupMails++
		case got == 1 && n.Status != string(marketplace.NotificationSent):
			markLost++ // sent; the process died before recording it
		case got == 0 && n.Status == string(marketplace.NotificationSending):
			leased++
		case got == 0:
			t.Errorf("e-mail %s is %s and was not received", n.ID, n.Status)
			unsent++
		}
	}
	if len(s.smtp.Messages()) != len(received) {
		t.Errorf("%d e-mails received, %d distinct", len(s.smtp.Messages()), len(received))
	}

	// 5. Every acknowledged Stripe event is stored and applied.
	eventsAcked, eventsMissing := 0, 0
	evColl := db.Database.Collection("stripe_events")
	s.events.Range(func(k, _ any) bool {
		eventsAcked++
		var ev bson.M
		if err := evColl.FindOne(ctx, bson.D{{Key: "_id", Value: k}}).Decode(&ev); err != nil || ev["appliedAt"] == nil {
			t.Errorf("Stripe event %s was acknowledged and is not applied: %v %v", k, ev, err)
			eventsMissing++
		}
		return true
	})

	// 6. No 5xx but 503.
	s.badMu.Lock()
	for _, b := range s.bad {
		t.Errorf("answered: %s", b)
	}
	bad := len(s.bad)
	s.badMu.Unlock()

	var counts []string
	s.statuses.Range(func(k, v any) bool {
		counts = append(counts, fmt.Sprintf("%s: %d", k, v.(*atomic.Int64).Load()))
		return true
	})
	slices.Sort(counts)
	t.Logf("load: %s", strings.Join(counts, ", "))
	t.Logf("faults: the program killed %d times, Redis %d times", s.kills.Load(), s.redises.Load())
	t.Logf("listings: %d acknowledged (%d of them closed), %d stored, %d lost, %d lagging", len(s.listings), s.ended.Load(), len(stored), lost, lagging)
	t.Logf("search: %d visible, %d indexed, %d wrong", len(visible), len(indexed), indexWrong)
	t.Logf("matches: %d stored, %d duplicated, %d wanted, %d wrong", len(matches), dupMatches, len(wantedPairs), matchWrong)
	t.Logf("e-mails: %d stored, %d received, %d not sent, %d twice; %d sent but recorded late, %d waiting for the lease of a killed delivery", mails, len(received), unsent, dupMails, markLost, leased)
	t.Logf("Stripe events: %d acknowledged, %d not applied", eventsAcked, eventsMissing)
	t.Logf("answers 5xx other than 503: %d", bad)
	for _, r := range s.refused {
		t.Logf("refused: %s", r)
	}
}

func statusOf(l *marketplace.Listing) string {
	if l == nil {
		return "missing"
	}
	return string(l.Status)
}
