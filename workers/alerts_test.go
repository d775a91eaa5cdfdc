package workers_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"cooptrade/cmd/marketplace/app"
	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/workers"
	"cooptrade/workers/mail/mailtest"
)

// testClock is a clock a test moves; the service and the workers read it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// alertEnv is the whole pipeline of saved searches on real servers:
// FerretDB, redis-server with the real workers, the embedded search engine,
// an SMTP server that captures mail, and the HTTP API (for unsubscribing),
// all on a clock the test moves.
type alertEnv struct {
	*notifyEnv
	clock *testClock
	// The member whose user saves searches, and the printers who post.
	kitchen, printers             context.Context
	kitchenMember, printersMember *marketplace.Member
	sam                           *marketplace.User
	samCtx                        context.Context
}

func setupAlerts(tb testing.TB, start time.Time) *alertEnv {
	tb.Helper()
	clock := &testClock{now: start}
	// Served, so that the links in mail are followed as people follow
	// them.
	ne := setupNotifyWith(tb, apptest.Options{Serve: true, Knobs: app.Knobs{Now: clock.Now}})
	ae := &alertEnv{notifyEnv: ne, clock: clock}

	ae.kitchenMember, ae.kitchen = ne.member(tb, "Chapeltown Kitchen", "LS7 3AA")
	ae.printersMember, ae.printers = ne.member(tb, "Leeds Print Workers", "LS9 8AB")
	ae.sam = ne.owner(tb, ae.kitchenMember.ID, "sam@kitchen.example")
	ae.samCtx = marketplace.NewContextWithUser(context.Background(), ae.sam)

	w := ne.workers(workers.Config{Concurrency: 4, Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
	if err := w.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(w.Shutdown)
	return ae
}

// offer publishes a leaflet offer of the printers, a minute after the last
// thing the clock saw.
func (ae *alertEnv) offer(tb testing.TB, ctx context.Context, title string) *marketplace.Listing {
	tb.Helper()
	ae.clock.Add(time.Minute)
	l := leafletOffer("LS9 8AB", 50)
	l.Title = title
	return ae.publish(tb, ctx, l)
}

// idle waits until every job has run, so that whatever was to be sent has
// been sent.
func (ae *alertEnv) idle(tb testing.TB) {
	tb.Helper()
	waitForIdleQueues(tb, ae.env)
}

// mailTo returns the mail sam got.
func (ae *alertEnv) mailToSam() []mailtest.Message {
	var out []mailtest.Message
	for _, m := range ae.smtp.Messages() {
		if strings.Join(m.To, ",") == ae.sam.Email {
			out = append(out, m)
		}
	}
	return out
}

func (ae *alertEnv) runDigests(tb testing.TB, typ string) {
	tb.Helper()
	if err := ae.queue.Enqueue(context.Background(), asynq.NewTask(typ, nil, asynq.Queue(workers.QueueLow))); err != nil {
		tb.Fatal(err)
	}
	ae.idle(tb)
}

func (ae *alertEnv) saveAlert(tb testing.TB, query string, f marketplace.AlertFrequency) *marketplace.Alert {
	tb.Helper()
	a, err := ae.service.CreateAlert(ae.samCtx, marketplace.NewAlert{Query: query, Frequency: f})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestInstantAlert(t *testing.T) {
	ae := setupAlerts(t, time.Now().UTC().Truncate(time.Second))
	ctx := context.Background()

	// Published before the alert was saved: not new to it, even when it
	// changes afterwards.
	before := ae.offer(t, ae.printers, "Leaflets printed before the alert")
	ae.idle(t)
	alert := ae.saveAlert(t, "q=leaflets&kind=offer&near=LS7+3AA&radius_km=20", marketplace.AlertInstant)
	ae.clock.Add(time.Minute)
	desc := "Now with recycled paper."
	if _, err := ae.service.UpdateListing(ae.printers, before.ID, before.Version, marketplace.ListingUpdate{Description: &desc}); err != nil {
		t.Fatal(err)
	}

	leaflets := ae.offer(t, ae.printers, "Leaflets and flyers, short runs")
	// Not a match: other words.
	ae.clock.Add(time.Minute)
	ae.publish(t, ae.printers, &marketplace.Listing{Kind: marketplace.KindOffer, Title: "Vegan catering for events",
		Category: "event-catering", Postcode: "LS9 8AB", RadiusKM: 30})
	// A match, but the kitchen's own: never alerted to its own member.
	ae.offer(t, ae.kitchen, "Leaflets from our own kitchen press")
	ae.idle(t)

	got := ae.smtp.Wait(t, 1, 20*time.Second)
	mails := ae.mailToSam()
	if len(mails) != 1 {
		for _, m := range mails {
			t.Log(m.Subject)
		}
		t.Fatalf("sam got %d mails (%v); want 1", len(mails), recipients(got))
	}
	m := mails[0]
	if !strings.Contains(m.Subject, leaflets.Title) || !strings.Contains(m.Text, "/listings/"+leaflets.ID) {
		t.Errorf("the alert does not name the listing: subject %q, text %q", m.Subject, m.Text)
	}
	unsubscribe := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(unsubscribe, "/unsubscribe?token=") ||
		!strings.Contains(m.Text, unsubscribe) || !strings.Contains(m.HTML, "unsubscribe") {
		t.Errorf("the alert lacks its unsubscribe link and headers: %v\n%s", m.Header, m.Text)
	}
	items, _, err := ae.service.FindInbox(ae.samCtx, false, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Type != marketplace.NotifyAlert || items[0].Data["listing_id"] != leaflets.ID {
		t.Fatalf("sam's inbox: %+v; want one alert about the listing", items)
	}

	t.Run("OncePerListing", func(t *testing.T) {
		// Every job again, and a new version of the listing that still
		// matches: nothing more is sent.
		if err := ae.app.Alerts.EvaluateListing(ctx, leaflets.ID, leaflets.Version); err != nil {
			t.Fatal(err)
		}
		title := "Leaflets and flyers, short and long runs"
		changed, err := ae.service.UpdateListing(ae.printers, leaflets.ID, leaflets.Version, marketplace.ListingUpdate{Title: &title})
		if err != nil {
			t.Fatal(err)
		}
		if err := ae.queue.EnqueueListingChanged(ctx, changed.ID, changed.Version); err != nil {
			t.Fatal(err)
		}
		ae.idle(t)
		if n := len(ae.mailToSam()); n != 1 {
			t.Fatalf("sam got %d mails after the jobs ran again; want still 1", n)
		}
		items, _, _ := ae.service.FindInbox(ae.samCtx, false, "", 10)
		if len(items) != 1 {
			t.Fatalf("sam's inbox has %d items; want still 1", len(items))
		}
	})

	t.Run("UnsubscribeWithoutSigningIn", func(t *testing.T) {
		res, err := http.Post(unsubscribe, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("one-click unsubscribe: %s", res.Status)
		}
		a, err := ae.service.FindAlert(ae.samCtx, alert.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Paused {
			t.Fatal("the alert is not paused after unsubscribing")
		}
		ae.offer(t, ae.printers, "Leaflets, after unsubscribing")
		ae.idle(t)
		if n := len(ae.mailToSam()); n != 1 {
			t.Fatalf("sam got %d mails; want no more after unsubscribing", n)
		}
	})
}

func TestDailyDigest(t *testing.T) {
	day := time.Now().UTC().Truncate(24 * time.Hour)
	ae := setupAlerts(t, day.Add(9*time.Hour))
	ae.saveAlert(t, "q=leaflets&near=LS&radius_km=30", marketplace.AlertDaily)

	// Twelve listings on the first day: the digest shows the newest ten
	// and counts the rest.
	var titles []string
	for i := 1; i <= 12; i++ {
		l := ae.offer(t, ae.printers, fmt.Sprintf("Leaflets, batch number %02d", i))
		titles = append(titles, l.Title)
	}
	ae.idle(t)
	if n := len(ae.mailToSam()); n != 0 {
		t.Fatalf("sam got %d mails before the digest; want none", n)
	}

	ae.clock.Set(day.Add(24*time.Hour + 7*time.Hour))
	ae.runDigests(t, workers.TypeAlertsDigestDaily)
	mails := ae.mailToSam()
	if len(mails) != 1 {
		t.Fatalf("sam got %d digests; want 1", len(mails))
	}
	m := mails[0]
	if subject := m.Subject; !strings.HasPrefix(subject, "12 new listings") {
		t.Errorf("digest subject %q; want it to count 12 new listings", subject)
	}
	last := -1
	for i := 11; i >= 2; i-- { // newest first
		pos := strings.Index(m.Text, titles[i])
		if pos < 0 || pos < last {
			t.Errorf("the digest does not list %q after the newer ones:\n%s", titles[i], m.Text)
		}
		last = pos
	}
	for _, old := range titles[:2] {
		if strings.Contains(m.Text, old) {
			t.Errorf("the digest shows %q, the 11th or 12th newest:\n%s", old, m.Text)
		}
	}
	if !strings.Contains(m.Text, "and 2 more") {
		t.Errorf("the digest does not count the two it leaves out:\n%s", m.Text)
	}
	if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(m.Header.Get("List-Unsubscribe"), "/unsubscribe?token=") {
		t.Errorf("the digest lacks one-click unsubscribe headers: %v", m.Header)
	}

	t.Run("Again", func(t *testing.T) {
		ae.runDigests(t, workers.TypeAlertsDigestDaily)
		if n := len(ae.mailToSam()); n != 1 {
			t.Fatalf("running the digest again sent %d mails in all; want still 1", n)
		}
	})
	t.Run("NothingNew", func(t *testing.T) {
		ae.clock.Set(day.Add(48*time.Hour + 7*time.Hour))
		ae.runDigests(t, workers.TypeAlertsDigestDaily)
		if n := len(ae.mailToSam()); n != 1 {
			t.Fatalf("a day with nothing new sent %d mails in all; want still 1", n)
		}
	})
	t.Run("NextDay", func(t *testing.T) {
		ae.clock.Set(day.Add(48*time.Hour + 8*time.Hour))
		fresh := ae.offer(t, ae.printers, "Leaflets on the third day")
		ae.idle(t)
		ae.clock.Set(day.Add(72*time.Hour + 7*time.Hour))
		ae.runDigests(t, workers.TypeAlertsDigestDaily)
		mails := ae.mailToSam()
		if len(mails) != 2 {
			t.Fatalf("sam got %d mails in all; want 2", len(mails))
		}
		text := mails[1].Text
		if !strings.Contains(text, fresh.Title) || strings.Contains(text, titles[11]) || !strings.HasPrefix(mails[1].Subject, "1 new listing for") {
			t.Fatalf("the third day's digest is not just the new listing: %q\n%s", mails[1].Subject, text)
		}
	})
}

func TestWeeklyDigest(t *testing.T) {
	// A Wednesday.
	monday := time.Now().UTC().Truncate(24 * time.Hour)
	for monday.Weekday() != time.Monday {
		monday = monday.Add(-24 * time.Hour)
	}
	ae := setupAlerts(t, monday.Add(2*24*time.Hour+9*time.Hour))
	ae.saveAlert(t, "q=leaflets&kind=offer", marketplace.AlertWeekly)
	first := ae.offer(t, ae.printers, "Leaflets on Wednesday")
	ae.clock.Add(24 * time.Hour)
	second := ae.offer(t, ae.printers, "Leaflets on Thursday")
	ae.idle(t)

	// The daily digest does not send weekly alerts.
	ae.clock.Set(monday.Add(4*24*time.Hour + 7*time.Hour))
	ae.runDigests(t, workers.TypeAlertsDigestDaily)
	if n := len(ae.mailToSam()); n != 0 {
		t.Fatalf("the daily digest sent %d mails for a weekly alert", n)
	}

	nextMonday := monday.Add(7 * 24 * time.Hour)
	ae.clock.Set(nextMonday.Add(7 * time.Hour))
	ae.runDigests(t, workers.TypeAlertsDigestWeekly)
	ae.runDigests(t, workers.TypeAlertsDigestWeekly) // twice: still one digest
	mails := ae.mailToSam()
	if len(mails) != 1 {
		t.Fatalf("sam got %d weekly digests; want 1", len(mails))
	}
	text := mails[0].Text
	if !strings.HasPrefix(mails[0].Subject, "2 new listings") || strings.Index(text, second.Title) > strings.Index(text, first.Title) ||
		!strings.Contains(text, first.Title) {
		t.Fatalf("the weekly digest does not list both, newest first: %q\n%s", mails[0].Subject, text)
	}

	t.Run("NothingNew", func(t *testing.T) {
		ae.clock.Set(nextMonday.Add(7*24*time.Hour + 7*time.Hour))
		ae.runDigests(t, workers.TypeAlertsDigestWeekly)
		if n := len(ae.mailToSam()); n != 1 {
			t.Fatalf("a week with nothing new sent %d mails in all; want still 1", n)
		}
	})
}

// TestAlertsCatchUp checks that evaluation lost from the queue is made up
// at the workers' next start.
func TestAlertsCatchUp(t *testing.T) {
	ae := setupAlerts(t, time.Now().UTC().Truncate(time.Second))
	ae.saveAlert(t, "q=leaflets", marketplace.AlertInstant)
	ae.idle(t) // the catch-up of the workers' start has run
	// A listing whose evaluation was lost with the queue (the embedded
	// queue forgets its tasks at a restart) after it was indexed and
	// matched, so that the reconciler has nothing to enqueue for it.
	ctx := context.Background()
	ae.clock.Add(time.Minute)
	now := ae.clock.Now()
	lost := leafletOffer("LS9 8AB", 50)
	lost.Title, lost.MemberID, lost.Status, lost.Version = "Leaflets published while the queue was down", ae.printersMember.ID, marketplace.StatusPublished, 1
	lost.CreatedAt, lost.UpdatedAt, lost.PublishedAt = now, now, &now
	lost.Normalize()
	if err := ae.listings.CreateListing(ctx, lost); err != nil {
		t.Fatal(err)
	}
	if err := ae.listings.MarkListingIndexed(ctx, lost.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := ae.listings.MarkListingMatched(ctx, lost.ID, 1); err != nil {
		t.Fatal(err)
	}
	ae.idle(t)
	if n := len(ae.mailToSam()); n != 0 {
		t.Fatalf("sam got %d mails before the catch-up", n)
	}
	// What these workers say is the test's to show when it fails.
	var said lockedBuffer
	w := ae.workers(workers.Config{Concurrency: 2, Now: ae.clock.Now, Logger: slog.New(slog.NewTextHandler(&said, nil))})
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	ae.idle(t)
	// The mail is sent by the time the queues are idle; a little longer
	// is allowed all the same, so that a failure here is one of the
	// catch-up, not of a slow machine.
	var mails []mailtest.Message
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if mails = ae.mailToSam(); len(mails) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(mails) != 1 || !strings.Contains(mails[0].Text, lost.ID) {
		t.Errorf("after the catch-up sam got %d mails; want one about the lost listing", len(mails))
		insp := asynq.NewInspector(ae.env.redis.Opt())
		defer insp.Close()
		for _, q := range []string{workers.QueueCritical, workers.QueueIndex, workers.QueueDefault, workers.QueueLow} {
			archived, _ := insp.ListArchivedTasks(q)
			for _, a := range archived {
				t.Logf("archived in %s: %s %s: %s", q, a.Type, a.Payload, a.LastErr)
			}
		}
		t.Fatalf("the workers said:\n%s", said.String())
	}
}

// lockedBuffer is a buffer that goroutines may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func ExampleNewListingAlertsTask() {
	t, err := workers.NewListingAlertsTask("6650b3a8c1a9e43d2f0a1b07", 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Type(), string(t.Payload()))
	// Output: listing:alerts {"listing_id":"6650b3a8c1a9e43d2f0a1b07","version":3}
}
