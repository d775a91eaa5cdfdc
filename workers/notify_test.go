package workers_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"cooptrade/cmd/marketplace/app/apptest"
	"cooptrade/marketplace"
	"cooptrade/marketplace/mongo"
	"cooptrade/workers"
	"cooptrade/workers/mail/mailtest"
)

// notifyEnv is matching plus notifications, delivered by e-mail to an SMTP
// server in the test process.
type notifyEnv struct {
	*matchEnv
	smtp          *mailtest.Server
	notifications *mongo.NotificationStore
}

func setupNotify(tb testing.TB) *notifyEnv {
	return setupNotifyWith(tb, apptest.Options{})
}

// setupNotifyWith is setupNotify with more options; the mail settings are
// its own.
func setupNotifyWith(tb testing.TB, opt apptest.Options) *notifyEnv {
	tb.Helper()
	smtp := mailtest.NewServer(tb)
	env := map[string]string{"SMTP_URL": smtp.URL, "MAIL_FROM": "Co-op Marketplace <matches@federation.example>"}
	for k, v := range opt.Env {
		env[k] = v
	}
	opt.Env = env
	me := setupMatchingWith(tb, opt)
	return &notifyEnv{matchEnv: me, smtp: smtp, notifications: me.app.Stores.Notifications}
}

// owner adds an owner user to a member.
func (ne *notifyEnv) owner(tb testing.TB, memberID, email string) *marketplace.User {
	tb.Helper()
	u, err := ne.service.AddUser(ne.staff, memberID, marketplace.NewUser{Email: email, Password: "a long password 1", Role: marketplace.RoleOwner})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func recipients(msgs []mailtest.Message) []string {
	var to []string
	for _, m := range msgs {
		to = append(to, strings.Join(m.To, ","))
	}
	sort.Strings(to)
	return to
}

// TestMatchNotificationsExactlyOnce runs matching and notification through
// the real workers, Redis, FerretDB and an SMTP server: each side of the new
// match gets one e-mail and one inbox item, even when every job runs twice
// and when a job dies between storing its notifications and enqueuing them.
func TestMatchNotificationsExactlyOnce(t *testing.T) {
	ne := setupNotify(t)
	ctx := context.Background()
	kitchenM, kitchen := ne.member(t, "Chapeltown Kitchen", "LS7 3AA")
	printM, printers := ne.member(t, "Leeds Print Workers", "LS9 8AB")
	ne.owner(t, kitchenM.ID, "sam@kitchen.example")
	ne.owner(t, printM.ID, "jo@print.example")
	need := ne.publish(t, kitchen, leafletNeed())
	offer := ne.publish(t, printers, leafletOffer("LS9 8AB", 50))

	// The first notice job dies after storing the notifications but
	// before they are enqueued: the queue is unreachable.
	if err := ne.service.MatchListing(ctx, need.ID, need.Version); err != nil {
		t.Fatal(err)
	}
	matchID := marketplace.MatchID(offer.ID, need.ID)
	broken := workers.NewQueue(ne.redis.Opt())
	broken.Close()
	ne.service.Queue = broken
	if err := ne.service.NotifyMatch(ctx, matchID); err == nil {
		t.Fatal("notifying with the queue down reported success")
	}
	ne.service.Queue = ne.queue
	if len(ne.smtp.Messages()) != 0 {
		t.Fatal("mail was sent although delivery was never enqueued")
	}

	// Restart: the workers reconcile at start, every job twice over.
	w := ne.workers(workers.Config{Concurrency: 4, ReconcileGrace: time.Nanosecond})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = ne.service.MatchListing(ctx, offer.ID, offer.Version)
			_ = ne.service.NotifyMatch(ctx, matchID)
			_, _ = w.Reconcile(ctx, time.Now().Add(time.Minute))
		}()
	}
	wg.Wait()

	ne.smtp.Wait(t, 2, 20*time.Second)
	waitForIdleQueues(t, ne.env)
	got := ne.smtp.Messages()
	if diff := cmp.Diff([]string{"jo@print.example", "sam@kitchen.example"}, recipients(got)); diff != "" {
		t.Fatalf("mail recipients (-want +got):\n%s", diff)
	}
	for _, m := range got {
		if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(m.Header.Get("List-Unsubscribe"), "/unsubscribe?token=") {
			t.Errorf("mail to %v lacks one-click unsubscribe headers: %v", m.To, m.Header)
		}
		if m.Text == "" || m.HTML == "" || !strings.Contains(m.Text, "Why they fit") {
			t.Errorf("mail to %v lacks its parts: text %q", m.To, m.Text)
		}
	}
	for _, side := range []context.Context{kitchen, printers} {
		items, _, err := ne.service.FindInbox(side, false, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Data["match_id"] != matchID {
			t.Fatalf("inbox of %s: %+v; want one item about the match", marketplace.UserFromContext(side).MemberID, items)
		}
	}
	m, err := ne.matches.FindMatchByID(ctx, matchID)
	if err != nil || m.NotifiedAt == nil {
		t.Fatalf("match after notifying: %+v, %v", m, err)
	}
}

// waitForIdleQueues waits until no task is waiting, running or due for a
// retry, so that whatever the jobs were going to send has been sent.
func waitForIdleQueues(tb testing.TB, e *env) {
	tb.Helper()
	insp := asynq.NewInspector(e.redis.Opt())
	defer insp.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		busy := 0
		for _, q := range []string{workers.QueueCritical, workers.QueueIndex, workers.QueueDefault, workers.QueueLow} {
			info, err := insp.GetQueueInfo(q)
			if err != nil {
				continue // a queue that never had a task
			}
			busy += info.Pending + info.Active + info.Retry + info.Scheduled
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("queues still busy after 30s (%d tasks)", busy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestUnsubscribe(t *testing.T) {
	ne := setupNotify(t)
	ctx := context.Background()
	m, _ := ne.member(t, "Chapeltown Kitchen", "LS7 3AA")
	u := ne.owner(t, m.ID, "sam@kitchen.example")
	token := marketplace.UnsubscribeToken(ne.service.Secret, u.ID, "type:"+marketplace.NotifyMatchNew)

	if _, err := ne.service.Unsubscribe(ctx, token+"x"); marketplace.ErrorCode(err) != marketplace.EINVALID {
		t.Fatalf("a mangled token: %v; want invalid", err)
	}
	forged := marketplace.UnsubscribeToken([]byte("another secret"), u.ID, "type:"+marketplace.NotifyMatchNew)
	if _, err := ne.service.Unsubscribe(ctx, forged); marketplace.ErrorCode(err) != marketplace.EINVALID {
		t.Fatalf("a forged token: %v; want invalid", err)
	}
	if _, err := ne.service.Unsubscribe(ctx, token); err != nil {
		t.Fatal(err)
	}
	prefs, err := ne.service.MyPreferences(marketplace.NewContextWithUser(ctx, u))
	if err != nil {
		t.Fatal(err)
	}
	if prefs[marketplace.NotifyMatchNew][marketplace.ChannelEmail] {
		t.Fatal("still subscribed to match e-mails after unsubscribing")
	}
	if !prefs[marketplace.NotifyMatchNew][marketplace.ChannelInbox] || !prefs[marketplace.NotifyAlert][marketplace.ChannelEmail] {
		t.Fatalf("unsubscribing changed other preferences: %v", prefs)
	}
}
