package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	dto "github.com/prometheus/client_model/go"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/mongodb/mongodbtest"
	"cooptrade/payments/stripetest"
)

// metricsApp serves the application on its own database (opened by the
// application, so that its command monitor is in place), with Stripe's
// webhook secret, as many workers as asked, and figures computed again at every scrape.
func metricsApp(t *testing.T, workers int) *apptest.App {
	t.Helper()
	return metricsAppCaching(t, workers, time.Nanosecond)
}

// metricsAppCaching is metricsApp keeping the figures that cost a scan
// for ttl.
func metricsAppCaching(t *testing.T, workers int, ttl time.Duration) *apptest.App {
	t.Helper()
	a := apptest.Open(t, apptest.Options{Serve: true, Workers: workers, Env: map[string]string{
		"MONGODB_URI":           mongodbtest.URI(t),
		"MONGODB_DATABASE":      mongodbtest.DatabaseName(),
		"METRICS_TOKEN":         "metrics-token-for-the-tests-only",
		"STRIPE_SECRET_KEY":     "sk_test_metrics",
		"STRIPE_WEBHOOK_SECRET": stripetest.WebhookSecret,
		"STRIPE_API_BASE":       "http://127.0.0.1:1", // never called: the events used need nothing from Stripe
	}, Knobs: app.Knobs{MetricsCacheTTL: ttl}})
	t.Cleanup(func() { _ = a.DB.Database.Drop(context.Background()) })
	return a
}

// metrics gathers the application's metrics: every series by its name and
// labels, as "name{k=v,…}".
func metrics(t *testing.T, a *apptest.App) map[string]float64 {
	t.Helper()
	fams, err := a.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out[key] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[key] = m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				out[key+"_count"] = float64(m.GetHistogram().GetSampleCount())
			}
			out[f.GetName()] = 1 // the family is there
		}
	}
	return out
}

