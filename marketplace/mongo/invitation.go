package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.InvitationStore = (*InvitationStore)(nil)

// InvitationStore keeps invitations in the invitations collection by their
// ID. A link is found through invitation_links, keyed by the hash of its
// secret, whose document is taken by a single find-and-delete, so that a
// link works once even when two requests race; a member's invitations
// through the member_invitations lookup.
type InvitationStore struct {
	db       *mongodb.DB
	coll     *mongo.Collection
	links    *mongo.Collection
	byMember *mongodb.Keys
}

// NewInvitationStore returns an invitation store on db.
func NewInvitationStore(db *mongodb.DB) *InvitationStore {
	return &InvitationStore{db: db, coll: db.Database.Collection(invitationsCollection),
		links: db.Database.Collection(invitationLinksCollection), byMember: db.Keys(memberInvitationsCollection)}
}

type invitationDoc struct {
	ID          string    `bson:"_id"`
	MemberID    string    `bson:"memberId"`
	Email       string    `bson:"email"`
	Role        string    `bson:"role"`
	Language    string    `bson:"language"`
	Hash        string    `bson:"hash"`
	InvitedBy   string    `bson:"invitedBy"`
	CreatedAt   time.Time `bson:"createdAt"`
	SentAt      time.Time `bson:"sentAt"`
	ExpiresAt   time.Time `bson:"expiresAt"`
	Application string    `bson:"application,omitempty"`
}

type invitationLinkDoc struct {
	Hash         string `bson:"_id"`
	InvitationID string `bson:"invitationId"`
}

func newInvitationDoc(inv *marketplace.Invitation) invitationDoc {
	return invitationDoc{ID: inv.ID, MemberID: inv.MemberID, Email: inv.Email, Role: string(inv.Role), Language: inv.Language,
		Hash: inv.Hash, InvitedBy: inv.InvitedBy, CreatedAt: inv.CreatedAt, SentAt: inv.SentAt, ExpiresAt: inv.ExpiresAt,
		Application: inv.Application}
}

func (d *invitationDoc) invitation() *marketplace.Invitation {
	return &marketplace.Invitation{ID: d.ID, MemberID: d.MemberID, Email: d.Email, Role: marketplace.Role(d.Role),
		Language: d.Language, Hash: d.Hash, InvitedBy: d.InvitedBy, CreatedAt: d.CreatedAt.UTC(), SentAt: d.SentAt.UTC(),
		ExpiresAt: d.ExpiresAt.UTC(), Application: d.Application}
}

// CreateInvitation implements marketplace.InvitationStore. The member's
// key and the link come first: a crash leaves a key or link naming
// nothing, which readers skip.
func (s *InvitationStore) CreateInvitation(ctx context.Context, inv *marketplace.Invitation) error {
	if err := s.byMember.Add(ctx, inv.MemberID, inv.ID); err != nil {
		return err
	}
	if _, err := s.links.InsertOne(ctx, invitationLinkDoc{Hash: inv.Hash, InvitationID: inv.ID}); err != nil {
		return mongodb.Wrap(err, "insert invitation link")
	}
	_, err := s.coll.InsertOne(ctx, newInvitationDoc(inv))
	return mongodb.Wrap(err, "insert invitation")
}

// FindInvitationByID implements marketplace.InvitationStore.
func (s *InvitationStore) FindInvitationByID(ctx context.Context, id string) (*marketplace.Invitation, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: id}}, "invitation", id, (*invitationDoc).invitation)
}

// FindInvitationByHash implements marketplace.InvitationStore.
func (s *InvitationStore) FindInvitationByHash(ctx context.Context, hash string) (*marketplace.Invitation, error) {
	var link invitationLinkDoc
	err := s.links.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&link)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, mongodb.NotFound("invitation")
	} else if err != nil {
		return nil, mongodb.Wrap(err, "find invitation link")
	}
	inv, err := s.FindInvitationByID(ctx, link.InvitationID)
	if err == nil && inv.Hash != hash {
		return nil, mongodb.NotFound("invitation") // a link replaced by a newer one
	}
	return inv, err
}

// FindInvitationsByMember implements marketplace.InvitationStore.
func (s *InvitationStore) FindInvitationsByMember(ctx context.Context, memberID string) ([]*marketplace.Invitation, error) {
	ids, err := s.byMember.IDs(ctx, memberID)
	if err != nil {
		return nil, err
	}
	var out []*marketplace.Invitation
	for _, id := range ids {
		inv, err := s.FindInvitationByID(ctx, id)
		if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		if inv.MemberID == memberID {
			out = append(out, inv)
		}
	}
	return out, nil
}

// RenewInvitation implements marketplace.InvitationStore.
func (s *InvitationStore) RenewInvitation(ctx context.Context, inv *marketplace.Invitation, oldHash string) error {
	defer s.db.Lock(invitationsCollection, inv.ID)()
	if _, err := s.links.InsertOne(ctx, invitationLinkDoc{Hash: inv.Hash, InvitationID: inv.ID}); err != nil {
		return mongodb.Wrap(err, "insert invitation link")
	}
	found, replaced, err := s.db.ReplaceIf(ctx, s.coll, inv.ID, []mongodb.Cond{mongodb.Eq("hash", oldHash)}, newInvitationDoc(inv))
	if err != nil {
		return mongodb.Wrap(err, "renew invitation %s", inv.ID)
	}
	if !found || !replaced {
		_, _ = s.links.DeleteOne(ctx, bson.D{{Key: "_id", Value: inv.Hash}})
		return mongodb.NotFound("invitation")
	}
	_, err = s.links.DeleteOne(ctx, bson.D{{Key: "_id", Value: oldHash}})
	return mongodb.Wrap(err, "delete old invitation link")
}

// TakeInvitation implements marketplace.InvitationStore.
func (s *InvitationStore) TakeInvitation(ctx context.Context, hash string) (*marketplace.Invitation, error) {
	link, err := mongodb.TakeByID[invitationLinkDoc](ctx, s.links, hash, "invitation")
	if err != nil {
		return nil, err
	}
	unlock := s.db.Lock(invitationsCollection, link.InvitationID)
	inv, err := s.FindInvitationByID(ctx, link.InvitationID)
	if err == nil && inv.Hash != hash {
		err = mongodb.NotFound("invitation")
	}
	if err == nil {
		_, err = s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: inv.ID}})
		err = mongodb.Wrap(err, "delete invitation")
	}
	unlock()
	if err != nil {
		return nil, err
	}
	return inv, s.byMember.Remove(ctx, inv.MemberID, inv.ID)
}

// DeleteInvitation implements marketplace.InvitationStore.
func (s *InvitationStore) DeleteInvitation(ctx context.Context, inv *marketplace.Invitation) error {
	unlock := s.db.Lock(invitationsCollection, inv.ID)
	stored, err := s.FindInvitationByID(ctx, inv.ID)
	if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
		unlock()
		return nil
	} else if err != nil {
		unlock()
		return err
	}
	_, err = s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: inv.ID}})
	unlock()
	if err != nil {
		return mongodb.Wrap(err, "delete invitation")
	}
	if _, err := s.links.DeleteOne(ctx, bson.D{{Key: "_id", Value: stored.Hash}}); err != nil {
		return mongodb.Wrap(err, "delete invitation link")
	}
	return s.byMember.Remove(ctx, inv.MemberID, inv.ID)
}
