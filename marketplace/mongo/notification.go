package mongo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var (
	_ marketplace.NotificationStore = (*NotificationStore)(nil)
	_ marketplace.PreferenceStore   = (*PreferenceStore)(nil)
)

// NotificationStore keeps notifications in the notifications collection,
// keyed by their idempotency key: storing one twice is a duplicate key,
// which is how a retried job knows it was here before.
//
// Inbox items are found through a lookup of their own (mongodb.Keys), by
// "user:<id>" and "member:<id>", so that an inbox is read by _id rather
// than by a filter over every notification.
//
// On the embedded database the notifications read or stored are kept in
// memory (mongodb.Cache): the delivery that claims one just stored reads
// nothing.
type NotificationStore struct {
	db    *mongodb.DB
	coll  *mongo.Collection
	inbox *mongodb.Keys
	cache *mongodb.Cache[notificationDoc]
}

// notificationsCached is how many notifications the embedded database's
// stores keep in memory: those on their way out.
const notificationsCached = 10_000

// NewNotificationStore returns a notification store on db.
func NewNotificationStore(db *mongodb.DB) *NotificationStore {
	return &NotificationStore{db: db, coll: db.Database.Collection(notificationsCollection), inbox: db.Keys(inboxCollection),
		cache: mongodb.NewCache[notificationDoc](db, notificationsCached)}
}

func notificationDocID(d *notificationDoc) string { return d.ID }

// findDoc reads a notification by _id, through the cache.
func (s *NotificationStore) findDoc(ctx context.Context, id string) (*notificationDoc, error) {
	var found *notificationDoc
	err := mongodb.FindByIDsCached(ctx, s.db, s.coll, s.cache, []string{id}, "notifications", notificationDocID, func(d *notificationDoc) {
		found = d
	})
	if err == nil && found == nil {
		err = mongodb.NotFound("notification")
	}
	return found, err
}

// inboxKey is the key of the inbox an inbox item belongs to: its user's,
// or the member's when it is for every user of the member.
func inboxKey(memberID, userID string) string {
	if userID != "" {
		return "user:" + userID
	}
	return "member:" + memberID
}

