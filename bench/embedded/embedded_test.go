package embedded_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/valyala/fasthttp"

	"cooptrade/marketplace"
	"cooptrade/workers"
	"cooptrade/workers/redistest"
)

// conns is how many connections load each path at once (BENCH_CONNS,
// default 8).
var conns = envInt("BENCH_CONNS", 8)

// perRound is how many requests each path gets per round; rounds of the
// paths alternate, so that the machine's noise falls on all alike.
const perRound = 1000

// BenchmarkEmbedded runs the program on its embedded defaults as a small
// federation would, seeded by `marketplace seed`, and measures in one run:
// the floor (GET /healthz), a listing through the API and its page, with
// the workers off, at each size, the sizes served at once and their rounds
// alternating; then, at the first size, how long the jobs after the seed
// take, and, while a backlog of a change to every listing is worked
// through, how long a newly published listing takes to be searchable and
// what the API's latency becomes. Figures are reported as metrics and,
// with BENCH_VERBOSE=1, as sentences on stderr. BENCH_LISTINGS chooses the
// sizes (default 3000,30000).
//
//	go test -run '^$' -bench . -benchtime 1x ./bench/embedded
func BenchmarkEmbedded(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "marketplace")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/marketplace").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	sizes := benchSizes()
	insts := make([]*instance, len(sizes))
	ids := make([][]string, len(sizes))
	for i, n := range sizes {
		insts[i] = newInstance(b, bin)
		start := time.Now()
		insts[i].run("seed", "--listings", fmt.Sprint(n))
		seeded := time.Since(start)
		b.ReportMetric(seeded.Seconds(), sizeName(n)+"_seed_s")
		verbose("%d listings: seeded in %s", n, seeded.Round(time.Millisecond))
		insts[i].run("admin", "add-staff", "--name", "Bench Staff", "staff@bench.example")
		// Workers off: reads only.
		insts[i].serve("--workers=0")
		ids[i] = insts[i].publishedOffers()
		// Steady state: every listing read once before the clock starts
		// (the embedded stores keep what they read).
		for _, id := range ids[i] {
			insts[i].api("GET", "/v1/listings/"+id, "", nil, nil)
		}
	}
	// Three rounds of each path at each size, alternating, so that the
	// machine's noise falls on all alike.
	rs := make([]reads, len(sizes))
	for range 3 {
		for i, in := range insts {
			rs[i].floor = rs[i].floor.add(measure(b, in.addr, func(*rand.Rand) string { return "/healthz" }))
			rs[i].listing = rs[i].listing.add(measure(b, in.addr, func(r *rand.Rand) string { return "/v1/listings/" + ids[i][r.IntN(len(ids[i]))] }))
			rs[i].page = rs[i].page.add(measure(b, in.addr, func(r *rand.Rand) string { return "/listings/" + ids[i][r.IntN(len(ids[i]))] }))
		}
	}
	for i, n := range sizes {
		r, name := rs[i], sizeName(n)
		b.ReportMetric(r.floor.rate(), name+"_healthz_req/s")
		b.ReportMetric(r.listing.rate(), name+"_listing_req/s")
		b.ReportMetric(r.page.rate(), name+"_page_req/s")
		b.ReportMetric(r.listing.rate()/r.floor.rate(), name+"_listing/healthz")
		b.ReportMetric(r.page.rate()/r.floor.rate(), name+"_page/healthz")
		verbose("%d listings: healthz %.0f/s; listing %.0f/s (p50 %s, p99 %s, %.3f of healthz); page %.0f/s (p50 %s, p99 %s, %.3f of healthz)",
			n, r.floor.rate(), r.listing.rate(), r.listing.stat().p50, r.listing.stat().p99, r.listing.rate()/r.floor.rate(),
			r.page.rate(), r.page.stat().p50, r.page.stat().p99, r.page.rate()/r.floor.rate())
		if i > 0 {
			vs := r.listing.rate() / rs[0].listing.rate()
			b.ReportMetric(vs, name+"_listing_rate_vs_"+sizeName(sizes[0]))
			verbose("a listing through the API at %d listings ÷ at %d: %.2f", n, sizes[0], vs)
		}
	}
	for _, in := range insts[1:] {
		in.stop()
	}
	backlog(b, insts[0], sizes[0], ids[0], rs[0].listing.stat())
}

// benchSizes are the federation's sizes measured: BENCH_LISTINGS, or
// 3,000 and 30,000 listings.
func benchSizes() []int {
	v := os.Getenv("BENCH_LISTINGS")
	if v == "" {
		return []int{3000, 30000}
	}
	var sizes []int
	for _, f := range strings.Split(v, ",") {
		var n int
		if _, err := fmt.Sscan(f, &n); err == nil && n > 0 {
			sizes = append(sizes, n)
		}
	}
	return sizes
}

