package payments

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/stripe/stripe-go/v76/client"

	"cooptrade/marketplace"
)

// Defaults of Service.
const (
	// DefaultGracePeriod is how long a member stays past_due after a failed
	// payment before it lapses.
	DefaultGracePeriod = 30 * 24 * time.Hour
	// DefaultRemindBefore is how long before a renewal the member is
	// reminded of it.
	DefaultRemindBefore = 30 * 24 * time.Hour
)

// MetadataMemberID is the metadata key, on Stripe customers, Checkout
// Sessions and subscriptions, that names the member they belong to.
const MetadataMemberID = "member_id"

// Jobs queues the work that payments does in the background. The queue of
// the service satisfies it through a small adapter where the program is
// wired, so that payments knows nothing of the queue.
type Jobs interface {
	// Enqueue queues a job of the given type on the named queue. A job
	// with the id of one still waiting is dropped, which is no error.
	Enqueue(ctx context.Context, jobType string, payload []byte, queue string, id string) error
}

// Mailer sends the reminders of renewal.
type Mailer interface {
	// SendMail sends a written message, in its language, to the
	// addresses.
	SendMail(ctx context.Context, to []string, w marketplace.Written) error
}

// Service is the members' dues: their applications and staff's decisions,
// payment through Stripe Checkout and the Billing Portal, Stripe's
// webhooks, waivers and offline payments, and the standing all of these
// give the member. It changes a member's standing only through
// marketplace.Service.ChangeStanding, so that every change is audited and
// the member's listings follow it.
type Service struct {
	Market       *marketplace.Service
	Accounts     AccountStore
	Applications ApplicationStore
	Events       EventStore
	Objects      ObjectStore
	Jobs         Jobs
	// Mailer sends reminders of renewal (nil: they are only logged).
	Mailer Mailer

	// Stripe is the Stripe client; nil when Stripe is not configured, and
	// then what needs it answers EUNAVAILABLE naming the settings.
	Stripe *client.API
	// WebhookSecret verifies the signatures of webhook deliveries.
	WebhookSecret string
	// Livemode is true with a live secret key: the objects remembered in
	// ObjectStore are kept apart for test and live mode.
	Livemode bool

	// Policy works out the dues.
	Policy DuesPolicy
	// GracePeriod is how long a member stays past_due after a failed
	// payment (default DefaultGracePeriod).
	GracePeriod time.Duration
	// RemindBefore is how long before a renewal the member is reminded
	// (default DefaultRemindBefore).
	RemindBefore time.Duration
	// BaseURL is the address people reach the service at; Stripe sends
	// them back to it after Checkout and the Billing Portal.
	BaseURL string
	Logger  *slog.Logger
	// Now returns the current time; tests move it.
	Now func() time.Time
	// Observe hears of each step of each Stripe event (one of the Event*
	// steps), for the metrics; nil: nobody does.
	Observe func(step string)
}

// Steps of a Stripe event, as Service.Observe hears of them.
const (
	EventReceived  = "received"  // stored for the first time
	EventDuplicate = "duplicate" // delivered again by Stripe
	EventApplied   = "applied"   // applied, or found to need nothing
	EventRefused   = "refused"   // cannot be applied: recorded, not tried again
	EventFailed    = "failed"    // applying it failed for now: tried again
)

