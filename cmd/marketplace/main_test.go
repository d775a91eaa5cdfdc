package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	main "cooptrade/cmd/marketplace"
	"cooptrade/cmd/marketplace/app"
	"cooptrade/marketplace"
	"cooptrade/workers/redistest"
)

// MustRunMain runs the whole program, as `marketplace serve` would, on a
// free port with the given environment, and closes it at the end of the
// test. The database is FerretDB embedded under DATA_DIR (as on a
// one-machine install) unless the environment says otherwise.
func MustRunMain(tb testing.TB, env map[string]string) *main.Main {
	tb.Helper()
	env["HTTP_ADDR"] = "127.0.0.1:0"
	cfg, err := app.ParseConfig(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	var logs bytes.Buffer
	m := main.NewMain(cfg, &lockedWriter{w: &logs})
	m.WorkerConcurrency = 2
	if err := m.Serve(context.Background()); err != nil {
		tb.Fatalf("serve: %v\n%s", err, logs.String())
	}
	tb.Cleanup(func() { _ = m.Close() }) // closing twice is harmless
	return m
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

type client struct {
	tb   testing.TB
	base string
}

func (c *client) do(method, path, token string, body any, headers ...string) (int, http.Header, []byte) {
	c.tb.Helper()
	var rd io.Reader
	if body != nil {
		js, _ := json.Marshal(body)
		rd = bytes.NewReader(js)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

func (c *client) must(status int, method, path, token string, body any, out any, headers ...string) http.Header {
	c.tb.Helper()
	got, h, b := c.do(method, path, token, body, headers...)
	if got != status {
		c.tb.Fatalf("%s %s: status %d; want %d; body %s", method, path, got, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.tb.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return h
}

func TestMain_EndToEnd(t *testing.T) {
	dataDir := t.TempDir()
	rs := redistest.New(t)
	env := map[string]string{"DATA_DIR": dataDir, "REDIS_URL": rs.URL, "LOG_LEVEL": "warn"}
	m := MustRunMain(t, env)
	c := &client{tb: t, base: "http://" + m.Addr()}

	c.must(200, "GET", "/readyz", "", nil, nil)

	// Bootstrap a staff user the way an operator would.
	var out bytes.Buffer
	err := main.Run(context.Background(), []string{"admin", "add-staff", "--name", "Ada", "ada@federation.example"},
		func(k string) string {
			return map[string]string{"DATA_DIR": dataDir, "LOG_LEVEL": "error", "MONGODB_URI": mongoURIOf(t, m)}[k]
		},
		strings.NewReader("a long staff password\n"), &out, io.Discard)
	if err != nil {
		t.Fatalf("admin add-staff: %v", err)
	}
	var login struct{ Token string }
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "ada@federation.example", "password": "a long staff password"}, &login)
	staff := login.Token

	// Staff admits two co-ops and their owners.
	var printers, caterers marketplace.Member
	c.must(201, "POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": "Leeds Print Workers", "email": "hello@leedsprint.example", "postcode": "LS6 1AA", "sectors": []string{"printing-publishing"}, "values": []string{"living-wage"}}, &printers)
	c.must(201, "POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": "Chapeltown Kitchen", "email": "hello@kitchen.example", "postcode": "LS7 3AA", "sectors": []string{"food-catering"}}, &caterers)
	for _, mem := range []*marketplace.Member{&printers, &caterers} {
		addUser(t, adminEnv(t, m), mem.Slug, "owner@"+mem.Slug+".example", "owner password 123", "owner")
		c.must(200, "PATCH", "/v1/members/"+mem.ID, staff, map[string]any{"standing": "active", "reason": "dues paid by bank transfer"}, nil)
	}
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@chapeltown-kitchen.example", "password": "owner password 123"}, &login)
	kitchen := login.Token
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@leeds-print-workers.example", "password": "owner password 123"}, &login)
	printer := login.Token

	// The queue monitor is for staff only.
	if code, _, body := c.do("GET", "/staff/queues/", staff, nil); code != 200 || !strings.Contains(string(body), "<html") {
		t.Fatalf("GET /staff/queues as staff: %d %.200s", code, body)
	}
	c.must(403, "GET", "/staff/queues/api/queues", kitchen, nil, nil)
	c.must(401, "GET", "/staff/queues/", "", nil, nil)

	// The kitchen posts a need and publishes it.
	var need marketplace.Listing
	c.must(201, "POST", "/v1/listings", kitchen, map[string]any{
		"kind": "need", "title": "2,000 menus and flyers for our new café", "description": "A5 flyers and A4 menus, recycled stock.",
		"category": "print-runs", "tags": []string{"flyers", "menus"}, "postcode": "LS7 3AA",
		"price_min_pence": 30000, "price_max_pence": 50000, "price_unit": "job", "deadline": time.Now().Add(60 * 24 * time.Hour).Format(time.DateOnly),
	}, &need)
	c.must(200, "POST", "/v1/listings/"+need.ID+"/publish", kitchen, nil, &need, "If-Match", `"1"`)
	if need.Status != marketplace.StatusPublished || need.Version != 2 {
		t.Fatalf("published: %+v", need)
	}

	// Another member cannot edit it; a stale If-Match gets 412.
	c.must(403, "PATCH", "/v1/listings/"+need.ID, printer, map[string]any{"title": "Ours"}, nil, "If-Match", `"2"`)
	c.must(412, "PATCH", "/v1/listings/"+need.ID, kitchen, map[string]any{"title": "Menus"}, nil, "If-Match", `"1"`)
	c.must(200, "PATCH", "/v1/listings/"+need.ID, kitchen, map[string]any{"title": "2,500 menus and flyers for our new café"}, &need, "If-Match", `"2"`)

	// Search follows MongoDB within seconds: the edited title is found,
	// by members only (it is a need).
	took := waitForSearch(t, c, "/v1/search?q=menus+flyers&kind=need", kitchen, need.ID, true)
	t.Logf("the edited need was searchable %v after the write", took)
	c.must(400, "GET", "/v1/search?q=menus&kind=need", "", nil, nil)

	// A lapsed member's listings leave search, and come back.
	c.must(200, "PATCH", "/v1/members/"+caterers.ID, staff, map[string]any{"standing": "lapsed", "reason": "dues unpaid"}, nil)
	waitForSearch(t, c, "/v1/search?q=menus&kind=need", printer, need.ID, false)
	c.must(200, "PATCH", "/v1/members/"+caterers.ID, staff, map[string]any{"standing": "active", "reason": "paid"}, nil)
	waitForSearch(t, c, "/v1/search?q=menus&kind=need", printer, need.ID, true)

	// Restart: everything is still there, the tokens still work.
	if err := m.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	m = MustRunMain(t, env)
	c.base = "http://" + m.Addr()
	var again marketplace.Listing
	h := c.must(200, "GET", "/v1/listings/"+need.ID, printer, nil, &again)
	if again.Title != "2,500 menus and flyers for our new café" || again.Version != 3 || h.Get("ETag") != `"3"` {
		t.Fatalf("after restart: %+v (ETag %s)", again, h.Get("ETag"))
	}
	var me marketplace.User
	c.must(200, "GET", "/v1/me", kitchen, nil, &me)
	if me.MemberID != caterers.ID {
		t.Fatalf("me after restart: %+v", me)
	}
	var page struct{ Items []marketplace.Listing }
	c.must(200, "GET", "/v1/listings?member=chapeltown-kitchen", printer, nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != need.ID {
		t.Fatalf("another member's view of the kitchen's listings after restart: %+v", page.Items)
	}
	c.must(200, "GET", "/v1/listings?member=chapeltown-kitchen", "", nil, &page)
	if len(page.Items) != 0 {
		t.Fatalf("the public sees the kitchen's need after restart: %+v", page.Items)
	}
	waitForSearch(t, c, "/v1/search?q=menus&kind=need", printer, need.ID, true)
}

// mongoURIOf gives a second process-like caller the running program's
// database; the embedded server can only be opened by one process.
func mongoURIOf(tb testing.TB, m *main.Main) string {
	tb.Helper()
	uri := m.MongoURI()
	if uri == "" {
		tb.Fatal("no database URI")
	}
	return uri
}

// waitForSearch polls a search until the listing is (or is no longer)
// among the hits, and returns how long that took.
func waitForSearch(tb testing.TB, c *client, path, token, id string, present bool) time.Duration {
	tb.Helper()
	start := time.Now()
	for {
		var res struct {
			Hits []struct{ ID string }
		}
		c.must(200, "GET", path, token, nil, &res)
		found := false
		for _, h := range res.Hits {
			found = found || h.ID == id
		}
		if found == present {
			return time.Since(start)
		}
		if time.Since(start) > 20*time.Second {
			tb.Fatalf("%s: listing %s present=%v after 20s; want present=%v", path, id, found, present)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestRun_Version(t *testing.T) {
	var out bytes.Buffer
	if err := main.Run(context.Background(), []string{"version"}, os.Getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out.String()) == "" {
		t.Fatal("version printed nothing")
	}
}

func TestRun_WorkerRefusesEmbedded(t *testing.T) {
	err := main.Run(context.Background(), []string{"worker"}, func(string) string { return "" }, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "MONGODB_URI") || !strings.Contains(err.Error(), "MEILI_URL") {
		t.Fatalf("worker on embedded defaults: %v; want a refusal naming MONGODB_URI", err)
	}
}
