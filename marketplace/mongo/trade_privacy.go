package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Personal data of trade: threads, deals and quotes
// (marketplace.PersonalData). A thread names people: the users who wrote
// in it and a member of the public by name and e-mail address, with their
// reply tokens' salts and hashes (secrets, never exported). Deals and
// quotes name co-ops, and a deal with a member of the public that
// person's name.

// tradeOf is the filter of a member's threads, deals or quotes (the
// collection's name says which), as either side or a partner.
func tradeOf(coll, memberID string) bson.D {
	switch coll {
	case quotesCollection:
		return quotesOf(memberID)
	case dealsCollection:
		return bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "supplierMemberId", Value: memberID}}, bson.D{{Key: "buyerMemberId", Value: memberID}},
			bson.D{{Key: "parts.memberId", Value: memberID}},
		}}}
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "supplierMemberId", Value: memberID}}, bson.D{{Key: "buyerMemberId", Value: memberID}},
	}}}
}

// Threads.

func (s *ThreadStore) personalCollections() []string {
	return []string{threadsCollection, partyThreadsCollection}
}

// threadsOf returns the filter of the threads about a subject: a member's
// as either side; a user's as a writer, as the buyer, or as the member of
// the public who wrote from the user's address before having an account.
func (s *ThreadStore) threadsOf(ctx context.Context, sub marketplace.Subject) (filter bson.D, email string, err error) {
	if sub.Kind == marketplace.SubjectMember {
		return tradeOf(threadsCollection, sub.ID), "", nil
	}
	if email, err = subjectEmail(ctx, s.db, sub); err != nil {
		return nil, "", err
	}
	or := bson.A{bson.D{{Key: "people.userId", Value: sub.ID}}, bson.D{{Key: "buyerUserId", Value: sub.ID}}}
	if email != "" {
		or = append(or, bson.D{{Key: "people.email", Value: email}})
	}
	return bson.D{{Key: "$or", Value: or}}, email, nil
}