func (s *Service) observe(step string) {
	if s.Observe != nil {
		s.Observe(step)
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Service) grace() time.Duration {
	if s.GracePeriod > 0 {
		return s.GracePeriod
	}
	return DefaultGracePeriod
}

func (s *Service) remindBefore() time.Duration {
	if s.RemindBefore > 0 {
		return s.RemindBefore
	}
	return DefaultRemindBefore
}

// systemContext is the context of the work payments does on its own.
func systemContext(ctx context.Context) context.Context {
	return marketplace.NewContextWithUser(ctx, marketplace.SystemUser("payments"))
}

// errStripeOff is the answer of whatever needs Stripe when it is not set up.
func errStripeOff() error {
	return marketplace.Errorf(marketplace.EUNAVAILABLE,
		"Payment by Stripe is not set up on this service: its operator sets STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET. Federation staff can record a payment made by bank transfer meanwhile.")
}

// findAccount returns the member's account, or a new one not yet stored
// (Version 0).
func (s *Service) findAccount(ctx context.Context, memberID string) (*Account, error) {
	a, err := s.Accounts.FindAccount(ctx, memberID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return &Account{MemberID: memberID}, nil
	}
	return a, err
}

// updateAccount reads the member's account (a new one if it has none),
// lets change modify it and writes it back if change reports a change,
// reading again when someone else wrote first. It returns the account as
// stored.
func (s *Service) updateAccount(ctx context.Context, memberID string, change func(a *Account) (bool, error)) (*Account, error) {
	for attempt := 0; ; attempt++ {
		a, err := s.findAccount(ctx, memberID)
		if err != nil {
			return nil, err
		}
		changed, err := change(a)
		if err != nil || !changed {
			return a, err
		}
		now := s.now()
		version := a.Version
		if version == 0 {
			a.CreatedAt = now
		}
		a.UpdatedAt = now
		a.Refresh(now, s.grace())
		err = s.Accounts.SaveAccount(ctx, a, version)
		if marketplace.ErrorCode(err) == marketplace.EPRECONDITION && attempt < 5 {
			continue
		}
		return a, err
	}
}

// settle moves the member to the standing its account implies, as the
// user in ctx, and returns the member. The member is read afresh, and after
// a change the account is read again: when two jobs update one account at
// once, the one that wrote last also settles last, on what it wrote, so a
// standing worked out from an older state never stays.
func (s *Service) settle(ctx context.Context, m *marketplace.Member, a *Account, reason string) (*marketplace.Member, error) {
	m, err := s.member(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		want := a.Standing(m.Kind, m.Standing, s.now(), s.grace())
		if want == m.Standing {
			return m, nil
		}
		if attempt == 5 {
			return nil, fmt.Errorf("payments: the dues account of member %s keeps changing; its standing is settled on the next event or review", m.ID)
		}
		if m, err = s.Market.ChangeStanding(ctx, m.ID, want, reason); err != nil {
			return nil, err
		}
		if a, err = s.findAccount(ctx, m.ID); err != nil {
			return nil, err
		}
	}
}

// member returns a member by ID, whoever asks: payments checks rights
// itself.
func (s *Service) member(ctx context.Context, id string) (*marketplace.Member, error) {
	return s.Market.Members.FindMemberByID(ctx, id)
}

// ownMember returns the member of the signed-in user, who must be one of
// its owners.
func (s *Service) ownMember(ctx context.Context, what string) (*marketplace.Member, error) {
	me := marketplace.UserFromContext(ctx)
	if me == nil {
		return nil, marketplace.Errorf(marketplace.EUNAUTHORIZED, "Sign in first.")
	}
	if me.MemberID == "" || !me.IsOwnerOf(me.MemberID) {
		return nil, marketplace.Errorf(marketplace.EFORBIDDEN, "Only an owner of a member can %s.", what)
	}
	return s.member(ctx, me.MemberID)
}

func requireStaff(ctx context.Context, what string) error {
	me := marketplace.UserFromContext(ctx)
	if me == nil {
		return marketplace.Errorf(marketplace.EUNAUTHORIZED, "Sign in first.")
	}
	if !me.IsStaff() {
		return marketplace.Errorf(marketplace.EFORBIDDEN, "Only federation staff can %s.", what)
	}
	return nil
}

func actorName(ctx context.Context) string {
	me := marketplace.UserFromContext(ctx)
	switch {
	case me == nil:
		return ""
	case me.Email != "":
		return me.Email
	}
	return me.ID
}

func clampLimit(n int) int {
	if n <= 0 {
		return marketplace.DefaultPageSize
	}
	return min(n, marketplace.MaxPageSize)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