// waitFor gathers the metrics until cond holds of them, for up to a
// minute: work done by the workers ends when it ends.
func waitFor(t *testing.T, a *apptest.App, what string, cond func(map[string]float64) bool) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		m := metrics(t, a)
		if cond(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never happened; the metrics:\n%s", what, dump(m, "marketplace_"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func dump(m map[string]float64, prefix string) string {
	var lines []string
	for k, v := range m {
		if strings.HasPrefix(k, prefix) && strings.Contains(k, "{") {
			lines = append(lines, fmt.Sprintf("%s %g", k, v))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestMetricsMove makes each thing happen that a metric watches, and finds
// the metric moved: a listing waiting for the workers (the outbox and the
// queues), the workers catching up, a mail sent, a Stripe event received
// and applied, database commands answered and failed, searches, a backup
// recorded.
func TestMetricsMove(t *testing.T) {
	a := metricsApp(t, 0)
	ctx := context.Background()
	staff := marketplace.NewContextWithUser(ctx, marketplace.SystemUser("test"))

	before := metrics(t, a)
	for _, name := range exported {
		if before[name] == 0 {
			t.Errorf("%s is not exported before anything happened", name)
		}
	}
	if before[`marketplace_outbox_listings{work=index}`] != 0 || before[`marketplace_backup_last_success_timestamp_seconds{}`] != 0 {
		t.Fatalf("a fresh instance has work or a backup:\n%s", dump(before, "marketplace_"))
	}

	// A published listing, with no workers to handle it, waits.
	m := &marketplace.Member{Kind: marketplace.MemberEnterprise, Name: "Calder Valley Print", Email: "hello@calder.example",
		Postcode: "HX7 8AA", Standing: marketplace.StandingActive}
	if err := a.Service.CreateMember(staff, m); err != nil {
		t.Fatal(err)
	}
	owner := marketplace.NewContextWithUser(ctx, &marketplace.User{ID: "u-" + m.ID, MemberID: m.ID, Role: marketplace.RoleOwner})
	l := &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Risograph zines and posters", Description: "Short runs on recycled paper.",
		Category: "print-runs", Postcode: "HX7 8AA", RadiusKM: 50, PriceMinPence: 5000, PriceMaxPence: 20000, PriceUnit: "job"}
	if err := a.Service.CreateListing(owner, l); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.PublishListing(owner, l.ID, l.Version); err != nil {
		t.Fatal(err)
	}
	waiting := metrics(t, a)
	for _, s := range []string{`marketplace_outbox_listings{work=index}`, `marketplace_outbox_listings{work=match}`,
		`marketplace_queue_tasks{queue=index,state=pending}`, `marketplace_queue_size{queue=index}`} {
		if waiting[s] < 1 {
			t.Errorf("%s = %v with a published listing waiting; want at least 1", s, waiting[s])
		}
	}
	for _, s := range []string{`marketplace_outbox_lag_seconds{work=index}`, `marketplace_queue_oldest_pending_seconds{queue=index}`} {
		if waiting[s] <= 0 {
			t.Errorf("%s = %v with a published listing waiting; want how long it has waited", s, waiting[s])
		}
	}

	// A Stripe event is received; nothing applies it yet.
	ev := stripetest.Event{ID: "evt_metrics_1", Type: "customer.created", Created: time.Now(),
		Object: map[string]any{"id": "cus_metrics", "object": "customer"}}
	body := ev.Payload(t)
	if _, err := a.Payments.ReceiveWebhook(ctx, body, stripetest.Sign(body)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Payments.ReceiveWebhook(ctx, body, stripetest.Sign(body)); err != nil {
		t.Fatal(err)
	}
	received := metrics(t, a)
	if got := received[`marketplace_stripe_events_total{step=received}`]; got != 1 {
		t.Errorf("received events: %v; want 1", got)
	}
	if got := received[`marketplace_stripe_events_total{step=duplicate}`]; got != 1 {
		t.Errorf("duplicate events: %v; want 1", got)
	}
	if got := received[`marketplace_stripe_events_pending{}`]; got != 1 {
		t.Errorf("pending events: %v; want 1", got)
	}
	if got := received[`marketplace_stripe_events_pending_age_seconds{}`]; got <= 0 {
		t.Errorf("the pending event's age: %v; want how long it has waited", got)
	}

	// A mail is sent (to the log: no SMTP_URL).
	if _, err := a.Service.AddStaff(ctx, "staff@federation.example", "Staff", "a long staff password"); err != nil {
		t.Fatal(err)
	}
	if err := a.Service.SendPasswordResetTo(ctx, "staff@federation.example"); err != nil {
		t.Fatal(err)
	}

	// A command the database refuses is counted as failed.
	_ = a.DB.Database.RunCommand(ctx, bson.D{{Key: "noSuchCommand", Value: 1}}).Err()

	// A search through the API.
	res, err := http.Get(a.URL() + "/v1/search?q=zines")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	// A backup made with mongodump is recorded.
	if err := a.RecordBackup(ctx); err != nil {
		t.Fatal(err)
	}

	// The workers start, and catch up.
	a.WorkerConcurrency = 1
	if err := a.StartWorkers(ctx); err != nil {
		t.Fatal(err)
	}
	after := waitFor(t, a, "the workers catch up", func(m map[string]float64) bool {
		return m[`marketplace_outbox_listings{work=index}`] == 0 && m[`marketplace_outbox_listings{work=match}`] == 0 &&
			m[`marketplace_stripe_events_pending{}`] == 0 && m[`marketplace_queue_tasks{queue=index,state=pending}`] == 0
	})
	for s, want := range map[string]float64{
		`marketplace_outbox_lag_seconds{work=index}`:             0,
		`marketplace_stripe_events_pending_age_seconds{}`:        0,
		`marketplace_stripe_events_total{step=applied}`:          1,
		`marketplace_deliveries_total{channel=mail,result=sent}`: 1,
	} {
		if after[s] != want {
			t.Errorf("%s = %v; want %v", s, after[s], want)
		}
	}
	for _, s := range []string{`marketplace_db_command_duration_seconds{command=find}_count`, `marketplace_db_command_duration_seconds{command=insert}_count`,
		`marketplace_search_duration_seconds{operation=search}_count`, `marketplace_search_duration_seconds{operation=upsert}_count`} {
		if after[s] <= before[s] {
			t.Errorf("%s did not move: %v, then %v", s, before[s], after[s])
		}
	}
	if after[`marketplace_db_command_errors_total{command=other}`] < 1 {
		t.Errorf("the refused command was not counted:\n%s", dump(after, "marketplace_db_command_errors"))
	}
	if at := after[`marketplace_backup_last_success_timestamp_seconds{}`]; at < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("last backup at %v, after one was recorded", at)
	}

	// The search engine fails (its index closed under it): counted.
	if err := a.Search.Close(); err != nil {
		t.Fatal(err)
	}
	res, err = http.Get(a.URL() + "/v1/search?q=zines")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := metrics(t, a)[`marketplace_search_errors_total{operation=search}`]; got != 1 {
		t.Errorf("search errors after a search on a closed index (answered %s): %v; want 1", res.Status, got)
	}
}

// exported are the metric families every instance exports from the start,
// whatever has happened (histograms appear once observed).
var exported = []string{
	"marketplace_queue_tasks", "marketplace_queue_size", "marketplace_queue_oldest_pending_seconds", "marketplace_queue_up",
	"marketplace_outbox_listings", "marketplace_outbox_lag_seconds",
	"marketplace_deliveries_total",
	"marketplace_stripe_events_total", "marketplace_stripe_events_pending", "marketplace_stripe_events_pending_age_seconds",
	"marketplace_db_command_duration_seconds", "marketplace_search_duration_seconds", "marketplace_search_errors_total",
	"marketplace_backup_last_success_timestamp_seconds",
}

// TestAlertsAndDashboardUseExportedMetrics reads every metric name in the
// alert rules and the dashboard and finds each among those the service
// exports, so that neither watches a series that never exists.
func TestAlertsAndDashboardUseExportedMetrics(t *testing.T) {
	a := metricsApp(t, 1)
	// Some series are exported once something happened: make a database
	// command fail and a request be served.
	_ = a.DB.Database.RunCommand(context.Background(), bson.D{{Key: "noSuchCommand", Value: 1}}).Err()
	res, err := http.Get(a.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	have := metrics(t, a)
	known := func(name string) bool {
		for _, suffix := range []string{"", "_bucket", "_count", "_sum"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && have[base] != 0 {
				return true
			}
		}
		return false
	}
	name := regexp.MustCompile(`\b(?:marketplace|process|go)_[a-z0-9_]+`)
	for _, file := range []string{"deploy/prometheus/alerts.yml", "deploy/grafana/marketplace.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "..", file))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(file, ".json") && !json.Valid(raw) {
			t.Errorf("%s is not JSON", file)
		}
		names := name.FindAllString(string(raw), -1)
		if len(names) == 0 {
			t.Errorf("%s names no metric", file)
		}
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			if !known(n) {
				t.Errorf("%s uses %s, which the service does not export", file, n)
			}
		}
	}
}

// TestWorkerMetrics: a worker process serves its metrics on METRICS_ADDR,
// to the bearer of METRICS_TOKEN only.
func TestWorkerMetrics(t *testing.T) {
	a := apptest.Open(t, apptest.Options{Workers: 1, Env: map[string]string{
		"METRICS_ADDR":  "127.0.0.1:0",
		"METRICS_TOKEN": "metrics-token-for-the-tests-only",
	}})
	if err := a.ServeWorkerMetrics(); err != nil {
		t.Fatal(err)
	}
	url := "http://" + a.MetricsAddr() + "/metrics"
	for token, want := range map[string]int{"": 401, "wrong-token-of-the-right-length": 401, "metrics-token-for-the-tests-only": 200} {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET /metrics with token %q: %d; want %d", token, res.StatusCode, want)
		}
		if want == 200 && !strings.Contains(string(body), "marketplace_deliveries_total") {
			t.Errorf("the worker's metrics lack its deliveries:\n%.500s", body)
		}
	}
}

// TestMetricsScansAreKept: the figures that cost a scan of a collection
// are computed once per MetricsCacheTTL, however often Prometheus scrapes:
// scrapes within it send no query to the database.
func TestMetricsScansAreKept(t *testing.T) {
	a := metricsAppCaching(t, 0, time.Hour)
	finds := func() float64 {
		return metrics(t, a)[`marketplace_db_command_duration_seconds{command=find}_count`]
	}
	// The first scrape computes the figures (the outbox, the events, the
	// backup); its own counts may be read before those queries end, as a
	// registry collects in parallel: the second sees them.
	finds()
	first := finds()
	for range 3 {
		if got := finds(); got != first {
			t.Fatalf("a scrape within the cache's life sent %v find commands", got-first)
		}
	}
}
