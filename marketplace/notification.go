package marketplace

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// Channel is how a notification reaches people.
type Channel string

// Channels.
const (
	ChannelInbox   Channel = "inbox"   // the in-app inbox
	ChannelEmail   Channel = "email"   // e-mail to a user
	ChannelWebhook Channel = "webhook" // a signed POST to the member's URL
)

// Notification types: what a notification is about. Users choose per type
// and channel what they receive.
const (
	NotifyMatchNew        = "match.new"
	NotifyMatchIntroduced = "match.introduced"
	NotifyAlert           = "alert"
	NotifyListingExpiring = "listing.expiring"
)

// NotificationTypes are the types users have preferences for.
var NotificationTypes = []string{NotifyMatchNew, NotifyMatchIntroduced, NotifyAlert, NotifyListingExpiring,
	NotifyEnquiryNew, NotifyThreadAnswer, NotifyDealReported, NotifyQuoteNew, NotifyQuoteAccepted, NotifyQuoteInvited}

// NotificationStatus is where delivery has got to.
type NotificationStatus string

// Statuses of a notification.
const (
	NotificationPending NotificationStatus = "pending"
	NotificationSending NotificationStatus = "sending"
	NotificationSent    NotificationStatus = "sent"
	NotificationFailed  NotificationStatus = "failed"
)

// Notification is one message to one recipient on one channel. Its ID is
// its idempotency key (what it is about, who it is for, the channel): it is
// stored before anything is sent, and a second attempt to make the same
// notification finds the first.
type Notification struct {
	ID       string  `json:"id"`
	Type     string  `json:"type"`
	Channel  Channel `json:"channel"`
	MemberID string  `json:"member_id,omitempty"`
	UserID   string  `json:"user_id,omitempty"`
	To       string  `json:"-"` // e-mail address or webhook URL
	Subject  string  `json:"subject"`
	Text     string  `json:"text"`
	HTML     string  `json:"-"`
	// Lang is the language it was written in; "" for one written before
	// notifications had one (English).
	Lang     string             `json:"-"`
	Link     string             `json:"link,omitempty"`
	Data     map[string]string  `json:"data,omitempty"`
	Status   NotificationStatus `json:"status"`
	Attempts int                `json:"-"`
	Error    string             `json:"-"`
	// Unsubscribe is the link that stops this kind of mail, without
	// signing in.
	Unsubscribe string `json:"-"`
	// ReplyTo, when set, is where replies to the e-mail go: a thread's
	// reply address for its reader.
	ReplyTo   string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// NotificationKey makes a notification's ID from what it is about, who it
// is for and the channel.
func NotificationKey(about, recipient string, ch Channel) string {
	return about + "~" + recipient + "~" + string(ch)
}

// InboxFilter selects a user's inbox, newest first.
type InboxFilter struct {
	MemberID string // items for the whole member
	UserID   string // and items for the user
	Unread   bool
	Cursor   string
	Limit    int
}

// NotificationStore keeps notifications.
type NotificationStore interface {
	// CreateNotification stores n unless a notification with its ID exists;
	// it reports whether it stored it. Either way n is left as given.
	CreateNotification(ctx context.Context, n *Notification) (bool, error)
	// FindNotificationByID returns ENOTFOUND when there is none.
	FindNotificationByID(ctx context.Context, id string) (*Notification, error)
	// ClaimNotification moves a notification from pending (or from a
	// sending claim older than lease, left by a worker that died) to
	// sending and returns it; nil when this caller did not get it (sent,
	// failed, or claimed by another). ENOTFOUND when there is none.
	ClaimNotification(ctx context.Context, id string, now time.Time, lease time.Duration) (*Notification, error)
	// FinishNotification records the outcome of a claimed delivery: sent,
	// failed for good, or pending again (to be retried).
	FinishNotification(ctx context.Context, id string, status NotificationStatus, errText string, at time.Time) error
	// FindUndelivered returns notifications still pending or stuck
	// sending that were made before the given time.
	FindUndelivered(ctx context.Context, before time.Time, limit int) ([]*Notification, error)
	// FindInbox returns a page of inbox items and the next cursor.
	FindInbox(ctx context.Context, f InboxFilter) ([]*Notification, string, error)
	// MarkNotificationRead records that an inbox item was read.
	MarkNotificationRead(ctx context.Context, id string, at time.Time) error
}

// Mail is an e-mail to send.
type Mail struct {
	// Key names the message for good: every sending of one notification
	// has the same key, so that a mail sent again (a worker died between
	// sending it and recording it sent) is the same message to the
	// recipient's mail system (its Message-ID).
	Key     string
	To      string
	Subject string
	Text    string
	HTML    string
	// Lang is the language of the mail ("" when not known).
	Lang string
	// Unsubscribe, when set, is the one-click unsubscribe link (RFC 8058).
	Unsubscribe string
	// ReplyTo, when set, is where replies go.
	ReplyTo string
}

// Mailer sends e-mail. A failure that retrying cannot cure (the address
// does not exist) has the code EINVALID; others are retried.
type Mailer interface {
	SendMail(ctx context.Context, m Mail) error
}

// DeliveryQueue is told of each notification to deliver.
type DeliveryQueue interface {
	EnqueueDelivery(ctx context.Context, notificationID string) error
}

// Preferences are what a user wants to hear about, by notification type
// and channel. A type missing from the map gets the defaults.
type Preferences map[string]map[Channel]bool

// Wants reports whether the user wants notifications of the type on the
// channel. By default everyone gets everything in the inbox, owners get
// e-mail about matches and expiring listings, everyone gets their alerts.
func (p Preferences) Wants(u *User, typ string, ch Channel) bool {
	if v, ok := p[typ][ch]; ok {
		return v
	}
	switch ch {
	case ChannelInbox:
		return true
	case ChannelEmail:
		return typ == NotifyAlert || u.Role == RoleOwner
	}
	return false
}

// PreferenceStore keeps users' preferences.
type PreferenceStore interface {
	// FindPreferences returns a user's preferences (empty when never set).
	FindPreferences(ctx context.Context, userID string) (Preferences, error)
	// SetPreference sets one type and channel for a user.
	SetPreference(ctx context.Context, userID, typ string, ch Channel, on bool) error
}

// UnsubscribeToken signs "stop sending me this" for a subject (a
// notification type, or an alert) and a user, so that the link works
// without signing in and cannot be forged for someone else.
//
// userID must hold no line break (IDs never do).
func UnsubscribeToken(secret []byte, userID, subject string) string {
	payload := userID + "\n" + subject
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("unsubscribe\n" + payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// ParseUnsubscribeToken checks a token and returns its user and subject;
// EINVALID for a forged or mangled one.
func ParseUnsubscribeToken(secret []byte, token string) (userID, subject string, err error) {
	bad := Invalid(Broken("token", RuleUnsubscribe, RuleParams{}))
	p, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return "", "", bad
	}
	raw, err1 := base64.RawURLEncoding.DecodeString(p)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return "", "", bad
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("unsubscribe\n" + string(raw)))
	if !hmac.Equal(got, mac.Sum(nil)[:18]) {
		return "", "", bad
	}
	userID, subject, ok = strings.Cut(string(raw), "\n")
	if !ok {
		return "", "", bad
	}
	return userID, subject, nil
}
