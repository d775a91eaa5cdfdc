package app

import (
	"context"
	"fmt"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"cooptrade/marketplace"
	"cooptrade/payments"
	paymongo "cooptrade/payments/mongo"
	"cooptrade/workers"
	"cooptrade/workers/mail"
)

// openPayments builds the members' dues on the database and the queue,
// with Stripe when STRIPE_SECRET_KEY is set; without it, what needs
// Stripe answers 503 and the rest works.
func (m *Main) openPayments(ctx context.Context) error {
	stores := m.PaymentStores
	if stores == nil {
		var err error
		if stores, err = paymongo.Open(ctx, m.DB); err != nil {
			return err
		}
	}
	p := &payments.Service{
		Market:       m.Service,
		Accounts:     stores.Accounts,
		Applications: stores.Applications,
		Events:       stores.Events,
		Objects:      stores.Objects,
		Jobs:         paymentJobs{m.Queue},
		Mailer:       paymentMailer{m.mailSender},
		Policy:       m.Config.Dues,
		GracePeriod:  m.Config.DuesGracePeriod,
		RemindBefore: m.Config.DuesRemindBefore,
		BaseURL:      m.Config.BaseURL,
		Logger:       m.Logger.With("component", "payments"),
		Now:          m.clock.Now,
		Observe:      func(step string) { m.metrics.stripeEvents.WithLabelValues(step).Inc() },
	}
	if key := m.Config.StripeSecretKey; key != "" {
		p.Stripe = payments.NewStripeClient(key, m.Config.StripeAPIBase)
		p.WebhookSecret = m.Config.StripeWebhook
		p.Livemode = payments.IsLiveKey(key)
		m.Logger.Info("payments: Stripe", "livemode", p.Livemode, "api_base", m.Config.StripeAPIBase)
	} else {
		m.Logger.Warn("payments: Stripe is not set up (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET): Checkout, the Billing Portal and the webhook answer 503; applications, waivers and offline payments work")
	}
	if m.Knobs.DuesNow != nil {
		p.Now = m.Knobs.DuesNow
	} else if m.Knobs.Now != nil {
		p.Now = m.Knobs.Now
	}
	m.Payments, m.PaymentStores = p, stores
	return nil
}

// AdvancePaymentsClock moves the clock the dues see by d: a grace period or
// a waiver can then end in a test without waiting for it.
func (m *Main) AdvancePaymentsClock(d time.Duration) {
	m.clock.offset.Add(int64(d))
}

// offsetClock is the real time moved on by an offset; its zero value is the
// real time.
type offsetClock struct {
	offset atomic.Int64
}

func (c *offsetClock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// paymentJobs queues payments' jobs on the workers' queue.
type paymentJobs struct{ q *workers.Queue }

func (j paymentJobs) Enqueue(ctx context.Context, jobType string, payload []byte, queue, id string) error {
	return j.q.EnqueueJob(ctx, workers.Job{Type: jobType, Payload: payload, Queue: queue, ID: id})
}

// paymentMailer sends payments' reminders with the service's mail sender.
type paymentMailer struct{ s mail.Sender }

func (p paymentMailer) SendMail(ctx context.Context, to []string, w marketplace.Written) error {
	msg := mail.Message{Subject: w.Subject, Text: w.Text, HTML: mail.HTMLDocument(w.Lang, w.Subject, w.HTML),
		Headers: mail.LanguageHeaders(w.Lang)}
	for _, a := range to {
		msg.To = append(msg.To, netmail.Address{Address: a})
	}
	return p.s.Send(ctx, msg)
}

// parseDues reads the dues settings, reporting each bad one through bad.
func parseDues(env func(name, def string) string, bad func(name, format string, args ...any)) (policy payments.DuesPolicy, grace, remind time.Duration) {
	var err error
	if policy.RateBasisPoints, err = parseBasisPoints(env("DUES_RATE_PERCENT", "0.1")); err != nil || policy.RateBasisPoints == 0 {
		bad("DUES_RATE_PERCENT", "%q is not a percentage above 0 with at most two decimals (e.g. 0.1)", env("DUES_RATE_PERCENT", ""))
	}
	if policy.MinimumPence, err = parsePounds(env("DUES_MINIMUM_GBP", "150")); err != nil || policy.MinimumPence == 0 {
		bad("DUES_MINIMUM_GBP", "%q is not an amount of pounds above 0 (e.g. 150 or 150.00)", env("DUES_MINIMUM_GBP", ""))
	}
	if policy.VATBasisPoints, err = parseBasisPoints(env("DUES_VAT_PERCENT", "20")); err != nil || policy.VATBasisPoints == 0 {
		bad("DUES_VAT_PERCENT", "%q is not a percentage above 0 with at most two decimals (e.g. 20)", env("DUES_VAT_PERCENT", ""))
	}
	if policy.HardshipYears, err = strconv.Atoi(env("DUES_HARDSHIP_YEARS", "2")); err != nil || policy.HardshipYears < 1 || policy.HardshipYears > 100 {
		bad("DUES_HARDSHIP_YEARS", "%q is not a whole number of years from 1 to 100", env("DUES_HARDSHIP_YEARS", ""))
	}
	for _, f := range marketplace.ErrorFields(policy.Validate()) {
		name := map[string]string{
			"rate_basis_points": "DUES_RATE_PERCENT", "minimum_pence": "DUES_MINIMUM_GBP",
			"vat_basis_points": "DUES_VAT_PERCENT", "hardship_years": "DUES_HARDSHIP_YEARS",
			"hardship_minimum_pence": "DUES_MINIMUM_GBP",
		}[f.Field]
		bad(name, "%s", f.Message)
	}
	if grace, err = parseDays(env("DUES_GRACE_PERIOD", "30d")); err != nil || grace < time.Hour {
		bad("DUES_GRACE_PERIOD", "%q is not a duration of at least an hour (e.g. 30d or 720h)", env("DUES_GRACE_PERIOD", ""))
	}
	if remind, err = parseDays(env("DUES_REMIND_BEFORE", "30d")); err != nil || remind < time.Hour {
		bad("DUES_REMIND_BEFORE", "%q is not a duration of at least an hour (e.g. 30d or 720h)", env("DUES_REMIND_BEFORE", ""))
	}
	return policy, grace, remind
}

// parseBasisPoints reads a percentage with at most two decimals, exactly:
// "0.1" is 10 basis points, "20" is 2000.
func parseBasisPoints(s string) (int64, error) {
	return parseFixed(s, 2)
}

// parsePounds reads an amount of pounds with at most two decimals as
// pence: "150" is 15000.
func parsePounds(s string) (int64, error) {
	return parseFixed(strings.TrimPrefix(s, "£"), 2)
}

// parseFixed reads a non-negative decimal with at most places decimals as
// an integer scaled by 10^places, without floating point.
func parseFixed(s string, places int) (int64, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" || len(frac) > places || strings.ContainsAny(whole+frac, "+-") {
		return 0, fmt.Errorf("%q is not a number with at most %d decimals", s, places)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1_000_000_000 {
		return 0, fmt.Errorf("%q is not a number with at most %d decimals", s, places)
	}
	frac += strings.Repeat("0", places-len(frac))
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number with at most %d decimals", s, places)
	}
	scale := int64(1)
	for range places {
		scale *= 10
	}
	return w*scale + f, nil
}

// parseDays reads "30d" as 30 days, or a Go duration such as "720h".
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 3650 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
