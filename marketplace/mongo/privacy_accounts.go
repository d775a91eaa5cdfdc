package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

// Personal data held with people's accounts: users, tokens, sessions,
// reset links and preferences.

func (s *UserStore) personalCollections() []string {
	return []string{usersCollection, userEmailsCollection, memberUsersCollection}
}

// ExportSubject implements marketplace.PersonalData: a user's account, or a
// member's users, without their password hashes.
func (s *UserStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	filter := bson.D{{Key: "_id", Value: oidOrNil(sub.ID)}}
	if sub.Kind == marketplace.SubjectMember {
		filter = bson.D{{Key: "memberId", Value: oidOrNil(sub.ID)}}
	}
	docs, err := exportDocs(ctx, s.coll, filter, "passwordHash")
	into.Add(usersCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData: the user goes, with
// its e-mail address's lookup (the address is its key); a member's lookup
// of its users goes once they have gone.
func (s *UserStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind == marketplace.SubjectMember {
		return s.byMember.Delete(ctx, sub.ID)
	}
	u, err := s.FindUserByID(ctx, sub.ID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if err := s.DeleteUser(ctx, u); err != nil {
		return err
	}
	return s.byEmail.Delete(ctx, u.Email)
}

// Tokens, sessions and password resets: each keyed by the hash of its
// secret, which an export leaves out.

func (s *TokenStore) personalCollections() []string { return []string{tokensCollection} }

// ExportSubject implements marketplace.PersonalData.
func (s *TokenStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, bson.D{{Key: "userId", Value: oidOrNil(sub.ID)}}, "_id")
	into.Add(tokensCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData.
func (s *TokenStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	return deleteWhere(ctx, s.coll, bson.D{{Key: "userId", Value: oidOrNil(sub.ID)}})
}

func (s *SessionStore) personalCollections() []string { return []string{sessionsCollection} }

// ExportSubject implements marketplace.PersonalData.
func (s *SessionStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, bson.D{{Key: "userId", Value: sub.ID}}, "_id", "csrf")
	into.Add(sessionsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData.
func (s *SessionStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	return deleteWhere(ctx, s.coll, bson.D{{Key: "userId", Value: sub.ID}})
}

func (s *ResetStore) personalCollections() []string { return []string{resetsCollection} }

// ExportSubject implements marketplace.PersonalData.
func (s *ResetStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, bson.D{{Key: "userId", Value: sub.ID}}, "_id")
	into.Add(resetsCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData.
func (s *ResetStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	return deleteWhere(ctx, s.coll, bson.D{{Key: "userId", Value: sub.ID}})
}

// Preferences.

func (s *PreferenceStore) personalCollections() []string { return []string{preferencesCollection} }

// ExportSubject implements marketplace.PersonalData.
func (s *PreferenceStore) ExportSubject(ctx context.Context, sub marketplace.Subject, into marketplace.PersonalRecords) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	docs, err := exportDocs(ctx, s.coll, bson.D{{Key: "_id", Value: sub.ID}})
	into.Add(preferencesCollection, docs...)
	return err
}

// EraseSubject implements marketplace.PersonalData.
func (s *PreferenceStore) EraseSubject(ctx context.Context, sub marketplace.Subject, _ string) error {
	if sub.Kind != marketplace.SubjectUser {
		return nil
	}
	_, err := mongodb.DeleteByIDs(ctx, s.coll, []string{sub.ID})
	return err
}

// Notifications: a user's own, or those for every user of a member, with
// the mails as rendered; the unsubscribe link is a signed secret.
