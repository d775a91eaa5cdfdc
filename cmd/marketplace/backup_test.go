package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	main "cooptrade/cmd/marketplace"
	"cooptrade/marketplace"
	"cooptrade/workers/redistest"
)

// runCommand runs one command line of the program with env and returns
// what it printed.
func runCommand(tb testing.TB, env map[string]string, stdin string, args ...string) (string, error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	err := main.Run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

// ackedListing is a write the service acknowledged: the listing at a version.
type ackedListing struct {
	ID, Title string
	Version   int64
}

// listingWriter posts and publishes needs through the API until stopped,
// keeping each write the service acknowledged.
type listingWriter struct {
	base, token string
	mu          sync.Mutex
	acked       map[string]ackedListing
	err         error
	stop, done  chan struct{}
}

func startListingWriter(base, token string) *listingWriter {
	w := &listingWriter{base: base, token: token, acked: map[string]ackedListing{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			if err := w.write(i); err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
				return
			}
		}
	}()
	return w
}

func (w *listingWriter) write(i int) error {
	title := fmt.Sprintf("Risograph leaflets, batch %d", i)
	var l marketplace.Listing
	if err := w.call("POST", "/v1/listings", "", map[string]any{
		"kind": "need", "title": title, "description": "Two-colour risograph leaflets on recycled paper.",
		"category": "print-runs", "tags": []string{"leaflets"}, "postcode": "LS7 3AA",
		"price_min_pence": 10000, "price_max_pence": 20000, "price_unit": "job",
	}, 201, &l); err != nil {
		return err
	}
	w.ack(ackedListing{ID: l.ID, Title: title, Version: l.Version})
	if err := w.call("POST", "/v1/listings/"+l.ID+"/publish", `"1"`, nil, 200, &l); err != nil {
		return err
	}
	w.ack(ackedListing{ID: l.ID, Title: title, Version: l.Version})
	return nil
}

func (w *listingWriter) call(method, path, ifMatch string, body any, want int, out any) error {
	js, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, w.base+path, bytes.NewReader(js))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+w.token)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

func (w *listingWriter) ack(a ackedListing) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.acked[a.ID] = a
}

// snapshot returns the writes acknowledged so far.
func (w *listingWriter) snapshot() map[string]ackedListing {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := make(map[string]ackedListing, len(w.acked))
	for id, a := range w.acked {
		s[id] = a
	}
	return s
}

func (w *listingWriter) halt(tb testing.TB) {
	tb.Helper()
	close(w.stop)
	<-w.done
	if w.err != nil {
		tb.Fatalf("writer: %v", w.err)
	}
}

