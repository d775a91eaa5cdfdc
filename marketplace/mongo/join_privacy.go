package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Personal data of the way in: invitations and applications to join
// (marketplace.PersonalData). Both name people by e-mail address, which a
// user subject is found by as well as by its ID.

// subjectEmail is the e-mail address of a user subject: the one the
// service gives when it erases, else the account's (an export, or a test
// erasing store by store; the users' store erases after these).
func subjectEmail(ctx context.Context, db *mongodb.DB, sub marketplace.Subject) (string, error) {
	if sub.Kind != marketplace.SubjectUser || sub.Email != "" {
		return sub.Email, nil
	}
	type account struct {
		Email string `bson:"email"`
	}
	email := ""
	err := mongodb.Walk(ctx, db.Database.Collection(usersCollection), bson.D{{Key: "_id", Value: oidOrNil(sub.ID)}}, "user",
		func(d *account) error {
			email = d.Email
			return nil
		})
	return email, err
}

// Invitations: a member's; for a user, those they sent and those to their
// address. The link's hash is a secret, and invitation_links holds nothing
// but hashes, so neither is exported.

func (s *InvitationStore) personalCollections() []string {
	return []string{invitationsCollection, invitationLinksCollection, memberInvitationsCollection}
}

// invitationsOf returns the filters of the invitations a subject is
// invited by (sentBy, nil for a member) and the ones that go with it
// (gone): a member's own, or those to a user's address.
func (s *InvitationStore) invitationsOf(ctx context.Context, sub marketplace.Subject) (sentBy, gone bson.D, err error) {
	if sub.Kind == marketplace.SubjectMember {
		return nil, bson.D{{Key: "memberId", Value: sub.ID}}, nil
	}
	email, err := subjectEmail(ctx, s.db, sub)
	if err != nil {
		return nil, nil, err
	}
	sentBy = bson.D{{Key: "invitedBy", Value: sub.ID}}
	if email != "" {
		gone = bson.D{{Key: "email", Value: email}}
	}
	return sentBy, gone, nil
}

