package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Members of the public who wrote enquiries, known by their address only
// (marketplace.EnquirerData): their threads, the deals of those threads
// and the mails they were sent; and the links they reach them by.

var (
	_ marketplace.EnquirerLinkStore = (*EnquirerLinkStore)(nil)
	_ marketplace.EnquirerData      = (*EnquirerLinkStore)(nil)
	_ marketplace.EnquirerData      = (*ThreadStore)(nil)
	_ marketplace.EnquirerData      = (*DealStore)(nil)
	_ marketplace.EnquirerData      = (*NotificationStore)(nil)
)

// EnquirerLinkStore keeps enquirers' links in the enquirer_links
// collection, keyed by the hash of their secret, so that taking one is a
// single find-and-delete by _id.
type EnquirerLinkStore struct {
	coll *mongo.Collection
}

// NewEnquirerLinkStore returns an enquirer link store on db.
func NewEnquirerLinkStore(db *mongodb.DB) *EnquirerLinkStore {
	return &EnquirerLinkStore{coll: db.Database.Collection(enquirerLinksCollection)}
}

type enquirerLinkDoc struct {
	Hash      string    `bson:"_id"`
	Email     string    `bson:"email"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// CreateEnquirerLink implements marketplace.EnquirerLinkStore. The
// address's earlier links and everyone's expired ones go first.
func (s *EnquirerLinkStore) CreateEnquirerLink(ctx context.Context, l *marketplace.EnquirerLink) error {
	if err := s.forget(ctx, l.Email, l.CreatedAt); err != nil {
		return err
	}
	_, err := s.coll.InsertOne(ctx, enquirerLinkDoc(*l))
	return mongodb.Wrap(err, "insert enquirer link")
}

func (s *EnquirerLinkStore) forget(ctx context.Context, email string, now time.Time) error {
	or := bson.A{bson.D{{Key: "email", Value: email}}}
	if !now.IsZero() {
		or = append(or, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lte", Value: now}}}})
	}
	_, err := s.coll.DeleteMany(ctx, bson.D{{Key: "$or", Value: or}})
	return mongodb.Wrap(err, "delete earlier enquirer links")
}

// TakeEnquirerLink implements marketplace.EnquirerLinkStore.
func (s *EnquirerLinkStore) TakeEnquirerLink(ctx context.Context, hash string) (*marketplace.EnquirerLink, error) {
	d, err := mongodb.TakeByID[enquirerLinkDoc](ctx, s.coll, hash, "enquirer link")
	if err != nil {
		return nil, err
	}
	l := marketplace.EnquirerLink(*d)
	l.CreatedAt, l.ExpiresAt = d.CreatedAt.UTC(), d.ExpiresAt.UTC()
	return &l, nil
}

func (s *EnquirerLinkStore) personalCollections() []string {
	return []string{enquirerLinksCollection}
}

// ExportSubject implements marketplace.PersonalData: the links are
// enquirers', and a user's own are reached as an enquirer's.
func (s *EnquirerLinkStore) ExportSubject(context.Context, marketplace.Subject, marketplace.PersonalRecords) error {
	return nil
}

// EraseSubject implements marketplace.PersonalData: a user's address may
// have a link as an enquirer's.
func (s *EnquirerLinkStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind != marketplace.SubjectUser || sub.Email == "" {
		return nil
	}
	return s.forget(ctx, sub.Email, time.Time{})
}

// ExportEnquirer implements marketplace.EnquirerData: a link is a
// secret, and only hashes of secrets are kept, so nothing.
func (s *EnquirerLinkStore) ExportEnquirer(context.Context, string, marketplace.PersonalRecords) error {
	return nil
}

// EraseEnquirer implements marketplace.EnquirerData.
func (s *EnquirerLinkStore) EraseEnquirer(ctx context.Context, email, _ string) error {
	return s.forget(ctx, email, time.Time{})
}

// ExportEnquirer implements marketplace.EnquirerData: of each thread the
// person wrote, what it is about and its state, their own entry (name,
// address, language) and the messages they wrote; nothing of the other
// side's people, and no token.
func (s *ThreadStore) ExportEnquirer(ctx context.Context, email string, into marketplace.PersonalRecords) error {
	ids, err := enquirerThreads(ctx, s.db, email)
	if err != nil {
		return err
	}
	docs := []map[string]any{}
	for _, id := range ids {
		t, err := s.FindThreadByID(ctx, id)
		if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		p := t.Person("public")
		if p == nil || p.Email != email {
			continue
		}
		msgs := []map[string]any{}
		for _, m := range t.Messages {
			if m.AuthorKey == p.Key {
				msgs = append(msgs, map[string]any{"id": m.ID, "author": m.Author, "body": m.Body, "via": m.Via, "createdAt": m.CreatedAt})
			}
		}
		docs = append(docs, map[string]any{
			"id": t.ID, "kind": string(t.Kind), "status": string(t.Status),
			"listingId": t.ListingID, "listingTitle": t.ListingTitle, "supplierName": t.SupplierName,
			"you":      map[string]any{"name": p.Name, "email": p.Email, "lang": p.Lang},
			"messages": msgs, "createdAt": t.CreatedAt, "updatedAt": t.UpdatedAt,
		})
	}
	into.Add(marketplace.EnquirerThreads, docs...)
	return nil
}

// EraseEnquirer implements marketplace.EnquirerData: in each thread the
// person wrote, their name and address become the pseudonym, their token
// goes (so their link and reply address stop), what they wrote is
// emptied, and the thread closes with the time of the erasure, which the
// supplier sees.
func (s *ThreadStore) EraseEnquirer(ctx context.Context, email, pseudonym string) error {
	ids, err := enquirerThreads(ctx, s.db, email)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, id := range ids {
		err := s.rewrite(ctx, id, func(t *marketplace.Thread) {
			p := t.Person("public")
			if p == nil || p.Email != email {
				return
			}
			p.Name, p.Email, p.Lang, p.Salt, p.TokenHash, p.Blocked = pseudonym, "", "", "", "", true
			t.BuyerName = pseudonym
			for _, m := range t.Messages {
				if m.AuthorKey == "public" {
					m.Author, m.AuthorKey, m.Body, m.Key = pseudonym, pseudonym, "", "erased:"+m.ID
				}
			}
			t.Status, t.EnquirerErasedAt, t.UpdatedAt = marketplace.ThreadClosed, &now, now
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ExportEnquirer implements marketplace.EnquirerData: the deals of the
// person's threads, which name them.
func (s *DealStore) ExportEnquirer(ctx context.Context, email string, into marketplace.PersonalRecords) error {
	filter, err := dealsOfEnquirer(ctx, s.db, email)
	docs := []map[string]any{}
	if err == nil && filter != nil {
		docs, err = exportDocs(ctx, s.coll, filter)
	}
	into.Add(dealsCollection, docs...)
	return err
}

// EraseEnquirer implements marketplace.EnquirerData: the deals stay for
// the figures, with the person's name replaced and what was written gone
// (as for a user, DealStore.EraseSubject).
func (s *DealStore) EraseEnquirer(ctx context.Context, email, pseudonym string) error {
	filter, err := dealsOfEnquirer(ctx, s.db, email)
	if err != nil || filter == nil {
		return err
	}
	ids, err := idsOf(ctx, s.coll, filter)
	if err != nil {
		return err
	}
	for _, id := range stringIDs(ids) {
		if err := s.pseudonymise(ctx, id, marketplace.Subject{Kind: marketplace.SubjectEnquirer, ID: email}, pseudonym); err != nil {
			return err
		}
	}
	return nil
}

// enquirerMails is the filter of the mails sent to a member of the public
// (no user, no member: mailPublic's).
func enquirerMails(email string) bson.D {
	return bson.D{{Key: "to", Value: email}, {Key: "userId", Value: ""}, {Key: "memberId", Value: ""}}
}

// ExportEnquirer implements marketplace.EnquirerData: the mails the
// person was sent, as a record of what was sent when: without their
// words, which carry the other side's, nor their links and reply
// address, which carry the person's token (a secret).
func (s *NotificationStore) ExportEnquirer(ctx context.Context, email string, into marketplace.PersonalRecords) error {
	docs, err := exportDocs(ctx, s.coll, enquirerMails(email), "text", "html", "link", "replyTo", "unsubscribe", "_id")
	into.Add(notificationsCollection, docs...)
	return err
}

// EraseEnquirer implements marketplace.EnquirerData: the mails to the
// person go, and so do the other side's notifications of their threads,
// which carry the person's name and words. It runs before the threads'
// erasure, which takes the address it finds them by.
func (s *NotificationStore) EraseEnquirer(ctx context.Context, email, _ string) error {
	filter := enquirerMails(email)
	threads, err := enquirerThreads(ctx, s.db, email)
	if err != nil {
		return err
	}
	if len(threads) > 0 {
		in := bson.A{}
		for _, id := range threads {
			in = append(in, id)
		}
		filter = bson.D{{Key: "$or", Value: bson.A{filter, bson.D{{Key: "data.thread_id", Value: bson.D{{Key: "$in", Value: in}}}}}}}
	}
	var ids []string
	err = mongodb.Walk(ctx, s.coll, filter, "notifications", func(d *notificationDoc) error {
		ids = append(ids, d.ID)
		return nil
	})
	if err != nil {
		return err
	}
	_, err = s.DeleteNotifications(ctx, ids)
	return err
}