// ExportSubject implements marketplace.PersonalData: the threads the
// subject takes part in, with their messages. Of the people, a user's
// export holds only the user's own entries; a member's none, since they
// include the other side's address; salts and token hashes never.
func (s *ThreadStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	filter, email, err := s.threadsOf(ctx, sub)
	if err != nil {
		return err
	}
	docs, err := exportDocs(ctx, s.coll, filter)
	for _, d := range docs {
		people, _ := d["people"].([]any)
		own := []any{}
		for _, p := range people {
			p, _ := p.(map[string]any)
			if sub.Kind == marketplace.SubjectUser && (p["userId"] == sub.ID || (email != "" && p["email"] == email)) {
				delete(p, "salt")
				delete(p, "tokenHash")
				own = append(own, p)
			}
		}
		d["people"] = own
	}
	into.Add(threadsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData.
//
// An erased member's threads are deleted, not kept under a pseudonym: a
// thread is a private conversation between its two sides, the member's
// half of it is what its people wrote, and with no one left to answer it
// serves the other side nothing that its own mail does not hold. Deals
// that came of it stay (DealStore.EraseSubject).
//
// An erased user's threads stay for the other side, but what the user
// wrote is emptied and signed by the pseudonym, and the user's reply
// address stops working; likewise for the member of the public who wrote
// from the user's address, whose name and address go too.
func (s *ThreadStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	filter, email, err := s.threadsOf(ctx, sub)
	if err != nil {
		return err
	}
	ids, err := idsOf(ctx, s.coll, filter)
	if err != nil {
		return err
	}
	for _, id := range stringIDs(ids) {
		if sub.Kind == marketplace.SubjectMember {
			err = s.deleteThread(ctx, id)
		} else {
			err = s.rewrite(ctx, id, func(t *marketplace.Thread) { eraseFromThread(t, sub.ID, email, pseudonym) })
		}
		if err != nil {
			return err
		}
	}
	return s.ofParty.Delete(ctx, string(sub.Kind)+":"+sub.ID)
}

// eraseFromThread takes a user, and the member of the public who wrote
// from the user's address, out of a thread.
func eraseFromThread(t *marketplace.Thread, userID, email, pseudonym string) {
	gone := map[string]bool{"user:" + userID: true}
	kept := t.People[:0]
	for _, p := range t.People {
		switch {
		case p.UserID == userID:
			continue
		case p.Key == "public" && email != "" && p.Email == email:
			gone[p.Key] = true
			// Blocked, without a token: its link and reply address stop.
			p.Name, p.Email, p.Lang, p.Salt, p.TokenHash, p.Blocked = pseudonym, "", "", "", "", true
			t.BuyerName = pseudonym
		}
		kept = append(kept, p)
	}
	t.People = kept
	for _, m := range t.Messages {
		if gone[m.AuthorKey] {
			m.Author, m.AuthorKey, m.Body, m.Key = pseudonym, pseudonym, "", "erased:"+m.ID
		}
	}
	if t.BuyerUserID == userID {
		t.BuyerUserID = pseudonym
	}
}

// rewrite changes a thread under its lock, with its version moved on so
// that a write from an older read fails rather than restores it.
func (s *ThreadStore) rewrite(ctx context.Context, id string, change func(*marketplace.Thread)) error {
	defer s.db.Lock(threadsCollection, id)()
	t, err := s.FindThreadByID(ctx, id)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	change(t)
	t.Version++
	_, err = s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, toThreadDoc(t))
	return mongodb.Wrap(err, "rewrite thread %s", id)
}

// deleteThread deletes a thread, then takes it out of its parties'
// lookups: a crash between leaves IDs naming nothing, which readers skip.
func (s *ThreadStore) deleteThread(ctx context.Context, id string) error {
	unlock := s.db.Lock(threadsCollection, id)
	t, err := s.FindThreadByID(ctx, id)
	if err == nil {
		_, err = mongodb.DeleteByIDs(ctx, s.coll, []string{id})
	}
	unlock()
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	for _, party := range t.Parties() {
		if err := s.ofParty.Remove(ctx, party, id); err != nil {
			return err
		}
	}
	return nil
}

// DeleteUnconfirmedBefore deletes the enquiries from members of the
// public made before before whose address was never confirmed, at most
// pruneBatch a run (marketplace.RetainUnconfirmedEnquiries).
func (s *ThreadStore) DeleteUnconfirmedBefore(ctx context.Context, before time.Time) (int64, error) {
	ids, err := firstIDs[string](ctx, s.coll, bson.D{{Key: "status", Value: string(marketplace.ThreadUnconfirmed)},
		{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := s.deleteThread(ctx, id); err != nil {
			return int64(i), err
		}
	}
	return int64(len(ids)), nil
}

// Deals.

func (s *DealStore) personalCollections() []string {
	return []string{dealsCollection, partyDealsCollection}
}

// dealsOf returns the filter of the deals about a subject: a member's as
// a side or a partner; for a user, those with the member of the public
// who wrote from the user's address (nil when there are none).
func (s *DealStore) dealsOf(ctx context.Context, sub marketplace.Subject) (bson.D, error) {
	if sub.Kind == marketplace.SubjectMember {
		return tradeOf(dealsCollection, sub.ID), nil
	}
	email, err := subjectEmail(ctx, s.db, sub)
	if err != nil || email == "" {
		return nil, err
	}
	return dealsOfEnquirer(ctx, s.db, email)
}

// enquirerThreads returns the IDs of the threads the member of the public
// with this address wrote ($elemMatch is not one FerretDB takes, so the
// person is checked here).
func enquirerThreads(ctx context.Context, db *mongodb.DB, email string) ([]string, error) {
	var threads []string
	err := mongodb.Walk(ctx, db.Database.Collection(threadsCollection), bson.D{{Key: "people.email", Value: email}}, "threads",
		func(d *threadDoc) error {
			for _, p := range d.People {
				if p.Key == "public" && p.Email == email {
					threads = append(threads, d.ID)
					break
				}
			}
			return nil
		})
	return threads, err
}

// dealsOfEnquirer returns the filter of the deals with the member of the
// public who wrote from email (nil when there are none).
func dealsOfEnquirer(ctx context.Context, db *mongodb.DB, email string) (bson.D, error) {
	threads, err := enquirerThreads(ctx, db, email)
	if err != nil || len(threads) == 0 {
		return nil, err
	}
	return bson.D{{Key: "threadId", Value: bson.D{{Key: "$in", Value: threads}}}, {Key: "buyerMemberId", Value: ""}}, nil
}

// ExportSubject implements marketplace.PersonalData.
func (s *DealStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	filter, err := s.dealsOf(ctx, sub)
	if err != nil {
		return err
	}
	docs := []map[string]any{}
	if filter != nil {
		docs, err = exportDocs(ctx, s.coll, filter)
	}
	into.Add(dealsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData. Deals stay, for the
// federation's figures (value, origin, sector, area, month), but without
// whom they were between: an erased member's ID and name become the
// pseudonym, as does a member of the public's name, and what the parties
// wrote (what the deal was, a dispute's note) goes, since it may name
// people. The erased side's lookup goes; the other side still finds the
// deal. Deals never name the user who reported or confirmed them (only
// the side), so a user's erasure changes only deals with the public.
func (s *DealStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	filter, err := s.dealsOf(ctx, sub)
	if err != nil || filter == nil {
		return err
	}
	ids, err := idsOf(ctx, s.coll, filter)
	if err != nil {
		return err
	}
	for _, id := range stringIDs(ids) {
		if err := s.pseudonymise(ctx, id, sub, pseudonym); err != nil {
			return err
		}
	}
	if sub.Kind == marketplace.SubjectMember {
		return s.ofParty.Delete(ctx, "member:"+sub.ID)
	}
	return nil
}

func (s *DealStore) pseudonymise(ctx context.Context, id string, sub marketplace.Subject, pseudonym string) error {
	defer s.db.Lock(dealsCollection, id)()
	d, err := s.FindDealByID(ctx, id)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	threadID := d.ThreadID
	if sub.Kind != marketplace.SubjectMember {
		d.BuyerName = pseudonym
	} else {
		if d.SupplierMemberID == sub.ID {
			d.SupplierMemberID, d.SupplierName = pseudonym, pseudonym
		}
		if d.BuyerMemberID == sub.ID {
			d.BuyerMemberID, d.BuyerName = pseudonym, pseudonym
		}
		for i := range d.Parts {
			if d.Parts[i].MemberID == sub.ID {
				d.Parts[i].MemberID, d.Parts[i].MemberName = pseudonym, pseudonym
			}
		}
		// The erased member's thread is gone (ThreadStore.EraseSubject).
		d.ThreadID = ""
	}
	d.What, d.DisputeNote = "", ""
	d.Version++
	_, err = s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, toDealDoc(d))
	s.forgetWalked()
	if err != nil {
		return mongodb.Wrap(err, "pseudonymise deal %s", id)
	}
	if threadID != "" && d.ThreadID == "" {
		// Every deal of the thread is between the same sides, so all of
		// them leave it.
		return s.ofParty.Delete(ctx, "thread:"+threadID)
	}
	return nil
}

// Quotes.

func (s *QuoteStore) personalCollections() []string {
	return []string{quotesCollection, quoteKeysCollection}
}

func quotesOf(memberID string) bson.D {
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "memberId", Value: memberID}}, bson.D{{Key: "needMemberId", Value: memberID}},
		bson.D{{Key: "parts.memberId", Value: memberID}},
	}}}
}

