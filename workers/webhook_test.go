package workers_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/workers"
)

// receiver is a member's webhook endpoint: it checks each delivery's
// signature the way the README tells receivers to, by its own code.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	status int
	got    []delivery
}

type delivery struct {
	header   http.Header
	body     []byte
	verified bool
}

func newReceiver(tb testing.TB, status int) *receiver {
	tb.Helper()
	r := &receiver{status: status}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		ts := req.Header.Get("Marketplace-Webhook-Timestamp")
		mac := hmac.New(sha256.New, []byte(r.secret))
		mac.Write([]byte(ts + "." + string(body)))
		want := "v1=" + hex.EncodeToString(mac.Sum(nil))
		ok := req.Method == http.MethodPost && r.secret != "" && hmac.Equal([]byte(want), []byte(req.Header.Get("Marketplace-Webhook-Signature")))
		r.got = append(r.got, delivery{header: req.Header.Clone(), body: body, verified: ok})
		w.WriteHeader(r.status)
	}))
	tb.Cleanup(r.Close)
	return r
}

func (r *receiver) setSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// wait waits for n deliveries.
func (r *receiver) wait(tb testing.TB, n int) []delivery {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if got := r.deliveries(); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the receiver got %d deliveries in 20s; want %d", len(r.deliveries()), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// webhookEnv is the notify environment with webhooks: a store on FerretDB
// and the application's sender, which may reach the test's receivers on
// 127.0.0.1.
type webhookEnv struct {
	*notifyEnv
	targets *mongo.WebhookTargetStore
}

func setupWebhooks(tb testing.TB, tlsFrom *receiver) *webhookEnv {
	tb.Helper()
	ne := setupNotifyWith(tb, apptest.Options{
		Env:   map[string]string{"WEBHOOK_ALLOW_PRIVATE": "true"},
		Knobs: app.Knobs{WebhookTLS: tlsFrom.Client().Transport.(*http.Transport).TLSClientConfig},
	})
	return &webhookEnv{notifyEnv: ne, targets: ne.app.Stores.WebhookTargets}
}

func (we *webhookEnv) startWorkers(tb testing.TB) {
	tb.Helper()
	w := we.workers(workers.Config{Concurrency: 4, Logger: slog.New(slog.DiscardHandler)})
	if err := w.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Shutdown)
}

// register registers the member's webhook at the receiver, as its owner.
func (we *webhookEnv) register(tb testing.TB, owner context.Context, memberID string, r *receiver, types ...string) {
	tb.Helper()
	t, err := we.service.SetWebhookTarget(owner, memberID, marketplace.WebhookInput{URL: r.URL + "/hooks/marketplace", Types: types})
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(t.Secret, marketplace.WebhookSecretPrefix) {
		tb.Fatalf("registering showed secret %q", t.Secret)
	}
	r.setSecret(t.Secret)
}

// webhookNotification stores a webhook notification for a member and has
// it delivered, as the service does for each notification.
func (we *webhookEnv) webhookNotification(tb testing.TB, memberID, about string) *marketplace.Notification {
	tb.Helper()
	n := &marketplace.Notification{ID: marketplace.NotificationKey(about, "member:"+memberID, marketplace.ChannelWebhook),
		Type: marketplace.NotifyMatchNew, Channel: marketplace.ChannelWebhook, MemberID: memberID,
		Subject: "A supplier for your need", Text: "Leeds Print Workers can print your leaflets.",
		Link: "https://marketplace.example/listings/1", Data: map[string]string{"match_id": about},
		Status: marketplace.NotificationPending, CreatedAt: time.Now().UTC()}
	if _, err := we.notifications.CreateNotification(context.Background(), n); err != nil {
		tb.Fatal(err)
	}
	if err := we.queue.EnqueueDelivery(context.Background(), n.ID); err != nil {
		tb.Fatal(err)
	}
	return n
}