// ExportSubject implements marketplace.PersonalData.
func (s *InvitationStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	sentBy, gone, err := s.invitationsOf(ctx, sub)
	if err != nil {
		return err
	}
	filter := gone
	if sentBy != nil && gone != nil {
		filter = bson.D{{Key: "$or", Value: bson.A{sentBy, gone}}}
	} else if sentBy != nil {
		filter = sentBy
	}
	docs, err := exportDocs(ctx, s.coll, filter, "hash")
	into.Add(invitationsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData: a member's invitations
// and those to a user's address go, with their links and lookups. Those a
// user sent stay, naming the pseudonym as who invited: an invitation is
// the co-op's (an owner sends it on its behalf), and the person invited
// keeps the link they were mailed when the one who sent it leaves.
func (s *InvitationStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	sentBy, gone, err := s.invitationsOf(ctx, sub)
	if err != nil {
		return err
	}
	if gone != nil {
		var invs []*marketplace.Invitation
		err := mongodb.Walk(ctx, s.coll, gone, "invitations", func(d *invitationDoc) error {
			invs = append(invs, d.invitation())
			return nil
		})
		if err != nil {
			return err
		}
		for _, inv := range invs {
			if err := s.DeleteInvitation(ctx, inv); err != nil {
				return err
			}
		}
	}
	if sub.Kind == marketplace.SubjectMember {
		return s.byMember.Delete(ctx, sub.ID)
	}
	ids, err := idsOf(ctx, s.coll, sentBy)
	if err != nil {
		return err
	}
	for _, id := range stringIDs(ids) {
		// Under the invitation's lock, so that sending it again (a
		// whole-document replace) does not bring the name back.
		unlock := s.db.Lock(invitationsCollection, id)
		err := mongodb.UpdateByIDs(ctx, s.coll, []string{id}, bson.D{{Key: "$set", Value: bson.D{{Key: "invitedBy", Value: pseudonym}}}})
		unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// Applications to join: a member's (the one that admitted it); for a user,
// those made from their address and those they decided as staff. The
// confirmation link's hash is a secret, and join_confirmations and
// join_queue hold nothing but hashes and IDs, so none of them is exported.
// An application is not found by the applicant's name alone: names are
// not unique, and an export would hand one person another's application.

func (s *JoinApplicationStore) personalCollections() []string {
	return []string{joinApplicationsCollection, joinConfirmationsCollection, joinQueueCollection}
}

// applicationsOf returns the filter of the applications about a subject.
func (s *JoinApplicationStore) applicationsOf(ctx context.Context, sub marketplace.Subject) (bson.D, string, error) {
	if sub.Kind == marketplace.SubjectMember {
		return bson.D{{Key: "memberId", Value: sub.ID}}, "", nil
	}
	email, err := subjectEmail(ctx, s.db, sub)
	if err != nil {
		return nil, "", err
	}
	decided := bson.D{{Key: "decidedBy", Value: sub.ID}}
	if email == "" {
		return decided, "", nil
	}
	return bson.D{{Key: "$or", Value: bson.A{decided, bson.D{{Key: "email", Value: email}}}}}, email, nil
}

// ExportSubject implements marketplace.PersonalData.
func (s *JoinApplicationStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	filter, _, err := s.applicationsOf(ctx, sub)
	if err != nil {
		return err
	}
	docs, err := exportDocs(ctx, s.coll, filter, "confirmHash")
	into.Add(joinApplicationsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData. An erased member's
// application goes. A user's own application goes too, unless it was
// admitted: then it stays as the record of how the member joined, without
// the applicant's name, address and statement. An application a user
// decided as staff names the pseudonym as who decided it.
func (s *JoinApplicationStore) EraseSubject(ctx context.Context, sub marketplace.Subject, pseudonym string) error {
	filter, email, err := s.applicationsOf(ctx, sub)
	if err != nil {
		return err
	}
	var docs []joinApplicationDoc
	err = mongodb.Walk(ctx, s.coll, filter, "applications", func(d *joinApplicationDoc) error {
		docs = append(docs, *d)
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range docs {
		mine := sub.Kind == marketplace.SubjectMember || (email != "" && d.Email == email)
		// The record of how a member still there joined stays.
		memberRecord := sub.Kind == marketplace.SubjectUser && d.Status == string(marketplace.ApplicationAdmitted) && d.MemberID != ""
		if mine && !memberRecord {
			if err := s.deleteApplication(ctx, d); err != nil {
				return err
			}
			continue
		}
		set := bson.D{}
		if mine {
			set = append(set, bson.E{Key: "applicantName", Value: ""}, bson.E{Key: "email", Value: ""}, bson.E{Key: "statement", Value: ""})
		}
		if sub.Kind == marketplace.SubjectUser && d.DecidedBy == sub.ID {
			set = append(set, bson.E{Key: "decidedBy", Value: pseudonym})
		}
		if len(set) == 0 {
			continue
		}
		// Under the application's lock, with its version moved on, so
		// that a write from an older read fails rather than restores it.
		unlock := s.db.Lock(joinApplicationsCollection, d.ID)
		err := mongodb.UpdateByIDs(ctx, s.coll, []string{d.ID}, bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
		unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// deleteApplication deletes an application, then its confirmation link
// and its place in the queue: a crash between leaves a link or a queue
// entry naming nothing, which readers skip.
func (s *JoinApplicationStore) deleteApplication(ctx context.Context, d joinApplicationDoc) error {
	unlock := s.db.Lock(joinApplicationsCollection, d.ID)
	_, err := mongodb.DeleteByIDs(ctx, s.coll, []string{d.ID})
	unlock()
	if err != nil {
		return err
	}
	if d.ConfirmHash != "" {
		if _, err := s.links.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ConfirmHash}}); err != nil {
			return mongodb.Wrap(err, "delete application confirmation")
		}
	}
	return s.queue.Remove(ctx, string(marketplace.ApplicationPending), d.ID)
}

// Retention of the way in (marketplace.RetentionTable). There are few of
// these, so each goes on its own, with its link and lookup.

// DeleteExpiredBefore deletes the invitations whose link expired before
// before, at most pruneBatch a run.
func (s *InvitationStore) DeleteExpiredBefore(ctx context.Context, before time.Time) (int64, error) {
	var invs []*marketplace.Invitation
	err := mongodb.Walk(ctx, s.coll, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: before}}}}, "invitations",
		func(d *invitationDoc) error {
			if len(invs) < pruneBatch {
				invs = append(invs, d.invitation())
			}
			return nil
		})
	if err != nil {
		return 0, err
	}
	for i, inv := range invs {
		if err := s.DeleteInvitation(ctx, inv); err != nil {
			return int64(i), err
		}
	}
	return int64(len(invs)), nil
}

// DeleteRefusedBefore deletes the applications refused before before.
func (s *JoinApplicationStore) DeleteRefusedBefore(ctx context.Context, before time.Time) (int64, error) {
	return s.deleteWhere(ctx, bson.D{{Key: "status", Value: string(marketplace.ApplicationRefused)},
		{Key: "decidedAt", Value: bson.D{{Key: "$lt", Value: before}}}})
}

// DeleteUnconfirmedBefore deletes the applications made before before
// whose address was never confirmed. Making an application deletes those
// whose link expired too; this finds them when no one applies.
func (s *JoinApplicationStore) DeleteUnconfirmedBefore(ctx context.Context, before time.Time) (int64, error) {
	return s.deleteWhere(ctx, bson.D{{Key: "status", Value: string(marketplace.ApplicationUnconfirmed)},
		{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: before}}}})
}

// deleteWhere deletes at most pruneBatch applications filter finds.
func (s *JoinApplicationStore) deleteWhere(ctx context.Context, filter bson.D) (int64, error) {
	var docs []joinApplicationDoc
	err := mongodb.Walk(ctx, s.coll, filter, "applications", func(d *joinApplicationDoc) error {
		if len(docs) < pruneBatch {
			docs = append(docs, *d)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for i, d := range docs {
		if err := s.deleteApplication(ctx, d); err != nil {
			return int64(i), err
		}
	}
	return int64(len(docs)), nil
}
