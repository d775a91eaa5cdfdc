package marketplace

import (
	"log/slog"
	"sync"
	"time"
)

// Service holds the use cases of the marketplace: what members, buyers and
// staff do. Adapters (the HTTP API, the workers, the command line) call it;
// it reaches storage and the queue only through the interfaces it declares.
type Service struct {
	Members     MemberStore
	Users       UserStore
	Tokens      TokenStore
	Sessions    SessionStore
	Listings    ListingStore
	Queue       ListingQueue
	MemberQueue MemberQueue
	Audit       AuditStore
	Index       SearchIndex
	Matches     MatchStore
	Pool        CandidatePool
	MatchQueue  MatchQueue

	Notifications  NotificationStore
	Preferences    PreferenceStore
	Deliveries     DeliveryQueue
	Mailer         Mailer
	Webhooks       WebhookSender
	WebhookTargets WebhookTargetStore
	Unsubscribers  AlertUnsubscriber

	// Alerts keeps saved searches and what they collect; AlertEvaluator
	// reads their queries (the search package's). Alerts need both.
	Alerts         AlertStore
	AlertEvaluator AlertEvaluator
	// WebhookURLs checks the URL a member registers for its webhook.
	WebhookURLs WebhookURLChecker

	// BaseURL is where people reach the service, for links in messages.
	BaseURL string
	// Secret signs unsubscribe links and seals webhook secrets.
	Secret    []byte
	Passwords PasswordHasher
	Logger    *slog.Logger

	// Now returns the current time; tests inject a clock.
	Now func() time.Time
	// TokenTTL is how long an API token lasts (default 30 days).
	TokenTTL time.Duration

	dummyOnce sync.Once
	dummy     string

	guessOnce sync.Once
	guessLim  *guessLimiter
	// alertCache holds the compiled alerts between evaluations.
	alertCache alertCache
}

// guesses returns the service's limits on guessing passwords.
func (s *Service) guesses() *guessLimiter {
	s.guessOnce.Do(func() { s.guessLim = newGuessLimiter() })
	return s.guessLim
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

func (s *Service) tokenTTL() time.Duration {
	if s.TokenTTL > 0 {
		return s.TokenTTL
	}
	return 30 * 24 * time.Hour
}
