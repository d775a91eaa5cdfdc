package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Personal data held with what people and members do: notifications,
// saved searches, the audit log, matches, webhooks, listings and members.

func (s *NotificationStore) personalCollections() []string {
	return []string{notificationsCollection, inboxCollection}
}

// notificationsOf returns the filter of a subject's notifications: a
// member's own; a user's, and the mails to the user's address from before
// they had an account (a member of the public's, about an enquiry).
func (s *NotificationStore) notificationsOf(ctx context.Context, sub marketplace.Subject) (bson.D, error) {
	if sub.Kind == marketplace.SubjectMember {
		return bson.D{{Key: "memberId", Value: sub.ID}, {Key: "userId", Value: ""}}, nil
	}
	email, err := subjectEmail(ctx, s.db, sub)
	if err != nil || email == "" {
		return bson.D{{Key: "userId", Value: sub.ID}}, err
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "userId", Value: sub.ID}},
		bson.D{{Key: "to", Value: email}, {Key: "userId", Value: ""}, {Key: "memberId", Value: ""}},
	}}}, nil
}

// ExportSubject implements marketplace.PersonalData.
func (s *NotificationStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	filter, err := s.notificationsOf(ctx, sub)
	if err != nil {
		return err
	}
	docs, err := exportDocs(ctx, s.coll, filter, "unsubscribe")
	into.Add(notificationsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData: the subject's
// notifications go, and for a member those of others about it, through
// DeleteNotifications, so that the inboxes and the cache stay true; then
// the subject's inbox.
func (s *NotificationStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	var ids []string
	filter, err := s.notificationsOf(ctx, sub)
	if err != nil {
		return err
	}
	err = mongodb.Walk(ctx, s.coll, filter, "notifications", func(d *notificationDoc) error {
		ids = append(ids, d.ID)
		return nil
	})
	if err != nil {
		return err
	}
	if sub.Kind == marketplace.SubjectMember {
		// Others' notifications about the member (its listing in their
		// match, alert or introduction) carry its name and contact.
		about := bson.A{bson.D{{Key: "data.member_id", Value: sub.ID}}}
		listings, err := memberListingIDs(ctx, s.db, sub.ID)
		if err != nil {
			return err
		}
		if len(listings) > 0 {
			about = append(about, bson.D{{Key: "data.listing_id", Value: bson.D{{Key: "$in", Value: listings}}}},
				bson.D{{Key: "data.need_id", Value: bson.D{{Key: "$in", Value: listings}}}})
		}
		// Others' mails about its threads, deals and quotes carry its
		// name and what its people wrote; the trade stores, which erase
		// after this one, still hold them.
		for _, trade := range []struct{ field, coll string }{
			{"data.thread_id", threadsCollection}, {"data.deal_id", dealsCollection}, {"data.quote_id", quotesCollection},
		} {
			ids, err := idsOf(ctx, s.db.Database.Collection(trade.coll), tradeOf(trade.coll, sub.ID))
			if err != nil {
				return err
			}
			if len(ids) > 0 {
				about = append(about, bson.D{{Key: trade.field, Value: bson.D{{Key: "$in", Value: bson.A(ids)}}}})
			}
		}
		err = mongodb.Walk(ctx, s.coll, bson.D{{Key: "$or", Value: about}}, "notifications", func(d *notificationDoc) error {
			ids = append(ids, d.ID)
			return nil
		})
		if err != nil {
			return err
		}
	}
	if _, err := s.DeleteNotifications(ctx, ids); err != nil {
		return err
	}
	return s.inbox.Delete(ctx, string(sub.Kind)+":"+sub.ID)
}

// DeleteNotifications deletes notifications by ID, DeleteBatch at a time,
// taking them out of their inboxes and the cache, and returns how many it
// deleted.
func (s *NotificationStore) DeleteNotifications(ctx context.Context, ids []string) (int64, error) {
	var deleted int64
	for start := 0; start < len(ids); start += mongodb.DeleteBatch {
		chunk := ids[start:min(start+mongodb.DeleteBatch, len(ids))]
		inboxes := map[string][]string{}
		err := mongodb.FindByIDs(ctx, s.db, s.coll, chunk, "notifications", func(d *notificationDoc) {
			if d.Channel == string(marketplace.ChannelInbox) {
				k := inboxKey(d.MemberID, d.UserID)
				inboxes[k] = append(inboxes[k], d.ID)
			}
		})
		if err != nil {
			return deleted, err
		}
		s.cache.Forget(chunk...)
		n, err := mongodb.DeleteByIDs(ctx, s.coll, chunk)
		s.cache.Forget(chunk...)
		deleted += n
		if err != nil {
			return deleted, err
		}
		// The lookups after the documents: a crash between leaves IDs
		// naming nothing, which readers skip.
		for key, kids := range inboxes {
			for _, id := range kids {
				if err := s.inbox.Remove(ctx, key, id); err != nil {
					return deleted, err
				}
			}
		}
	}
	return deleted, nil
}

// Saved searches and what they found.

func (s *AlertStore) personalCollections() []string {
	return []string{alertsCollection, alertHitsCollection}
}

// ExportSubject implements marketplace.PersonalData: a user's saved
// searches and what they found.
func (s *AlertStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, bson.D{{Key: "userId", Value: sub.ID}})
	if err != nil {
		return err
	}
	into.Add(alertsCollection, docs...)
	hits, err := exportDocs(ctx, s.hits, bson.D{{Key: "userId", Value: sub.ID}})
	into.Add(alertHitsCollection, hits...)
	return err
}

// EraseSubject implements marketplace.PersonalData: a user's saved
// searches and their hits go; for a member, the hits of its listings in
// anyone's saved searches, which carry its name.
func (s *AlertStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind == marketplace.SubjectMember {
		listings, err := memberListingIDs(ctx, s.db, sub.ID)
		if err != nil || len(listings) == 0 {
			return err
		}
		return deleteWhere(ctx, s.hits, bson.D{{Key: "listingId", Value: bson.D{{Key: "$in", Value: listings}}}})
	}
	if err := deleteWhere(ctx, s.hits, bson.D{{Key: "userId", Value: sub.ID}}); err != nil {
		return err
	}
	if err := deleteWhere(ctx, s.coll, bson.D{{Key: "userId", Value: sub.ID}}); err != nil {
		return err
	}
	return s.changed(ctx)
}

// The audit log: entries stay, with the subject's name and ID replaced.

func (s *AuditStore) personalCollections() []string { return []string{auditCollection} }

func auditOf(sub marketplace.Subject) (actor, about bson.D) {
	about = bson.D{{Key: "subject", Value: string(sub.Kind) + ":" + sub.ID}}
	if sub.Kind == marketplace.SubjectUser {
		actor = bson.D{{Key: "actorId", Value: sub.ID}}
	}
	return actor, about
}

// ExportSubject implements marketplace.PersonalData: the entries of the
// subject's actions and about the subject.
func (s *AuditStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	actor, about := auditOf(sub)
	filter := about
	if actor != nil {
		filter = bson.D{{Key: "$or", Value: bson.A{actor, about}}}
	}
	docs, err := exportDocs(ctx, s.coll, filter)
	into.Add(auditCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData: the entries stay, so
// that the log still says what was done, but the actor becomes the
// pseudonym, and an entry about the subject names the pseudonym and loses
// its reason and details, which may hold what was erased.
func (s *AuditStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	actor, about := auditOf(sub)
	if actor != nil {
		ids, err := idsOf(ctx, s.coll, actor)
		if err != nil {
			return err
		}
		err = mongodb.UpdateByIDs(ctx, s.coll, ids, bson.D{{Key: "$set", Value: bson.D{{Key: "actorId", Value: pseudonym}, {Key: "actor", Value: pseudonym}}}})
		if err != nil {
			return err
		}
	}
	ids, err := idsOf(ctx, s.coll, about)
	if err != nil {
		return err
	}
	return mongodb.UpdateByIDs(ctx, s.coll, ids, bson.D{
		{Key: "$set", Value: bson.D{{Key: "subject", Value: pseudonym}}},
		{Key: "$unset", Value: bson.D{{Key: "reason", Value: ""}, {Key: "details", Value: ""}}},
	})
}

// Matches: a member's as either side; a reviewer's name is a user ID.

func (s *MatchStore) personalCollections() []string {
	return []string{matchesCollection, listingMatchesCollection, memberMatchesCollection}
}

func matchesOfMember(memberID string) bson.D {
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "offerMemberId", Value: memberID}}, bson.D{{Key: "needMemberId", Value: memberID}},
	}}}
}