// A backup of a seeded instance, taken while it serves and takes writes,
// restores elsewhere with every write acknowledged before it began, the
// same searchable offers, the signing key, and a search index rebuilt.
func TestBackupRestore_UnderWrites(t *testing.T) {
	dataDir := t.TempDir()
	cmdEnv := map[string]string{"DATA_DIR": dataDir, "LOG_LEVEL": "error"}
	if out, err := runCommand(t, cmdEnv, "", "seed", "--listings=150"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	m := MustRunMain(t, map[string]string{"DATA_DIR": dataDir, "REDIS_URL": redistest.New(t).URL, "LOG_LEVEL": "warn"})
	c := &client{tb: t, base: "http://" + m.Addr()}
	owner := memberOwnerToken(t, c, dataDir, mongoURIOf(t, m))

	var offers struct{ Total int }
	c.must(200, "GET", "/v1/search?kind=offer&limit=1", "", nil, &offers)
	if offers.Total == 0 {
		t.Fatal("the seeded instance has no searchable offer")
	}

	w := startListingWriter(c.base, owner)
	for deadline := time.Now().Add(20 * time.Second); len(w.snapshot()) < 10; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			w.halt(t)
			t.Fatal("the writer acknowledged fewer than 10 listings in 20 s")
		}
	}
	before := w.snapshot()
	file := filepath.Join(t.TempDir(), "marketplace.tar.gz")
	out, err := runCommand(t, cmdEnv, "", "backup", file)
	during := len(w.snapshot()) - len(before)
	w.halt(t)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	t.Logf("backup: %d listings acknowledged before it, %d more while it ran: %s", len(before), during, strings.TrimSpace(out))

	if out, err := runCommand(t, cmdEnv, "", "restore", file); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into the live DATA_DIR: %v\n%s; want a refusal", err, out)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	restoreEnv := map[string]string{"DATA_DIR": restored, "LOG_LEVEL": "error"}
	keyFile := filepath.Join(dataDir, "secret.key")
	if out, err := runCommand(t, restoreEnv, "", "restore", "--secret-key", keyFile, file); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if a, b := readFile(t, keyFile), readFile(t, filepath.Join(restored, "secret.key")); a != b {
		t.Fatal("the restored DATA_DIR has another secret key")
	}
	if _, err := os.Stat(filepath.Join(restored, "search")); err != nil {
		t.Fatalf("restore rebuilt no search index: %v", err)
	}

	m2 := MustRunMain(t, map[string]string{"DATA_DIR": restored, "REDIS_URL": redistest.New(t).URL, "LOG_LEVEL": "warn"})
	c2 := &client{tb: t, base: "http://" + m2.Addr()}
	for _, a := range before {
		var got marketplace.Listing
		c2.must(200, "GET", "/v1/listings/"+a.ID, owner, nil, &got)
		if got.Title != a.Title || got.Version < a.Version {
			t.Errorf("listing %s restored as %q at version %d; acknowledged %q at version %d", a.ID, got.Title, got.Version, a.Title, a.Version)
		}
	}
	// The index was rebuilt by restore: search answers at once, the same
	// offers as the original, and finds the acknowledged needs.
	var again struct{ Total int }
	c2.must(200, "GET", "/v1/search?kind=offer&limit=1", "", nil, &again)
	if again.Total != offers.Total {
		t.Errorf("restored search finds %d offers; the original found %d", again.Total, offers.Total)
	}
	var needs struct {
		Hits []struct{ ID string }
	}
	c2.must(200, "GET", "/v1/search?q=risograph+leaflets&kind=need&limit=100", owner, nil, &needs)
	found := map[string]bool{}
	for _, h := range needs.Hits {
		found[h.ID] = true
	}
	for _, a := range before {
		if a.Version >= 2 && !found[a.ID] {
			t.Errorf("published need %s (%q) is not found by search after restore", a.ID, a.Title)
		}
	}
}

// memberOwnerToken adds a staff user (as an operator would, through the
// running program's database), a member in good standing and its owner,
// and returns the owner's API token.
func memberOwnerToken(tb testing.TB, c *client, dataDir, mongoURI string) string {
	tb.Helper()
	env := map[string]string{"DATA_DIR": dataDir, "LOG_LEVEL": "error", "MONGODB_URI": mongoURI}
	if out, err := runCommand(tb, env, "a long staff password\n", "admin", "add-staff", "ada@federation.example"); err != nil {
		tb.Fatalf("admin add-staff: %v\n%s", err, out)
	}
	var login struct{ Token string }
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "ada@federation.example", "password": "a long staff password"}, &login)
	staff := login.Token
	var member marketplace.Member
	c.must(201, "POST", "/v1/members", staff, map[string]any{"kind": "enterprise", "name": "Chapeltown Print Kitchen", "email": "hello@cpk.example", "postcode": "LS7 3AA", "sectors": []string{"printing-publishing"}}, &member)
	addUser(tb, env, member.Slug, "owner@cpk.example", "owner password 123", "owner")
	c.must(200, "PATCH", "/v1/members/"+member.ID, staff, map[string]any{"standing": "active", "reason": "dues paid by bank transfer"}, nil)
	c.must(201, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@cpk.example", "password": "owner password 123"}, &login)
	return login.Token
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
