package marketplace

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Service holds the use cases of the marketplace: what members, buyers and
// staff do. Adapters (the HTTP API, the workers, the command line) call it;
// it reaches storage and the queue only through the interfaces it declares.
// NewService makes it; its fields are read, never set, after that.
type Service struct {
	Stores
	Queue          Queue
	Pool           CandidatePool
	Messages       MessageWriter
	Mailer         Mailer
	Webhooks       WebhookSender
	WebhookURLs    WebhookURLChecker
	AlertEvaluator AlertEvaluator
	Passwords      PasswordHasher
	// PersonalData are the stores that hold data about people, for
	// export and erasure; without them both answer EUNAVAILABLE.
	PersonalData []PersonalData
	// Pruners delete each kind of record past its time (ApplyRetention).
	Pruners map[RetentionKind]Pruner
	// Exports keeps the exports a job builds; without it they answer
	// EUNAVAILABLE.
	Exports ExportStore
	// EnquirerLinks keeps the links members of the public reach their
	// data by; without it they answer EUNAVAILABLE.
	EnquirerLinks EnquirerLinkStore
	Settings

	dummyOnce sync.Once
	dummy     string

	guessOnce sync.Once
	guessLim  *guessLimiter

	// background counts the work still running after its request was
	// answered (Drain waits for it).
	background sync.WaitGroup

	inviteOnce sync.Once
	inviteLim  *countLimiter
	applyOnce  sync.Once
	applyLim   *countLimiter
}

// Stores are where the service keeps its records.
type Stores struct {
	Members          MemberStore
	Users            UserStore
	Tokens           TokenStore
	Sessions         SessionStore
	Resets           ResetStore
	Invitations      InvitationStore
	JoinApplications JoinApplicationStore
	Listings         ListingStore
	Audit            AuditStore
	Matches          MatchStore
	Notifications    NotificationStore
	Preferences      PreferenceStore
	Alerts           AlertStore
	WebhookTargets   WebhookTargetStore
	Threads          ThreadStore
	Deals            DealStore
	Quotes           QuoteStore
}

// Queue is where the service leaves work for the job workers: indexing
// and matching changed listings and members, announcing matches, and
// delivering notifications.
type Queue interface {
	ListingQueue
	MemberQueue
	MatchQueue
	DeliveryQueue
}

// Dependencies are what the service is built on; every one is required.
type Dependencies struct {
	Stores Stores
	Queue  Queue
	// Pool holds the open listings that matching compares; LoadCandidates
	// fills it at start.
	Pool CandidatePool
	// Messages words what notifications say.
	Messages MessageWriter
	// Mailer sends e-mail; Webhooks posts to members' webhooks and
	// WebhookURLs checks the addresses they give.
	Mailer      Mailer
	Webhooks    WebhookSender
	WebhookURLs WebhookURLChecker
	// AlertEvaluator reads saved searches' queries (the search package's).
	AlertEvaluator AlertEvaluator
	Passwords      PasswordHasher
	// PersonalData are every store that holds data about people (see
	// PersonalData); optional.
	PersonalData []PersonalData
	// Pruners delete the records of each kind in the retention table
	// that the job enforces; optional.
	Pruners map[RetentionKind]Pruner
	// Exports keeps the exports a job builds (RequestExport); optional.
	Exports ExportStore
	// EnquirerLinks keeps enquirers' links to their data; optional.
	EnquirerLinks EnquirerLinkStore
}

// Settings tune the service; the zero value of each is its default.
type Settings struct {
	// BaseURL is where people reach the service, for links in messages.
	BaseURL string
	// Secret signs unsubscribe links and seals webhook secrets; required.
	Secret []byte
	// Logger receives the service's logs (default slog.Default()).
	Logger *slog.Logger
	// Now returns the current time (default time.Now); tests inject a
	// clock.
	Now func() time.Time
	// TokenTTL is how long an API token lasts (default 30 days).
	TokenTTL time.Duration
	// Retention is how long each kind of record is kept (default
	// RetentionTable's).
	Retention Retention
	// ReplyDomain is the mail domain of threads' reply addresses
	// (reply+<thread>-<token>@ReplyDomain); empty: mail about threads
	// carries no reply address.
	ReplyDomain string
}

// NewService returns the use cases over their dependencies, or an error
// naming the first one missing.
func NewService(deps Dependencies, settings Settings) (*Service, error) {
	required := []struct {
		name    string
		missing bool
	}{
		{"Members", deps.Stores.Members == nil}, {"Users", deps.Stores.Users == nil},
		{"Tokens", deps.Stores.Tokens == nil}, {"Sessions", deps.Stores.Sessions == nil},
		{"Listings", deps.Stores.Listings == nil}, {"Audit", deps.Stores.Audit == nil},
		{"Matches", deps.Stores.Matches == nil}, {"Notifications", deps.Stores.Notifications == nil},
		{"Preferences", deps.Stores.Preferences == nil}, {"Alerts", deps.Stores.Alerts == nil},
		{"WebhookTargets", deps.Stores.WebhookTargets == nil},
		{"Invitations", deps.Stores.Invitations == nil}, {"JoinApplications", deps.Stores.JoinApplications == nil},
		{"Threads", deps.Stores.Threads == nil},
		{"Deals", deps.Stores.Deals == nil}, {"Quotes", deps.Stores.Quotes == nil},
		{"Queue", deps.Queue == nil}, {"Pool", deps.Pool == nil},
		{"Messages", deps.Messages == nil}, {"Mailer", deps.Mailer == nil}, {"Webhooks", deps.Webhooks == nil}, {"WebhookURLs", deps.WebhookURLs == nil},
		{"AlertEvaluator", deps.AlertEvaluator == nil}, {"Passwords", deps.Passwords == nil},
		{"Secret", len(settings.Secret) == 0},
	}
	for _, r := range required {
		if r.missing {
			return nil, fmt.Errorf("marketplace: the service needs %s", r.name)
		}
	}
	return &Service{
		Stores: deps.Stores, Queue: deps.Queue, Pool: deps.Pool,
		Messages: deps.Messages, Mailer: deps.Mailer, Webhooks: deps.Webhooks, WebhookURLs: deps.WebhookURLs,
		AlertEvaluator: deps.AlertEvaluator, Passwords: deps.Passwords, PersonalData: deps.PersonalData, Pruners: deps.Pruners, Exports: deps.Exports, EnquirerLinks: deps.EnquirerLinks, Settings: settings,
	}, nil
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