type notificationDoc struct {
	ID          string            `bson:"_id"`
	Type        string            `bson:"type"`
	Channel     string            `bson:"channel"`
	MemberID    string            `bson:"memberId"`
	UserID      string            `bson:"userId"`
	To          string            `bson:"to"`
	Subject     string            `bson:"subject"`
	Text        string            `bson:"text"`
	HTML        string            `bson:"html"`
	Lang        string            `bson:"lang,omitempty"`
	Link        string            `bson:"link"`
	Data        map[string]string `bson:"data,omitempty"`
	Status      string            `bson:"status"`
	Attempts    int               `bson:"attempts"`
	Error       string            `bson:"error"`
	Unsubscribe string            `bson:"unsubscribe"`
	ReplyTo     string            `bson:"replyTo,omitempty"`
	ClaimedAt   *time.Time        `bson:"claimedAt"`
	CreatedAt   time.Time         `bson:"createdAt"`
	SentAt      *time.Time        `bson:"sentAt"`
	ReadAt      *time.Time        `bson:"readAt"`
	Read        bool              `bson:"read"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

func (d *notificationDoc) notification() *marketplace.Notification {
	return &marketplace.Notification{
		ID: d.ID, Type: d.Type, Channel: marketplace.Channel(d.Channel), MemberID: d.MemberID, UserID: d.UserID,
		To: d.To, Subject: d.Subject, Text: d.Text, HTML: d.HTML, Lang: d.Lang, Link: d.Link, Data: d.Data,
		Status: marketplace.NotificationStatus(d.Status), Attempts: d.Attempts, Error: d.Error,
		Unsubscribe: d.Unsubscribe, ReplyTo: d.ReplyTo, CreatedAt: d.CreatedAt.UTC(), SentAt: utc(d.SentAt), ReadAt: utc(d.ReadAt),
	}
}

// CreateNotification implements marketplace.NotificationStore.
func (s *NotificationStore) CreateNotification(ctx context.Context, n *marketplace.Notification) (bool, error) {
	ticket := s.cache.Begin()
	d := notificationDoc{
		Schema: mongodb.SchemaVersion,
		ID:     n.ID, Type: n.Type, Channel: string(n.Channel), MemberID: n.MemberID, UserID: n.UserID, To: n.To,
		Subject: n.Subject, Text: n.Text, HTML: n.HTML, Lang: n.Lang, Link: n.Link, Data: n.Data, Status: string(n.Status),
		Unsubscribe: n.Unsubscribe, ReplyTo: n.ReplyTo, CreatedAt: n.CreatedAt, SentAt: n.SentAt,
	}
	if n.Channel == marketplace.ChannelInbox {
		if err := s.inbox.Add(ctx, inboxKey(n.MemberID, n.UserID), n.ID); err != nil { // before: see Keys
			return false, err
		}
	}
	_, err := s.coll.InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	} else if err != nil {
		return false, mongodb.Wrap(err, "insert notification")
	}
	// Stored just now and written by nothing else yet: kept for its
	// delivery. (A write since the ticket, anywhere, keeps nothing.)
	s.cache.Put(d.ID, d, ticket)
	return true, nil
}

// FindNotificationByID implements marketplace.NotificationStore.
func (s *NotificationStore) FindNotificationByID(ctx context.Context, id string) (*marketplace.Notification, error) {
	d, err := s.findDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.notification(), nil
}

// ClaimNotification implements marketplace.NotificationStore. On MongoDB
// it is one conditional update that returns the claimed document; on
// FerretDB, whose filters other than _id read the whole collection, the
// notification is read by _id, checked and written by _id under its lock.
func (s *NotificationStore) ClaimNotification(ctx context.Context, id string, now time.Time, lease time.Duration) (*marketplace.Notification, error) {
	defer s.db.Lock(notificationsCollection, id)()
	if s.db.FerretDB {
		found, err := s.findDoc(ctx, id)
		if err != nil {
			return nil, err
		}
		d := *found
		claimable := d.Status == string(marketplace.NotificationPending) ||
			d.Status == string(marketplace.NotificationSending) && d.ClaimedAt != nil && d.ClaimedAt.Before(now.Add(-lease))
		if !claimable {
			return nil, nil
		}
		s.cache.Forget(id)
		_, err = s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: string(marketplace.NotificationSending)}, {Key: "claimedAt", Value: now}}},
			{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
		})
		s.cache.Forget(id)
		if err != nil {
			return nil, mongodb.Wrap(err, "claim notification")
		}
		d.Status, d.ClaimedAt, d.Attempts = string(marketplace.NotificationSending), &now, d.Attempts+1
		return d.notification(), nil
	}
	var d notificationDoc
	err := s.coll.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "$or", Value: bson.A{
			bson.D{{Key: "status", Value: string(marketplace.NotificationPending)}},
			bson.D{{Key: "status", Value: string(marketplace.NotificationSending)}, {Key: "claimedAt", Value: bson.D{{Key: "$lt", Value: now.Add(-lease)}}}},
		}}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: string(marketplace.NotificationSending)}, {Key: "claimedAt", Value: now}}},
			{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		// Either there is no such notification, or it is not claimable.
		if _, ferr := s.FindNotificationByID(ctx, id); ferr != nil {
			return nil, ferr
		}
		return nil, nil
	} else if err != nil {
		return nil, mongodb.Wrap(err, "claim notification")
	}
	return d.notification(), nil
}

// FinishNotification implements marketplace.NotificationStore.
func (s *NotificationStore) FinishNotification(ctx context.Context, id string, status marketplace.NotificationStatus, errText string, at time.Time) error {
	defer s.db.Lock(notificationsCollection, id)()
	defer s.cache.Forget(id)
	s.cache.Forget(id)
	set := bson.D{{Key: "status", Value: string(status)}, {Key: "error", Value: errText}, {Key: "claimedAt", Value: nil}}
	if status == marketplace.NotificationSent {
		set = append(set, bson.E{Key: "sentAt", Value: at})
	}
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	return mongodb.Wrap(err, "finish notification")
}

// FindUndelivered implements marketplace.NotificationStore.
func (s *NotificationStore) FindUndelivered(ctx context.Context, before time.Time, limit int) ([]*marketplace.Notification, error) {
	return mongodb.FindAll(ctx, s.coll, bson.D{
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{string(marketplace.NotificationPending), string(marketplace.NotificationSending)}}}},
		{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: before}}},
	}, options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}}).SetLimit(int64(limit)), "undelivered notifications", (*notificationDoc).notification)
}

// FindInbox implements marketplace.NotificationStore. The cursor is the
// creation time (Unix milliseconds) and ID of the last item of the page
// before. The items are read through the inbox lookups of the user and of
// the member, then filtered, ordered and paged here.
func (s *NotificationStore) FindInbox(ctx context.Context, f marketplace.InboxFilter) ([]*marketplace.Notification, string, error) {
	var keys []string
	if f.UserID != "" {
		keys = append(keys, inboxKey("", f.UserID))
	}
	if f.MemberID != "" {
		keys = append(keys, inboxKey(f.MemberID, ""))
	}
	if len(keys) == 0 {
		return []*marketplace.Notification{}, "", nil
	}
	var at time.Time
	var atID string
	if f.Cursor != "" {
		var ok bool
		if at, atID, ok = parseTimeCursor(f.Cursor); !ok {
			return nil, "", mongodb.BadCursor()
		}
	}
	var ids []string
	for _, k := range keys {
		some, err := s.inbox.IDs(ctx, k)
		if err != nil {
			return nil, "", err
		}
		ids = append(ids, some...)
	}
	var docs []notificationDoc
	err := mongodb.FindByIDs(ctx, s.db, s.coll, ids, "inbox", func(d *notificationDoc) {
		mine := f.UserID != "" && d.UserID == f.UserID || f.MemberID != "" && d.MemberID == f.MemberID && d.UserID == ""
		created := d.CreatedAt.Truncate(time.Millisecond)
		switch {
		case !mine, d.Channel != string(marketplace.ChannelInbox), f.Unread && d.Read,
			f.Cursor != "" && !(created.Before(at) || created.Equal(at) && d.ID < atID):
			return
		}
		docs = append(docs, *d)
	})
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(docs, func(a, b notificationDoc) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	docs, next := mongodb.Cut(docs, f.Limit, func(d notificationDoc) string { return timeCursor(d.CreatedAt, d.ID) })
	out := make([]*marketplace.Notification, len(docs))
	for i := range docs {
		out[i] = docs[i].notification()
	}
	return out, next, nil
}

// MarkNotificationRead implements marketplace.NotificationStore.
func (s *NotificationStore) MarkNotificationRead(ctx context.Context, id string, at time.Time) error {
	defer s.db.Lock(notificationsCollection, id)()
	defer s.cache.Forget(id)
	s.cache.Forget(id)
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "read", Value: true}, {Key: "readAt", Value: at}}}})
	return mongodb.Wrap(err, "mark notification read")
}

// timeCursor and parseTimeCursor make and read "<unix milliseconds>~<id>".
func timeCursor(t time.Time, id string) string {
	return strings.Join([]string{formatInt(t.UnixMilli()), id}, "~")
}

// maxCursorMillis is the end of the year 9999, the last time BSON dates and
// RFC 3339 both write.
const maxCursorMillis = 253402300799999

func parseTimeCursor(c string) (time.Time, string, bool) {
	ms, id, ok := strings.Cut(c, "~")
	if !ok || id == "" || len(id) > 300 {
		return time.Time{}, "", false
	}
	n, ok := parseInt(ms)
	if !ok || n < 0 || n > maxCursorMillis {
		return time.Time{}, "", false
	}
	return time.UnixMilli(n).UTC(), id, true
}

// PreferenceStore keeps users' notification preferences in the
// preferences collection, one document per user.
type PreferenceStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
}

// NewPreferenceStore returns a preference store on db.
func NewPreferenceStore(db *mongodb.DB) *PreferenceStore {
	return &PreferenceStore{db: db, coll: db.Database.Collection(preferencesCollection)}
}

// FindPreferences implements marketplace.PreferenceStore.
func (s *PreferenceStore) FindPreferences(ctx context.Context, userID string) (marketplace.Preferences, error) {
	var d struct {
		Prefs map[string]map[string]bool `bson:"prefs"`
	}
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return marketplace.Preferences{}, nil
	} else if err != nil {
		return nil, mongodb.Wrap(err, "find preferences")
	}
	p := marketplace.Preferences{}
	for key, chans := range d.Prefs {
		typ := strings.ReplaceAll(key, "_", ".") // stored without dots; see SetPreference
		p[typ] = map[marketplace.Channel]bool{}
		for ch, on := range chans {
			p[typ][marketplace.Channel(ch)] = on
		}
	}
	return p, nil
}

// SetPreference implements marketplace.PreferenceStore. Types and channels
// are checked by the caller, so the field path is safe.
func (s *PreferenceStore) SetPreference(ctx context.Context, userID, typ string, ch marketplace.Channel, on bool) error {
	defer s.db.Lock(preferencesCollection, userID)()
	// The type holds a dot ("match.new"), which a field path would split.
	key := strings.ReplaceAll(typ, ".", "_")
	var d struct {
		Prefs map[string]map[string]bool `bson:"prefs"`
	}
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return mongodb.Wrap(err, "find preferences")
	}
	if d.Prefs == nil {
		d.Prefs = map[string]map[string]bool{}
	}
	if d.Prefs[key] == nil {
		d.Prefs[key] = map[string]bool{}
	}
	d.Prefs[key][string(ch)] = on
	_, err = s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: userID}},
		bson.D{{Key: "_id", Value: userID}, {Key: "prefs", Value: d.Prefs}}, options.Replace().SetUpsert(true))
	return mongodb.Wrap(err, "set preference")
}

// fillKeys fills the inbox lookup from the notifications, when it is empty
// and there are inbox items: once, after an upgrade that added it.
func (s *NotificationStore) fillKeys(ctx context.Context) error {
	empty, err := s.inbox.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	inbox := map[string][]string{}
	err = mongodb.Walk(ctx, s.coll, bson.D{{Key: "channel", Value: string(marketplace.ChannelInbox)}}, "notifications", func(d *notificationDoc) error {
		k := inboxKey(d.MemberID, d.UserID)
		inbox[k] = append(inbox[k], d.ID)
		return nil
	})
	if err != nil {
		return err
	}
	return s.inbox.AddAll(ctx, inbox)
}