func sizeName(n int) string {
	if n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// reads are the read measures of one size, workers off.
type reads struct {
	floor, listing, page timings
}

type stat struct {
	rate     float64 // requests a second
	p50, p99 time.Duration
}

// backlog measures, at n listings, the jobs after the seed, then a
// backlog of a change to every listing: how long it takes, how soon a
// listing published meanwhile is searchable, and the API's latency beside
// its latency with the backlog paused. idle is the API's with the workers
// off.
func backlog(b *testing.B, inst *instance, n int, ids []string, idle stat) {
	// A member whose owner publishes while the backlog is worked
	// through; its owner gets a password from the command line, with
	// the program stopped (the embedded database is the program's).
	inst.member(inst.login("staff@bench.example", "a bench staff passphrase"))
	inst.stop()
	inst.run("admin", "add-user", "--member", "bench-printers", "--email", "owner@benchprint.example", "--role", "owner")

	// Workers on (as many as serve starts by default): the jobs the seed
	// left, then the backlog an older seed left, of a matching job and
	// an alerts job for every listing.
	if w := os.Getenv("BENCH_WORKERS"); w != "" {
		inst.serve("--workers=" + w) // to compare with the default
	} else {
		inst.serve()
	}
	afterSeed := inst.drain(b, 5*time.Minute)
	b.ReportMetric(afterSeed.Seconds(), "jobs_after_seed_s")
	// The same steady state as with the workers off (this is a new
	// process, its memory empty): each listing read once.
	for _, id := range ids {
		inst.api("GET", "/v1/listings/"+id, "", nil, nil)
	}
	staff := inst.login("staff@bench.example", "a bench staff passphrase")
	owner := inst.login("owner@benchprint.example", "a bench staff passphrase") // what run gives on standard input
	all := inst.allListings(staff)
	queue := workers.NewQueue(inst.redis.Opt())
	defer queue.Close()
	// The backlog the old seed left: every listing to match, and its
	// saved searches to evaluate.
	enqueued := time.Now()
	for _, l := range all {
		match, err := workers.NewListingMatchTask(l.ID, l.Version)
		if err != nil {
			b.Fatal(err)
		}
		alerts, err := workers.NewListingAlertsTask(l.ID, l.Version)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range []*asynq.Task{match, alerts} {
			if err := queue.Enqueue(context.Background(), t); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Meanwhile: publish a listing every half second and time it to
	// search; and load the API as before.
	var searchable []time.Duration
	var mu sync.Mutex
	stopPublishing := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stopPublishing:
				return
			case <-time.After(500 * time.Millisecond):
			}
			d := inst.publishAndSearch(b, owner, i)
			mu.Lock()
			searchable = append(searchable, d)
			mu.Unlock()
		}
	}()
	// The API while the backlog runs, side by side with the API while it
	// is paused, in the same process: rounds with the backlog's queue
	// paused (its jobs under way finished first) alternate with rounds
	// while it runs, a second after it resumes; as many requests in all
	// as with the workers off. The search index's queue never pauses.
	var busy, paused timings
	var pausedFor time.Duration
	insp := asynq.NewInspector(inst.redis.Opt())
	defer insp.Close()
	traced := inst.traceTo(os.Getenv("BENCH_TRACE"), 4*time.Second)
	listingPath := func(r *rand.Rand) string { return "/v1/listings/" + ids[r.IntN(len(ids))] }
	// Lone requests besides: one at a time, 5 ms apart, as a person's
	// request meets the jobs at full speed.
	var lone, lonePaused timings
	for range 3 {
		pausedAt := time.Now()
		inst.pauseBacklog(b, insp)
		paused = paused.add(measure(b, inst.addr, listingPath))
		lonePaused = lonePaused.add(measureLone(b, inst.addr, listingPath))
		inst.resumeBacklog(b, insp)
		pausedFor += time.Since(pausedAt)
		time.Sleep(time.Second)
		busy = busy.add(measure(b, inst.addr, listingPath))
		lone = lone.add(measureLone(b, inst.addr, listingPath))
	}
	// Publish for twenty seconds or so, then let the backlog end.
	for len(searchableSoFar(&mu, &searchable)) < 40 && time.Since(enqueued) < 2*time.Minute {
		time.Sleep(100 * time.Millisecond)
	}
	close(stopPublishing)
	wg.Wait()
	<-traced
	drainFrom := time.Now()
	// The backlog's time at work: while paused it did not run.
	took := drainFrom.Add(inst.drain(b, 10*time.Minute)).Sub(enqueued) - pausedFor
	inst.stop()
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(searchable)
	p := func(q float64) time.Duration {
		return searchable[min(len(searchable)-1, int(q*float64(len(searchable))))]
	}
	b.ReportMetric(took.Seconds(), "backlog_s")
	b.ReportMetric(p(0.5).Seconds(), "searchable_p50_s")
	b.ReportMetric(p(0.99).Seconds(), "searchable_p99_s")
	b.ReportMetric(float64(busy.stat().p99)/float64(paused.stat().p99), "p99_busy/idle")
	b.ReportMetric(float64(busy.stat().p99)/float64(idle.p99), "p99_busy/workers_off")
	b.ReportMetric(float64(lone.stat().p99)/float64(lonePaused.stat().p99), "lone_p99_busy/idle")
	verbose("%d listings: the jobs after the seed took %s; a backlog of %d listings to match (%d jobs) took %s at work; "+
		"meanwhile %d listings published became searchable in p50 %s, p99 %s, max %s; the API's p99 was %s, "+
		"%.2f of its p99 with the backlog paused (%s), %.2f of its p99 with the workers off (%s)",
		n, afterSeed.Round(time.Millisecond), len(all), 2*len(all), took.Round(time.Millisecond), len(searchable),
		p(0.5).Round(time.Millisecond), p(0.99).Round(time.Millisecond), searchable[len(searchable)-1].Round(time.Millisecond),
		busy.stat().p99, float64(busy.stat().p99)/float64(paused.stat().p99), paused.stat().p99,
		float64(busy.stat().p99)/float64(idle.p99), idle.p99)
	verbose("%d listings: a lone request during the backlog took p50 %s, p99 %s; with the backlog paused, p50 %s, p99 %s",
		n, lone.stat().p50, lone.stat().p99, lonePaused.stat().p50, lonePaused.stat().p99)
}