// ExportSubject implements marketplace.PersonalData: a member's quotes,
// sent, received and joined. Quotes name no user.
func (s *QuoteStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, quotesOf(sub.ID))
	into.Add(quotesCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData. The quotes an erased
// member sent, and those sent to its needs, are deleted: a quote is an
// offer between two co-ops about one need, the need is gone with the
// member (or the member who offered is), and an accepted quote's deal
// keeps the figures. In a joint quote it only joined, its part stays,
// under the pseudonym, so that the lead's quote to a third co-op still
// adds up.
func (s *QuoteStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	if sub.Kind != marketplace.SubjectMember {
		return nil
	}
	ids, err := idsOf(ctx, s.coll, quotesOf(sub.ID))
	if err != nil {
		return err
	}
	for _, id := range stringIDs(ids) {
		if err := s.eraseFromQuote(ctx, id, sub.ID, pseudonym); err != nil {
			return err
		}
	}
	return s.of.Delete(ctx, "member:"+sub.ID)
}

func (s *QuoteStore) eraseFromQuote(ctx context.Context, id, memberID, pseudonym string) error {
	unlock := s.db.Lock(quotesCollection, id)
	q, err := s.FindQuoteByID(ctx, id)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		unlock()
		return nil
	} else if err != nil {
		unlock()
		return err
	}
	if q.MemberID != memberID && q.NeedMemberID != memberID {
		for _, p := range q.Parts {
			if p.MemberID == memberID {
				p.MemberID, p.MemberName = pseudonym, pseudonym
			}
		}
		q.Version++
		_, err = s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, toQuoteDoc(q))
		unlock()
		return mongodb.Wrap(err, "pseudonymise quote %s", id)
	}
	_, err = mongodb.DeleteByIDs(ctx, s.coll, []string{id})
	unlock()
	if err != nil {
		return err
	}
	// The lookups after the document: a crash between leaves IDs naming
	// nothing, which readers skip.
	keys := []string{"need:" + q.NeedID, "member:" + q.MemberID}
	for _, p := range q.Parts {
		keys = append(keys, "member:"+p.MemberID)
	}
	for _, key := range keys {
		if err := s.of.Remove(ctx, key, id); err != nil {
			return err
		}
	}
	return nil
}
