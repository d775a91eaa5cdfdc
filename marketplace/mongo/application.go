package mongo

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.JoinApplicationStore = (*JoinApplicationStore)(nil)

// JoinApplicationStore keeps applications to join in join_applications by
// their ID. A confirmation link is found through join_confirmations, keyed
// by the hash of its secret and taken by a single find-and-delete; the
// applications waiting for staff through the join_queue lookup, so that the
// staff's queue reads no unconfirmed application.
type JoinApplicationStore struct {
	db    *mongodb.DB
	coll  *mongo.Collection
	links *mongo.Collection
	queue *mongodb.Keys
}

// NewJoinApplicationStore returns an application store on db.
func NewJoinApplicationStore(db *mongodb.DB) *JoinApplicationStore {
	return &JoinApplicationStore{db: db, coll: db.Database.Collection(joinApplicationsCollection),
		links: db.Database.Collection(joinConfirmationsCollection), queue: db.Keys(joinQueueCollection)}
}

type joinApplicationDoc struct {
	ID                 string     `bson:"_id"`
	Kind               string     `bson:"kind"`
	Name               string     `bson:"name"`
	RegistrationNumber string     `bson:"registrationNumber,omitempty"`
	Sector             string     `bson:"sector"`
	Postcode           string     `bson:"postcode"`
	Website            string     `bson:"website,omitempty"`
	Statement          string     `bson:"statement"`
	ApplicantName      string     `bson:"applicantName"`
	Email              string     `bson:"email"`
	Language           string     `bson:"language"`
	Status             string     `bson:"status"`
	ConfirmHash        string     `bson:"confirmHash,omitempty"`
	ConfirmBy          time.Time  `bson:"confirmBy"`
	Note               string     `bson:"note,omitempty"`
	DecidedBy          string     `bson:"decidedBy,omitempty"`
	MemberID           string     `bson:"memberId,omitempty"`
	CreatedAt          time.Time  `bson:"createdAt"`
	ConfirmedAt        *time.Time `bson:"confirmedAt,omitempty"`
	DecidedAt          *time.Time `bson:"decidedAt,omitempty"`
	Version            int64      `bson:"version"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

type joinConfirmationDoc struct {
	Hash          string    `bson:"_id"`
	ApplicationID string    `bson:"applicationId"`
	ConfirmBy     time.Time `bson:"confirmBy"`
}

func newJoinApplicationDoc(a *marketplace.JoinApplication) joinApplicationDoc {
	return joinApplicationDoc{Schema: mongodb.SchemaVersion, ID: a.ID, Kind: string(a.Kind), Name: a.Name, RegistrationNumber: a.RegistrationNumber,
		Sector: a.Sector, Postcode: a.Postcode, Website: a.Website, Statement: a.Statement, ApplicantName: a.ApplicantName,
		Email: a.Email, Language: a.Language, Status: string(a.Status), ConfirmHash: a.ConfirmHash, ConfirmBy: a.ConfirmBy,
		Note: a.Note, DecidedBy: a.DecidedBy, MemberID: a.MemberID, CreatedAt: a.CreatedAt, ConfirmedAt: a.ConfirmedAt,
		DecidedAt: a.DecidedAt, Version: a.Version}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (d *joinApplicationDoc) application() *marketplace.JoinApplication {
	return &marketplace.JoinApplication{ID: d.ID, Kind: marketplace.MemberKind(d.Kind), Name: d.Name,
		RegistrationNumber: d.RegistrationNumber, Sector: d.Sector, Postcode: d.Postcode, Website: d.Website,
		Statement: d.Statement, ApplicantName: d.ApplicantName, Email: d.Email, Language: d.Language,
		Status: marketplace.ApplicationStatus(d.Status), ConfirmHash: d.ConfirmHash, ConfirmBy: d.ConfirmBy.UTC(),
		Note: d.Note, DecidedBy: d.DecidedBy, MemberID: d.MemberID, CreatedAt: d.CreatedAt.UTC(),
		ConfirmedAt: utcPtr(d.ConfirmedAt), DecidedAt: utcPtr(d.DecidedAt), Version: d.Version}
}

// CreateJoinApplication implements marketplace.JoinApplicationStore.
// Applications never confirmed go first, with their links, once their
// links have expired: what robots leave does not pile up. (Both filters
// read the whole collection on FerretDB; applying is rare and limited.)
func (s *JoinApplicationStore) CreateJoinApplication(ctx context.Context, a *marketplace.JoinApplication) error {
	expired := bson.D{{Key: "$lte", Value: a.CreatedAt}}
	if _, err := s.links.DeleteMany(ctx, bson.D{{Key: "confirmBy", Value: expired}}); err != nil {
		return mongodb.Wrap(err, "delete expired application confirmations")
	}
	if _, err := s.coll.DeleteMany(ctx, bson.D{{Key: "status", Value: string(marketplace.ApplicationUnconfirmed)}, {Key: "confirmBy", Value: expired}}); err != nil {
		return mongodb.Wrap(err, "delete unconfirmed applications")
	}
	if _, err := s.links.InsertOne(ctx, joinConfirmationDoc{Hash: a.ConfirmHash, ApplicationID: a.ID, ConfirmBy: a.ConfirmBy}); err != nil {
		return mongodb.Wrap(err, "insert application confirmation")
	}
	_, err := s.coll.InsertOne(ctx, newJoinApplicationDoc(a))
	return mongodb.Wrap(err, "insert application")
}

// FindJoinApplicationByID implements marketplace.JoinApplicationStore.
func (s *JoinApplicationStore) FindJoinApplicationByID(ctx context.Context, id string) (*marketplace.JoinApplication, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: id}}, "application", id, (*joinApplicationDoc).application)
}

// TakeJoinConfirmation implements marketplace.JoinApplicationStore.
func (s *JoinApplicationStore) TakeJoinConfirmation(ctx context.Context, hash string) (*marketplace.JoinApplication, error) {
	link, err := mongodb.TakeByID[joinConfirmationDoc](ctx, s.links, hash, "application")
	if err != nil {
		return nil, err
	}
	a, err := s.FindJoinApplicationByID(ctx, link.ApplicationID)
	if err == nil && a.ConfirmHash != hash {
		return nil, mongodb.NotFound("application")
	}
	return a, err
}

// FindJoinApplications implements marketplace.JoinApplicationStore. Those
// waiting for staff are read through the queue's lookup; other statuses,
// which nothing reads often, by a filter.
func (s *JoinApplicationStore) FindJoinApplications(ctx context.Context, status marketplace.ApplicationStatus) ([]*marketplace.JoinApplication, error) {
	var out []*marketplace.JoinApplication
	if status == marketplace.ApplicationPending {
		ids, err := s.queue.IDs(ctx, string(status))
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			a, err := s.FindJoinApplicationByID(ctx, id)
			if marketplace.ErrorCode(err) == marketplace.ENOTFOUND {
				continue
			} else if err != nil {
				return nil, err
			}
			if a.Status == status {
				out = append(out, a)
			}
		}
	} else {
		var err error
		out, err = mongodb.FindAll(ctx, s.coll, bson.D{{Key: "status", Value: string(status)}}, nil, "applications", (*joinApplicationDoc).application)
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b *marketplace.JoinApplication) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// UpdateJoinApplication implements marketplace.JoinApplicationStore. An
// application joins the queue's lookup before it is stored as waiting, and
// leaves it after it is stored as decided.
func (s *JoinApplicationStore) UpdateJoinApplication(ctx context.Context, a *marketplace.JoinApplication) error {
	pending := string(marketplace.ApplicationPending)
	if a.Status == marketplace.ApplicationPending {
		if err := s.queue.Add(ctx, pending, a.ID); err != nil {
			return err
		}
	}
	unlock := s.db.Lock(joinApplicationsCollection, a.ID)
	err := s.db.ReplaceVersion(ctx, s.coll, a.ID, a.Version-1, "application", a.ID, newJoinApplicationDoc(a))
	unlock()
	if err != nil {
		return err
	}
	if a.Status != marketplace.ApplicationPending {
		return s.queue.Remove(ctx, pending, a.ID)
	}
	return nil
}