// ExportSubject implements marketplace.PersonalData.
func (s *MatchStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	filter := matchesOfMember(sub.ID)
	if sub.Kind == marketplace.SubjectUser {
		filter = bson.D{{Key: "reviewerId", Value: sub.ID}}
	}
	docs, err := exportDocs(ctx, s.coll, filter)
	into.Add(matchesCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData: a member's matches go,
// out of both sides' lookups; a reviewer becomes the pseudonym.
func (s *MatchStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	if sub.Kind == marketplace.SubjectUser {
		ids, err := idsOf(ctx, s.coll, bson.D{{Key: "reviewerId", Value: sub.ID}})
		if err != nil {
			return err
		}
		defer s.cache.Forget(stringIDs(ids)...)
		s.cache.Forget(stringIDs(ids)...)
		return mongodb.UpdateByIDs(ctx, s.coll, ids, bson.D{{Key: "$set", Value: bson.D{{Key: "reviewerId", Value: pseudonym}}}})
	}
	var docs []matchDoc
	err := mongodb.Walk(ctx, s.coll, matchesOfMember(sub.ID), "matches", func(d *matchDoc) error {
		docs = append(docs, *d)
		return nil
	})
	if err != nil {
		return err
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	s.cache.Forget(ids...)
	_, err = mongodb.DeleteByIDs(ctx, s.coll, ids)
	s.cache.Forget(ids...)
	if err != nil {
		return err
	}
	mine, err := memberListingIDs(ctx, s.db, sub.ID)
	if err != nil {
		return err
	}
	own := map[string]bool{}
	for _, id := range mine {
		own[id] = true
		if err := s.ofListing.Delete(ctx, id); err != nil {
			return err
		}
	}
	for _, d := range docs {
		for _, side := range []struct{ listing, member string }{{d.OfferID, d.OfferMemberID}, {d.NeedID, d.NeedMemberID}} {
			if side.member == sub.ID {
				continue
			}
			if !own[side.listing] {
				if err := s.ofListing.Remove(ctx, side.listing, d.ID); err != nil {
					return err
				}
			}
			if err := s.ofMember.Remove(ctx, side.member, d.ID); err != nil {
				return err
			}
		}
	}
	return s.ofMember.Delete(ctx, sub.ID)
}

func stringIDs(ids []any) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if s, ok := id.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Webhooks: a member's, its secret left out.

func (s *WebhookTargetStore) personalCollections() []string {
	return []string{webhookTargetsCollection}
}

// ExportSubject implements marketplace.PersonalData.
func (s *WebhookTargetStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, bson.D{{Key: "_id", Value: sub.ID}}, "secret")
	into.Add(webhookTargetsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData.
func (s *WebhookTargetStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	defer s.db.Lock(webhookTargetsCollection, sub.ID)()
	_, err := mongodb.DeleteByIDs(ctx, s.coll, []string{sub.ID})
	return err
}

// Listings: a member's.

func (s *ListingStore) personalCollections() []string {
	return []string{listingsCollection, memberListingsCollection}
}

// ExportSubject implements marketplace.PersonalData.
func (s *ListingStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, bson.D{{Key: "memberId", Value: oidOrNil(sub.ID)}})
	into.Add(listingsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData: a member's listings go,
// then its lookup. Taking them out of search and matching is the
// service's (marketplace.Service.ErasePersonalData), before.
func (s *ListingStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	ids, err := idsOf(ctx, s.coll, bson.D{{Key: "memberId", Value: oidOrNil(sub.ID)}})
	if err != nil {
		return err
	}
	hex := make([]string, 0, len(ids))
	for _, id := range ids {
		if oid, ok := id.(primitive.ObjectID); ok {
			hex = append(hex, oid.Hex())
		}
	}
	s.cache.Forget(hex...)
	_, err = mongodb.DeleteByIDs(ctx, s.coll, ids)
	s.cache.Forget(hex...)
	if err != nil {
		return err
	}
	return s.byMember.Delete(ctx, sub.ID)
}

// Members: the member itself, and its slug, made from its name.

func (s *MemberStore) personalCollections() []string {
	return []string{membersCollection, memberSlugsCollection}
}

// ExportSubject implements marketplace.PersonalData.
func (s *MemberStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, bson.D{{Key: "_id", Value: oidOrNil(sub.ID)}})
	into.Add(membersCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData.
func (s *MemberStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	unlock := s.db.Lock(membersCollection, sub.ID)
	s.cache.Forget(sub.ID)
	_, err := mongodb.DeleteByIDs(ctx, s.coll, []primitive.ObjectID{oidOrNil(sub.ID)})
	s.cache.Forget(sub.ID)
	unlock()
	if err != nil {
		return err
	}
	// Every slug the member had, the names it gave up included; a slug
	// another member took since keeps naming that one.
	type slugKey struct {
		Slug string   `bson:"_id"`
		IDs  []string `bson:"ids"`
	}
	var slugs []slugKey
	err = mongodb.Walk(ctx, s.db.Database.Collection(memberSlugsCollection), bson.D{{Key: "ids", Value: sub.ID}}, "member slugs",
		func(d *slugKey) error {
			slugs = append(slugs, *d)
			return nil
		})
	if err != nil {
		return err
	}
	for _, k := range slugs {
		if len(k.IDs) > 1 {
			err = s.bySlug.Remove(ctx, k.Slug, sub.ID)
		} else {
			err = s.bySlug.Delete(ctx, k.Slug)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
