package workers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cooptrade/marketplace"
	"cooptrade/workers"
)

// BenchmarkNotificationThroughput measures how many e-mail notifications a
// second the workers deliver end to end: claimed in FerretDB, sent over SMTP
// to a server in the process, recorded as sent, with the jobs on a real
// redis-server. It reports notifications per second.
func BenchmarkNotificationThroughput(b *testing.B) {
	ne := setupNotify(b)
	ctx := context.Background()
	w := ne.workers(workers.Config{Concurrency: 8})
	if err := w.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer w.Shutdown()
	const batch = 200
	sent := 0
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		// Notifications come from many jobs at once (a match tells both
		// sides, an alert many people): four producers store and enqueue.
		var wg sync.WaitGroup
		for p := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := p; j < batch; j += 4 {
					n := &marketplace.Notification{
						ID:   marketplace.NotificationKey(fmt.Sprintf("bench:%d:%d", i, j), "user:u", marketplace.ChannelEmail),
						Type: marketplace.NotifyMatchNew, Channel: marketplace.ChannelEmail, To: "owner@example.coop",
						Subject: "A supplier for your need", Text: "Hello", HTML: "<p>Hello</p>",
						Status: marketplace.NotificationPending, CreatedAt: time.Now().UTC(),
					}
					if _, err := ne.notifications.CreateNotification(ctx, n); err != nil {
						b.Error(err)
						return
					}
					if err := ne.queue.EnqueueDelivery(ctx, n.ID); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		sent += batch
		ne.smtp.Wait(b, sent, 5*time.Minute)
	}
	b.StopTimer()
	b.ReportMetric(float64(sent)/time.Since(start).Seconds(), "notifications/s")
	b.ReportMetric(0, "ns/op")
}