func (we *webhookEnv) status(tb testing.TB, id string) *marketplace.Notification {
	tb.Helper()
	n, err := we.notifications.FindNotificationByID(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestWebhookDelivery runs a match through to the member's webhook: one
// signed POST, which a receiver verifies, however often the job runs.
func TestWebhookDelivery(t *testing.T) {
	r := newReceiver(t, http.StatusNoContent)
	we := setupWebhooks(t, r)
	kitchenM, kitchen := we.member(t, "Chapeltown Kitchen", "LS7 3AA")
	_, printers := we.member(t, "Leeds Print Workers", "LS9 8AB")
	we.register(t, kitchen, kitchenM.ID, r, marketplace.NotifyMatchNew)
	need := we.publish(t, kitchen, leafletNeed())
	offer := we.publish(t, printers, leafletOffer("LS9 8AB", 50))
	we.startWorkers(t)

	got := r.wait(t, 1)
	d := got[0]
	if !d.verified {
		t.Fatalf("the receiver could not verify the signature: %v", d.header)
	}
	var secret string
	r.mu.Lock()
	secret = r.secret
	r.mu.Unlock()
	if err := workers.VerifyWebhook(secret, d.header, d.body, time.Now(), 5*time.Minute); err != nil {
		t.Errorf("VerifyWebhook: %v", err)
	}
	if err := workers.VerifyWebhook(secret, d.header, append([]byte(" "), d.body...), time.Now(), 5*time.Minute); err == nil {
		t.Error("VerifyWebhook accepts a body that was changed")
	}
	if err := workers.VerifyWebhook(secret, d.header, d.body, time.Now().Add(time.Hour), 5*time.Minute); err == nil {
		t.Error("VerifyWebhook accepts a delivery an hour old")
	}
	if ct := d.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	var p map[string]any
	if err := json.Unmarshal(d.body, &p); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"id", "type", "created_at", "subject", "text", "link", "data"} {
		if _, ok := p[field]; !ok {
			t.Errorf("the payload lacks %q: %s", field, d.body)
		}
	}
	matchID := marketplace.MatchID(offer.ID, need.ID)
	data, _ := p["data"].(map[string]any)
	if p["type"] != marketplace.NotifyMatchNew || data["match_id"] != matchID || p["id"] != d.header.Get("Marketplace-Webhook-Id") {
		t.Errorf("payload %s; want a match.new about %s, its id in the header", d.body, matchID)
	}
	id, _ := p["id"].(string)

	// The delivery job again: nothing more is sent.
	if err := we.queue.EnqueueDelivery(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	waitForIdleQueues(t, we.env)
	if n := len(r.deliveries()); n != 1 {
		t.Fatalf("the receiver got %d deliveries; want 1", n)
	}
	if n := we.status(t, id); n.Status != marketplace.NotificationSent {
		t.Fatalf("notification %s: %s", id, n.Status)
	}
}

// TestWebhookRetriedThenFailed delivers to a receiver that keeps failing:
// the job is retried with backoff, other work goes on meanwhile, and the
// last attempt records the notification as failed.
func TestWebhookRetriedThenFailed(t *testing.T) {
	down := newReceiver(t, http.StatusServiceUnavailable)
	up := newReceiver(t, http.StatusOK)
	we := setupWebhooks(t, down) // one test CA signs both receivers' certificates
	aM, a := we.member(t, "Chapeltown Kitchen", "LS7 3AA")
	bM, b := we.member(t, "Leeds Print Workers", "LS9 8AB")
	we.register(t, a, aM.ID, down)
	we.register(t, b, bM.ID, up)
	we.startWorkers(t)

	failing := we.webhookNotification(t, aM.ID, "match:1")
	insp := asynq.NewInspector(we.redis.Opt())
	defer insp.Close()
	taskID := workers.TypeNotifyDeliver + ":" + failing.ID
	waitForTask := func(state asynq.TaskState) bool {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			info, err := insp.GetTaskInfo(workers.QueueDefault, taskID)
			if errors.Is(err, asynq.ErrTaskNotFound) {
				return false // done: it succeeded, or its failure was recorded
			} else if err == nil && info.State == state {
				return true
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("task %s did not reach %s in 20s", taskID, state)
		return false
	}
	if !waitForTask(asynq.TaskStateRetry) {
		t.Fatal("the failed delivery is not waiting for a retry")
	}
	if st := we.status(t, failing.ID).Status; st != marketplace.NotificationPending {
		t.Fatalf("after a failed attempt the notification is %s; want pending", st)
	}

	// Other work goes on while it waits.
	fine := we.webhookNotification(t, bM.ID, "match:2")
	up.wait(t, 1)
	waitForTask(asynq.TaskStateRetry)

	// Retry now rather than after the backoff, until the last attempt.
	for runs := 1; ; runs++ {
		if runs > 20 {
			t.Fatal("the delivery was retried more than 20 times")
		}
		if err := insp.RunTask(workers.QueueDefault, taskID); err != nil {
			t.Fatalf("run the retry: %v", err)
		}
		if !waitForTask(asynq.TaskStateRetry) {
			break
		}
	}
	n := we.status(t, failing.ID)
	if n.Status != marketplace.NotificationFailed || !strings.Contains(n.Error, "503") {
		t.Fatalf("after the last attempt: %s %q; want failed with the receiver's 503", n.Status, n.Error)
	}
	// NewNotifyDeliverTask allows 12 retries: 13 attempts in all.
	if got := len(down.deliveries()); got != 13 {
		t.Fatalf("the failing receiver got %d attempts; want 13", got)
	}
	if st := we.status(t, fine.ID).Status; st != marketplace.NotificationSent {
		t.Fatalf("the other member's notification is %s; want sent", st)
	}
	// The metrics count each attempt: the last one failed for good.
	for result, want := range map[string]float64{workers.DeliverySent: 1, workers.DeliveryRetried: 12, workers.DeliveryFailed: 1} {
		if got := deliveries(t, we.app.Registry, "webhook", result); got != want {
			t.Errorf("webhook deliveries %s: %v; want %v", result, got, want)
		}
	}
}

// deliveries returns the count of deliveries on channel with result.
func deliveries(t *testing.T, reg prometheus.Gatherer, channel, result string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "marketplace_deliveries_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["channel"] == channel && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no series of marketplace_deliveries_total{channel=%q,result=%q}", channel, result)
	return 0
}

// TestWebhookRefused: a 4xx other than 408 and 429 is recorded as failed at
// once, without retries.
func TestWebhookRefused(t *testing.T) {
	gone := newReceiver(t, http.StatusGone)
	we := setupWebhooks(t, gone)
	aM, a := we.member(t, "Chapeltown Kitchen", "LS7 3AA")
	we.register(t, a, aM.ID, gone)
	we.startWorkers(t)
	n := we.webhookNotification(t, aM.ID, "match:1")
	waitForIdleQueues(t, we.env)
	got := we.status(t, n.ID)
	if got.Status != marketplace.NotificationFailed || !strings.Contains(got.Error, "410") || len(gone.deliveries()) != 1 {
		t.Fatalf("after a 410: %s %q, %d attempts; want failed after one", got.Status, got.Error, len(gone.deliveries()))
	}
}

// TestWebhookPrivateAddresses: a URL whose host is or resolves to an
// address that is not public is refused when it is registered and again
// when a notification is delivered, so that a name that resolves
// differently later does not reach inside.
func TestWebhookPrivateAddresses(t *testing.T) {
	inside := newReceiver(t, http.StatusOK)
	we := setupWebhooks(t, inside)
	var mu sync.Mutex
	lookups := map[string]int{}
	strict := &workers.WebhookSender{Targets: we.targets, Timeout: 5 * time.Second,
		TLSConfig: inside.Client().Transport.(*http.Transport).TLSClientConfig,
		LookupIP: func(ctx context.Context, host string) ([]netip.Addr, error) {
			mu.Lock()
			defer mu.Unlock()
			lookups[host]++
			switch host {
			case "hooks.public.example":
				return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
			case "hooks.mixed.example":
				return []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.1.2.3")}, nil
			case "example.com":
				// Public when the webhook is registered, this machine
				// afterwards (DNS rebinding).
				if lookups[host] == 1 {
					return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
				}
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			case "localhost":
				return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}, nil
			}
			return nil, errors.New("no such host")
		}}
	we.service.Webhooks, we.service.WebhookURLs = strict, strict
	ctx := context.Background()
	m, owner := we.member(t, "Chapeltown Kitchen", "LS7 3AA")
	port := inside.URL[strings.LastIndex(inside.URL, ":"):]

	t.Run("AtRegistration", func(t *testing.T) {
		for _, u := range []string{
			inside.URL, "https://localhost/hooks", "https://10.0.0.7/hooks", "https://[::1]/hooks",
			"https://169.254.169.254/latest/meta-data", "https://100.64.1.1/hooks", "https://[fd00::1]/hooks",
			"https://[::ffff:192.168.1.1]/hooks", "https://0.0.0.0/hooks", "https://hooks.mixed.example/hooks",
			"https://no-such-host.example/hooks", "http://hooks.public.example/hooks",
		} {
			_, err := we.service.SetWebhookTarget(owner, m.ID, marketplace.WebhookInput{URL: u})
			if marketplace.ErrorCode(err) != marketplace.EINVALID {
				t.Errorf("registering %s: %v; want invalid", u, err)
			} else if f := marketplace.ErrorFields(err); len(f) != 1 || f[0].Field != "url" {
				t.Errorf("registering %s: fields %v; want url", u, f)
			}
		}
		if _, err := we.service.FindWebhookTarget(owner, m.ID); marketplace.ErrorCode(err) != marketplace.ENOTFOUND {
			t.Fatalf("a refused URL was kept: %v", err)
		}
		if _, err := we.service.SetWebhookTarget(owner, m.ID, marketplace.WebhookInput{URL: "https://hooks.public.example/hooks"}); err != nil {
			t.Fatalf("a public host: %v", err)
		}
	})

	t.Run("AtDelivery", func(t *testing.T) {
		// Registered while the name was public; it now resolves here.
		target, err := we.service.SetWebhookTarget(owner, m.ID, marketplace.WebhookInput{URL: "https://example.com" + port + "/hooks", RotateSecret: true})
		if err != nil {
			t.Fatal(err)
		}
		inside.setSecret(target.Secret)
		n := we.webhookNotification(t, m.ID, "match:rebound")
		if err := we.service.DeliverNotification(ctx, n.ID, false); err != nil {
			t.Fatal(err)
		}
		got := we.status(t, n.ID)
		if got.Status != marketplace.NotificationFailed || !strings.Contains(got.Error, "not a public address") {
			t.Fatalf("delivering to a name that now resolves to 127.0.0.1: %s %q; want failed, refused", got.Status, got.Error)
		}

		// And an address written to the store directly.
		if err := we.targets.SaveWebhookTarget(ctx, &marketplace.WebhookTarget{MemberID: m.ID, URL: inside.URL + "/hooks",
			Types: []string{}, Secret: target.Secret, Created: time.Now()}); err != nil {
			t.Fatal(err)
		}
		n = we.webhookNotification(t, m.ID, "match:loopback")
		if err := we.service.DeliverNotification(ctx, n.ID, false); err != nil {
			t.Fatal(err)
		}
		if got := we.status(t, n.ID); got.Status != marketplace.NotificationFailed || !strings.Contains(got.Error, "not a public address") {
			t.Fatalf("delivering to 127.0.0.1: %s %q; want failed, refused", got.Status, got.Error)
		}
		if n := len(inside.deliveries()); n != 0 {
			t.Fatalf("the receiver inside got %d deliveries; want none", n)
		}
	})
}

func TestIsPublicAddress(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14":        true,
		"8.8.8.8":              true,
		"2606:4700:4700::1111": true,
		"127.0.0.1":            false,
		"127.8.9.10":           false,
		"10.0.0.1":             false,
		"172.16.5.4":           false,
		"172.32.0.1":           true,
		"192.168.1.1":          false,
		"169.254.169.254":      false,
		"100.64.0.1":           false,
		"100.127.255.254":      false,
		"100.128.0.1":          true,
		"0.0.0.0":              false,
		"0.1.2.3":              false,
		"224.0.0.1":            false,
		"239.255.255.250":      false,
		"255.255.255.255":      false,
		"240.0.0.1":            false,
		"192.0.2.1":            false,
		"198.18.0.1":           false,
		"::":                   false,
		"::1":                  false,
		"fe80::1":              false,
		"fd12:3456::1":         false,
		"fc00::1":              false,
		"ff02::1":              false,
		"::ffff:127.0.0.1":     false,
		"::ffff:10.0.0.1":      false,
		"::ffff:8.8.8.8":       false,
		"::ffff:0:808:808":     false,
		"::ffff:0:7f00:1":      false,
		"2001:2::1":            false,
		"2001:20::1":           false,
		"3fff::1":              false,
		"64:ff9b::a00:1":       false,
		"2002:a00:1::1":        false,
		"2001:db8::1":          false,
	} {
		if got := workers.IsPublicAddress(netip.MustParseAddr(addr)); got != want {
			t.Errorf("IsPublicAddress(%s) = %v; want %v", addr, got, want)
		}
	}
}

func ExampleWebhookSignature() {
	body := []byte(`{"id":"match:1~member:2~webhook","type":"match.new"}`)
	fmt.Println("v1=" + workers.WebhookSignature("whsec_example", "1795770000", body))
	// Output: v1=9644946a8fb44723ea669ed5e4b0fbb134d994b216b4fec468ae1c8e85644e8b
}
