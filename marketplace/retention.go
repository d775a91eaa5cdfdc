package marketplace

import (
	"context"
	"errors"
	"time"
)

// RetentionKind is a kind of record kept for a limited time.
type RetentionKind string

// The kinds of record the retention job deletes when past their time.
const (
	RetainMailBodies    RetentionKind = "mail_bodies"
	RetainNotifications RetentionKind = "notifications"
	RetainListings      RetentionKind = "closed_listings"
	RetainAudit         RetentionKind = "audit"
	RetainStripeEvents  RetentionKind = "stripe_events"
	RetainExports       RetentionKind = "exports"
	// The way in: invitations never taken up, refused applications to
	// join, and applications whose address was never confirmed.
	RetainInvitations             RetentionKind = "invitations"
	RetainRefusedApplications     RetentionKind = "refused_applications"
	RetainUnconfirmedApplications RetentionKind = "unconfirmed_applications"
	// Enquiries from members of the public who never confirmed their
	// address: the supplier was never told of them.
	RetainUnconfirmedEnquiries RetentionKind = "unconfirmed_enquiries"
)

// UnconfirmedEnquiryTTL is how long an enquiry from a member of the
// public waits for its address to be confirmed.
const UnconfirmedEnquiryTTL = 7 * Day

// Day is a day, as retention periods are counted.
const Day = 24 * time.Hour

// RetentionRule is one row of the retention table: how long a kind of
// record is kept, from when, and the setting that changes it.
type RetentionRule struct {
	Kind RetentionKind
	// What is kept, and from when the time runs, in English (the pages
	// word it from Kind in each language).
	What    string
	Setting string // the environment variable, in days; "" when fixed
	Default time.Duration
	// Job says whether the daily retention job enforces it; the others
	// are enforced where the record is used (sessions and tokens) or
	// outside the service (request logs).
	Job bool
}

// RetentionTable is every kind of record kept for a limited time, with
// its default: the one table the job, the README and the privacy page
// follow.
var RetentionTable = []RetentionRule{
	{Kind: RetainMailBodies, What: "the text of the e-mails sent, and the address they went to, after sending", Setting: "RETAIN_MAIL_BODIES_DAYS", Default: 30 * Day, Job: true},
	{Kind: RetainNotifications, What: "notifications (inbox items, e-mails, webhooks) once delivered or failed", Setting: "RETAIN_NOTIFICATIONS_DAYS", Default: 365 * Day, Job: true},
	{Kind: RetainListings, What: "closed, expired and removed listings no match refers to, after their last change", Setting: "RETAIN_CLOSED_LISTINGS_DAYS", Default: 730 * Day, Job: true},
	{Kind: RetainAudit, What: "audit log entries (who did what), from the action", Setting: "RETAIN_AUDIT_DAYS", Default: 6 * 365 * Day, Job: true},
	{Kind: RetainStripeEvents, What: "Stripe's events once applied, from receipt", Setting: "RETAIN_STRIPE_EVENTS_DAYS", Default: 90 * Day, Job: true},
	{Kind: RetainExports, What: "downloads of personal data prepared by a job, from the request", Default: ExportTTL, Job: true},
	{Kind: RetainInvitations, What: "invitations never taken up, from when their link expired (taken up or withdrawn, they go at once)", Setting: "RETAIN_INVITATIONS_DAYS", Default: 30 * Day, Job: true},
	{Kind: RetainUnconfirmedApplications, What: "applications to join whose address was never confirmed, from the application", Default: ConfirmTTL, Job: true},
	{Kind: RetainRefusedApplications, What: "refused applications to join, from the decision", Setting: "RETAIN_REFUSED_APPLICATIONS_DAYS", Default: 180 * Day, Job: true},
	{Kind: RetainUnconfirmedEnquiries, What: "enquiries from the public whose address was never confirmed (the writer's name, address and message), from the enquiry", Default: UnconfirmedEnquiryTTL, Job: true},
	{Kind: "admitted_applications", What: "admitted applications to join: while the member they made exists; erased with it, and an applicant who closes their account takes their name, address and statement out"},
	{Kind: "sessions", What: "signed-in sessions: 14 days from last use, 30 at most; deleted hourly once ended", Default: SessionMaxAge},
	{Kind: "tokens", What: "API tokens: until they expire (TOKEN_TTL, 30 days by default); deleted hourly once expired", Default: 30 * Day},
	{Kind: "password_resets", What: "password reset links: one hour, deleted when the next is made", Default: time.Hour},
	{Kind: "request_logs", What: "request logs: the service writes them to its standard output and keeps none; the host's log store keeps them", Default: 30 * Day},
}

// Retention is how long each kind of record the job enforces is kept;
// a kind missing or zero keeps its default (RetentionTable).
type Retention map[RetentionKind]time.Duration

// Period returns how long records of the kind are kept.
func (r Retention) Period(kind RetentionKind) time.Duration {
	if d := r[kind]; d > 0 {
		return d
	}
	for _, rule := range RetentionTable {
		if rule.Kind == kind {
			return rule.Default
		}
	}
	return 0
}

// Pruner deletes, or for mail bodies clears, the records of one kind that
// are older than before, a batch at a time, and returns how many.
type Pruner interface {
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// ApplyRetention deletes what is past its time, kind by kind: the daily
// retention job. It returns how many records of each kind it deleted.
func (s *Service) ApplyRetention(ctx context.Context) (map[RetentionKind]int64, error) {
	now := s.now()
	done := map[RetentionKind]int64{}
	var errs []error
	for _, rule := range RetentionTable {
		p := s.Pruners[rule.Kind]
		if !rule.Job || p == nil {
			continue
		}
		n, err := p.Prune(ctx, now.Add(-s.Retention.Period(rule.Kind)))
		done[rule.Kind] = n
		errs = append(errs, err)
	}
	return done, errors.Join(errs...)
}
