package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"time"

	"github.com/hibiken/asynq"

	"cooptrade/marketplace"
	wmail "cooptrade/workers/mail"
)

// TypeNotifyDeliver is the task that delivers one stored notification by
// e-mail or webhook.
const TypeNotifyDeliver = "notify:deliver"

var _ marketplace.DeliveryQueue = (*Queue)(nil)

// DeliveryPayload names a notification.
type DeliveryPayload struct {
	NotificationID string `json:"notification_id"`
}

// NewNotifyDeliverTask returns the task that delivers a notification,
// unique per notification while it waits. It is retried with backoff for
// about a day before the notification is recorded as failed.
func NewNotifyDeliverTask(notificationID string) (*asynq.Task, error) {
	payload, err := json.Marshal(DeliveryPayload{NotificationID: notificationID})
	if err != nil {
		return nil, err
	}
	return asynq.NewTask(TypeNotifyDeliver, payload, asynq.TaskID(TypeNotifyDeliver+":"+notificationID),
		asynq.Queue(QueueDefault), asynq.MaxRetry(12), asynq.Timeout(time.Minute)), nil
}

// EnqueueDelivery implements marketplace.DeliveryQueue.
func (q *Queue) EnqueueDelivery(ctx context.Context, notificationID string) error {
	t, err := NewNotifyDeliverTask(notificationID)
	if err != nil {
		return err
	}
	return q.Enqueue(ctx, t)
}

// HandleNotifyDeliver handles TypeNotifyDeliver. On the last retry a
// failure is recorded rather than returned.
func (w *Workers) HandleNotifyDeliver(ctx context.Context, t *asynq.Task) error {
	var p DeliveryPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.NotificationID == "" {
		return fmt.Errorf("workers: bad %s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	final := ok && retried >= maxRetry
	return skipRetryWhenPointless(w.service.DeliverNotification(ctx, p.NotificationID, final))
}

// Mailer sends the marketplace's e-mail through a workers/mail Sender.
type Mailer struct {
	Sender wmail.Sender
	From   mail.Address
	// Metrics counts the deliveries (nil: not counted).
	Metrics *DeliveryMetrics
}

var _ marketplace.Mailer = (*Mailer)(nil)

// SendMail implements marketplace.Mailer. A refusal the server says is
// permanent becomes EINVALID, so the delivery is not retried.
func (m *Mailer) SendMail(ctx context.Context, msg marketplace.Mail) (err error) {
	defer func() { m.Metrics.observe(ctx, "mail", err) }()
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return marketplace.Errorf(marketplace.EINVALID, "%q is not an e-mail address.", msg.To)
	}
	out := wmail.Message{ID: msg.Key, From: m.From, To: []mail.Address{*to}, Subject: msg.Subject, Text: msg.Text,
		HTML: wmail.HTMLDocument(msg.Lang, msg.Subject, msg.HTML), Headers: wmail.LanguageHeaders(msg.Lang)}
	if msg.ReplyTo != "" {
		replyTo, err := mail.ParseAddress(msg.ReplyTo)
		if err != nil {
			return marketplace.Errorf(marketplace.EINVALID, "%q is not an e-mail address.", msg.ReplyTo)
		}
		out.ReplyTo = []mail.Address{*replyTo}
	}
	if msg.Unsubscribe != "" {
		// RFC 8058 one-click unsubscribe: a POST to the same link.
		if out.Headers == nil {
			out.Headers = map[string]string{}
		}
		out.Headers["List-Unsubscribe"] = "<" + msg.Unsubscribe + ">"
		out.Headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	if err := m.Sender.Send(ctx, out); err != nil {
		if wmail.IsPermanent(err) {
			return marketplace.Errorf(marketplace.EINVALID, "The mail server refused the message: %v", err)
		}
		return err
	}
	return nil
}
