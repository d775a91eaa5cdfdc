package mongo

import (
	"context"
	"strconv"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Collection names.
const (
	membersCollection  = "members"
	usersCollection    = "users"
	tokensCollection   = "tokens"
	listingsCollection = "listings"
	auditCollection    = "audit"
	matchesCollection  = "matches"

	notificationsCollection = "notifications"
	preferencesCollection   = "preferences"
	sessionsCollection      = "sessions"
	resetsCollection        = "password_resets"
	enquirerLinksCollection = "enquirer_links" // by the hash of a link's secret

	invitationsCollection      = "invitations"
	joinApplicationsCollection = "join_applications"

	alertsCollection         = "alerts"
	alertHitsCollection      = "alert_hits"
	alertChangesCollection   = "alert_changes"
	webhookTargetsCollection = "webhook_targets"
	exportsCollection        = "exports"

	threadsCollection = "threads"
	dealsCollection   = "deals"
	quotesCollection  = "quotes"

	// Lookups (mongodb.Keys), keyed by what they are looked up by.
	listingMatchesCollection = "listing_matches"
	memberMatchesCollection  = "member_matches"
	userEmailsCollection     = "user_emails"
	memberUsersCollection    = "member_users"
	memberSlugsCollection    = "member_slugs"
	memberListingsCollection = "member_listings"
	inboxCollection          = "inbox"

	invitationLinksCollection   = "invitation_links"   // by the hash of a link's secret
	memberInvitationsCollection = "member_invitations" // by member
	joinConfirmationsCollection = "join_confirmations" // by the hash of a link's secret
	joinQueueCollection         = "join_queue"         // by status: the applications waiting for staff

	partyThreadsCollection = "party_threads"
	partyDealsCollection   = "party_deals"
	quoteKeysCollection    = "quote_keys"
)

// collections are the marketplace's collections and the indexes each
// needs; every one is created at start.
var collections = mongodb.Collections{
	preferencesCollection:    nil,
	alertChangesCollection:   nil,
	webhookTargetsCollection: nil,
	exportsCollection:        nil,
	listingMatchesCollection: nil,
	memberMatchesCollection:  nil,
	userEmailsCollection:     nil,
	memberUsersCollection:    nil,
	memberSlugsCollection:    nil,
	memberListingsCollection: nil,
	inboxCollection:          nil,

	invitationsCollection:       nil,
	invitationLinksCollection:   nil,
	memberInvitationsCollection: nil,
	joinApplicationsCollection:  nil,
	joinConfirmationsCollection: nil,
	joinQueueCollection:         nil,

	threadsCollection:       nil,
	partyThreadsCollection:  nil,
	dealsCollection:         nil,
	partyDealsCollection:    nil,
	quotesCollection:        nil,
	quoteKeysCollection:     nil,
	enquirerLinksCollection: nil,
	membersCollection: {
		{Keys: bson.D{{Key: "slug", Value: 1}}, Options: options.Index().SetName("slug_unique").SetUnique(true)},
		{Keys: bson.D{{Key: "standing", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("standing_id")},
	},
	usersCollection: {
		{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetName("email_unique").SetUnique(true)},
	},
	tokensCollection: {
		{Keys: bson.D{{Key: "expiresAt", Value: 1}}, Options: options.Index().SetName("expires")},
		{Keys: bson.D{{Key: "userId", Value: 1}}, Options: options.Index().SetName("user")},
	},
	matchesCollection: {
		{Keys: bson.D{{Key: "retired", Value: 1}, {Key: "status", Value: 1}, {Key: "score", Value: -1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("queue")},
		{Keys: bson.D{{Key: "notified", Value: 1}, {Key: "createdAt", Value: 1}}, Options: options.Index().SetName("to_notify")},
	},
	notificationsCollection: {
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "createdAt", Value: 1}}, Options: options.Index().SetName("status_created")},
	},
	alertsCollection: {
		{Keys: bson.D{{Key: "userId", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("user_id")},
	},
	alertHitsCollection: {
		{Keys: bson.D{{Key: "alertId", Value: 1}, {Key: "digest", Value: 1}, {Key: "createdAt", Value: 1}}, Options: options.Index().SetName("alert_digest_created")},
	},
	resetsCollection: {
		{Keys: bson.D{{Key: "userId", Value: 1}}, Options: options.Index().SetName("user")},
	},
	sessionsCollection: {
		{Keys: bson.D{{Key: "expiresAt", Value: 1}}, Options: options.Index().SetName("expires")},
	},
	auditCollection: {
		{Keys: bson.D{{Key: "subject", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("subject_id")},
	},
	listingsCollection: {
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "kind", Value: 1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("status_kind_id")},
		{Keys: bson.D{{Key: "indexPending", Value: 1}}, Options: options.Index().SetName("index_pending")},
		{Keys: bson.D{{Key: "matchPending", Value: 1}}, Options: options.Index().SetName("match_pending")},
		{Keys: bson.D{{Key: "status", Value: 1}, {Key: "expiresAt", Value: 1}}, Options: options.Index().SetName("status_expires")},
	},
}

// Stores are the marketplace's stores on one database.
type Stores struct {
	Members        *MemberStore
	Users          *UserStore
	Tokens         *TokenStore
	Sessions       *SessionStore
	Resets         *ResetStore
	Listings       *ListingStore
	Matches        *MatchStore
	Audit          *AuditStore
	Notifications  *NotificationStore
	Preferences    *PreferenceStore
	Alerts         *AlertStore
	WebhookTargets *WebhookTargetStore
	Exports        *ExportStore

	Invitations      *InvitationStore
	JoinApplications *JoinApplicationStore

	Threads *ThreadStore
	Deals   *DealStore
	Quotes  *QuoteStore

	EnquirerLinks *EnquirerLinkStore
}

// Open makes sure the marketplace's collections and indexes exist on db
// and returns its stores. webhookKey seals the members' webhook secrets.
func Open(ctx context.Context, db *mongodb.DB, webhookKey []byte) (*Stores, error) {
	if err := db.EnsureCollections(ctx, collections); err != nil {
		return nil, err
	}
	stores := &Stores{
		Members: NewMemberStore(db), Users: NewUserStore(db), Tokens: NewTokenStore(db), Sessions: NewSessionStore(db),
		Resets:   NewResetStore(db),
		Listings: NewListingStore(db), Matches: NewMatchStore(db), Audit: NewAuditStore(db),
		Notifications: NewNotificationStore(db), Preferences: NewPreferenceStore(db), Alerts: NewAlertStore(db),
		WebhookTargets: NewWebhookTargetStore(db, webhookKey),
		Exports:        NewExportStore(db),
		Invitations:    NewInvitationStore(db), JoinApplications: NewJoinApplicationStore(db),
		Threads: NewThreadStore(db),
		Deals:   NewDealStore(db),
		Quotes:  NewQuoteStore(db),

		EnquirerLinks: NewEnquirerLinkStore(db),
	}
	// Lookups added after documents were stored are filled from them once.
	for _, fill := range []func(context.Context) error{stores.Matches.fillKeys, stores.Users.fillKeys, stores.Members.fillKeys, stores.Listings.fillKeys, stores.Notifications.fillKeys} {
		if err := fill(ctx); err != nil {
			return nil, err
		}
	}
	return stores, nil
}

// Domain returns the stores as the use cases take them.
func (s *Stores) Domain() marketplace.Stores {
	return marketplace.Stores{
		Members: s.Members, Users: s.Users, Tokens: s.Tokens, Sessions: s.Sessions, Resets: s.Resets,
		Listings: s.Listings, Matches: s.Matches, Audit: s.Audit,
		Notifications: s.Notifications, Preferences: s.Preferences, Alerts: s.Alerts,
		WebhookTargets: s.WebhookTargets,
		Invitations:    s.Invitations, JoinApplications: s.JoinApplications,
		Threads: s.Threads, Deals: s.Deals, Quotes: s.Quotes,
	}
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func parseInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