// traceTo fetches an execution trace of the program from PPROF_ADDR into
// the file, and a CPU profile into the file and .cpu, when both are set
// (BENCH_TRACE=file PPROF_ADDR=127.0.0.1:6060), to see where requests wait
// while the workers work; the channel closes when they are written.
func (in *instance) traceTo(file string, d time.Duration) <-chan struct{} {
	done := make(chan struct{})
	pprofAddr := os.Getenv("PPROF_ADDR")
	if file == "" || pprofAddr == "" {
		close(done)
		return done
	}
	var wg sync.WaitGroup
	for _, p := range []struct{ path, file string }{{"trace", file}, {"profile", file + ".cpu"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", pprofAddr, p.path, int(d.Seconds())))
			if err != nil {
				in.tb.Logf("%s: %v", p.path, err)
				return
			}
			defer res.Body.Close()
			f, err := os.Create(p.file)
			if err != nil {
				in.tb.Logf("%s: %v", p.path, err)
				return
			}
			defer f.Close()
			_, _ = f.ReadFrom(res.Body)
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

func searchableSoFar(mu *sync.Mutex, s *[]time.Duration) []time.Duration {
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(*s)
}

// instance is a data directory and a Redis, and the program serving on
// them now and then.
type instance struct {
	tb    testing.TB
	bin   string
	env   []string
	addr  string
	redis *redistest.Server
	cmd   *exec.Cmd
	logs  bytes.Buffer
	http  *http.Client
}

func newInstance(tb testing.TB, bin string) *instance {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	in := &instance{tb: tb, bin: bin, addr: addr, redis: redistest.New(tb), http: &http.Client{Timeout: 30 * time.Second}}
	// A real Redis, so that the benchmark can see the queues; the
	// database and search are the embedded defaults.
	in.env = append(os.Environ(), "DATA_DIR="+tb.TempDir(), "HTTP_ADDR="+addr, "REDIS_URL="+in.redis.URL,
		"MONGODB_URI=", "MEILI_URL=", "STRIPE_SECRET_KEY=", "SMTP_URL=", "LOG_LEVEL=error", "TRUSTED_PROXIES=127.0.0.1")
	// BENCH_SERVER_GOMAXPROCS and BENCH_SERVER_GOGC set those for the
	// program alone, to compare the runtime's settings side by side.
	for _, v := range []string{"GOMAXPROCS", "GOGC"} {
		if x := os.Getenv("BENCH_SERVER_" + v); x != "" {
			in.env = append(in.env, v+"="+x)
		}
	}
	tb.Cleanup(in.stop)
	return in
}

func (in *instance) run(args ...string) {
	cmd := exec.Command(in.bin, args...)
	cmd.Env = in.env
	cmd.Stdin = strings.NewReader("a bench staff passphrase\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		in.tb.Fatalf("marketplace %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (in *instance) serve(args ...string) {
	in.logs.Reset()
	in.cmd = exec.Command(in.bin, append([]string{"serve"}, args...)...)
	in.cmd.Env = in.env
	in.cmd.Stdout, in.cmd.Stderr = &in.logs, &in.logs
	if err := in.cmd.Start(); err != nil {
		in.tb.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if res, err := http.Get("http://" + in.addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			in.tb.Fatalf("serve not ready after 2 minutes:\n%s", in.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (in *instance) stop() {
	if in.cmd == nil {
		return
	}
	_ = in.cmd.Process.Signal(os.Interrupt)
	_ = in.cmd.Wait()
	in.cmd = nil
}

// api sends a JSON request and decodes the answer into out.
func (in *instance) api(method, path, token string, body, out any, headers ...string) int {
	var rd *bytes.Reader
	if body != nil {
		js, _ := json.Marshal(body)
		rd = bytes.NewReader(js)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, "http://"+in.addr+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := in.http.Do(req)
	if err != nil {
		in.tb.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		_ = json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

func (in *instance) login(email, password string) string {
	var tok struct{ Token string }
	if st := in.api("POST", "/v1/auth/login", "", map[string]string{"email": email, "password": password}, &tok); st != 201 {
		in.tb.Fatalf("login %s: %d", email, st)
	}
	return tok.Token
}

// member adds a member in good standing, Bench Printers.
func (in *instance) member(staff string) {
	if st := in.api("POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": "Bench Printers", "slug": "bench-printers", "email": "hello@benchprint.example",
		"postcode": "LS6 1AA", "sectors": []string{"printing-publishing"}, "standing": "active"}, nil); st != 201 {
		in.tb.Fatalf("add member: %d", st)
	}
}

// allListings pages through every listing, as staff see them.
func (in *instance) allListings(staff string) []marketplace.Listing {
	var all []marketplace.Listing
	for cursor := ""; ; {
		var pg struct {
			Items      []marketplace.Listing
			NextCursor string `json:"next_cursor"`
		}
		if st := in.api("GET", "/v1/listings?limit=100&cursor="+cursor, staff, nil, &pg); st != 200 {
			in.tb.Fatalf("list listings: %d", st)
		}
		all = append(all, pg.Items...)
		if pg.NextCursor == "" {
			return all
		}
		cursor = pg.NextCursor
	}
}

// publishedOffers returns the IDs of listings the public may see: those
// search finds (up to a thousand).
func (in *instance) publishedOffers() []string {
	var ids []string
	for cursor := ""; ; {
		var res struct {
			Hits       []struct{ ID string }
			NextCursor string `json:"next_cursor"`
		}
		if st := in.api("GET", "/v1/search?kind=offer&sort=newest&limit=100&cursor="+cursor, "", nil, &res); st != 200 {
			in.tb.Fatalf("search: %d", st)
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if res.NextCursor == "" || len(ids) >= 1000 {
			break
		}
		cursor = res.NextCursor
	}
	if len(ids) == 0 {
		in.tb.Fatal("no published offers")
	}
	return ids
}

// publishAndSearch posts and publishes an offer with a word of its own,
// and returns how long after the publish answer a search finds it.
func (in *instance) publishAndSearch(tb testing.TB, owner string, i int) time.Duration {
	word := fmt.Sprintf("benchword%dx", i)
	var l marketplace.Listing
	if st := in.api("POST", "/v1/listings", owner, map[string]any{"kind": "offer", "title": "Risograph " + word, "category": "print-runs",
		"postcode": "LS6 1AA", "radius_km": 50}, &l, "X-Forwarded-For", fmt.Sprintf("10.9.%d.%d", i/250, i%250+1)); st != 201 {
		tb.Errorf("post: %d", st)
		return 0
	}
	if st := in.api("POST", "/v1/listings/"+l.ID+"/publish", owner, nil, &l, "X-Forwarded-For", fmt.Sprintf("10.9.%d.%d", i/250, i%250+1)); st != 200 {
		tb.Errorf("publish: %d", st)
		return 0
	}
	published := time.Now()
	for time.Since(published) < time.Minute {
		var res struct{ Total int }
		in.api("GET", "/v1/search?q="+word, "", nil, &res)
		if res.Total > 0 {
			return time.Since(published)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Minute
}

// drain waits until every queue is empty and stays so for a second, and
// returns how long it took from the call.
// backlogQueues are the queues the backlog's jobs (matching, alerts) and
// what follows them (notifications, digests) wait in.
var backlogQueues = []string{workers.QueueDefault, workers.QueueLow}

// pauseBacklog pauses the backlog's queues and waits until none of their
// jobs is under way: the workers are then as good as off, but for
// indexing.
func (in *instance) pauseBacklog(tb testing.TB, insp *asynq.Inspector) {
	for _, q := range backlogQueues {
		if err := insp.PauseQueue(q); err != nil {
			tb.Fatal(err)
		}
	}
	for deadline := time.Now().Add(time.Minute); ; {
		active := 0
		for _, q := range backlogQueues {
			if info, err := insp.GetQueueInfo(q); err == nil {
				active += info.Active
			}
		}
		if active == 0 {
			return
		} else if time.Now().After(deadline) {
			tb.Fatalf("%d jobs still under way a minute after their queues were paused", active)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (in *instance) resumeBacklog(tb testing.TB, insp *asynq.Inspector) {
	for _, q := range backlogQueues {
		if err := insp.UnpauseQueue(q); err != nil {
			tb.Fatal(err)
		}
	}
}

func (in *instance) drain(tb testing.TB, limit time.Duration) time.Duration {
	insp := asynq.NewInspector(in.redis.Opt())
	defer insp.Close()
	start := time.Now()
	var emptySince time.Time
	for time.Since(start) < limit {
		busy := 0
		queues, err := insp.Queues()
		if err != nil {
			tb.Fatal(err)
		}
		for _, q := range queues {
			if info, err := insp.GetQueueInfo(q); err == nil {
				busy += info.Pending + info.Active + info.Retry
			}
		}
		switch {
		case busy > 0:
			emptySince = time.Time{}
		case emptySince.IsZero():
			emptySince = time.Now()
		case time.Since(emptySince) >= time.Second:
			return emptySince.Sub(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("the queues did not empty in %s", limit)
	return 0
}

// timings are the latencies of one measured path.
type timings struct {
	ds      []time.Duration
	elapsed time.Duration
}

func (t timings) add(o timings) timings {
	return timings{ds: append(t.ds, o.ds...), elapsed: t.elapsed + o.elapsed}
}

func (t timings) rate() float64 { return float64(len(t.ds)) / t.elapsed.Seconds() }

func (t timings) stat() stat {
	if len(t.ds) == 0 {
		return stat{}
	}
	s := slices.Clone(t.ds)
	slices.Sort(s)
	return stat{rate: t.rate(), p50: s[len(s)/2], p99: s[min(len(s)-1, len(s)*99/100)]}
}

// lonePerRound is how many lone requests a round sends, loneGap apart.
const (
	lonePerRound = 200
	loneGap      = 5 * time.Millisecond
)

// measureLone sends lonePerRound requests one at a time, loneGap apart
// (from one start to the next), over one connection.
func measureLone(tb testing.TB, addr string, path func(*rand.Rand) string) timings {
	client := &fasthttp.HostClient{Addr: addr, MaxConns: 1, ReadTimeout: 30 * time.Second}
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(res)
	var ds []time.Duration
	start := time.Now()
	for i := range lonePerRound {
		time.Sleep(time.Until(start.Add(time.Duration(i) * loneGap)))
		req.SetRequestURI("http://" + addr + path(rng))
		t0 := time.Now()
		if err := client.Do(req, res); err != nil || res.StatusCode() != 200 {
			tb.Fatalf("%s: %d %v", req.URI(), res.StatusCode(), err)
		}
		ds = append(ds, time.Since(t0))
	}
	return timings{ds: ds, elapsed: time.Since(start)}
}

// measure loads one path with conns connections for perRound requests.
func measure(tb testing.TB, addr string, path func(*rand.Rand) string) timings {
	client := &fasthttp.HostClient{Addr: addr, MaxConns: conns, ReadTimeout: 30 * time.Second}
	var next atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(res)
			var mine []time.Duration
			for next.Add(1) <= perRound {
				req.SetRequestURI("http://" + addr + path(rng))
				t0 := time.Now()
				if err := client.Do(req, res); err != nil || res.StatusCode() != 200 {
					tb.Errorf("%s: %d %v", req.URI(), res.StatusCode(), err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return timings{ds: all, elapsed: time.Since(start)}
}

func verbose(format string, args ...any) {
	if os.Getenv("BENCH_VERBOSE") != "" {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err != nil || n < 1 {
		return def
	}
	return n
}
