package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.AlertStore = (*AlertStore)(nil)

// AlertStore keeps saved searches in the alerts collection and what they
// find in alert_hits, keyed by alert and listing so that a listing is
// collected once per alert. A counter in alert_changes, bumped by every
// write to alerts, tells caches when to load the alerts again: reading it
// reads one small document, where reading the alerts on FerretDB reads the
// whole collection.
type AlertStore struct {
	db      *mongodb.DB
	coll    *mongo.Collection
	hits    *mongo.Collection
	changes *mongo.Collection
}

// NewAlertStore returns an alert store on db.
func NewAlertStore(db *mongodb.DB) *AlertStore {
	return &AlertStore{db: db, coll: db.Database.Collection(alertsCollection),
		hits: db.Database.Collection(alertHitsCollection), changes: db.Database.Collection(alertChangesCollection)}
}

type alertDoc struct {
	ID              primitive.ObjectID `bson:"_id"`
	UserID          string             `bson:"userId"`
	MemberID        string             `bson:"memberId"`
	Name            string             `bson:"name"`
	Query           string             `bson:"query"`
	Frequency       string             `bson:"frequency"`
	Paused          bool               `bson:"paused"`
	SourceListingID string             `bson:"sourceListingId"`
	Version         int64              `bson:"version"`
	CreatedAt       time.Time          `bson:"createdAt"`
	UpdatedAt       time.Time          `bson:"updatedAt"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

func (d *alertDoc) alert() *marketplace.Alert {
	return &marketplace.Alert{
		ID: d.ID.Hex(), UserID: d.UserID, MemberID: d.MemberID, Name: d.Name, Query: d.Query,
		Frequency: marketplace.AlertFrequency(d.Frequency), Paused: d.Paused, SourceListingID: d.SourceListingID,
		Version: d.Version, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
}

// CreateAlert implements marketplace.AlertStore.
func (s *AlertStore) CreateAlert(ctx context.Context, a *marketplace.Alert) error {
	d := alertDoc{
		Schema: mongodb.SchemaVersion,
		ID:     primitive.NewObjectID(), UserID: a.UserID, MemberID: a.MemberID, Name: a.Name, Query: a.Query,
		Frequency: string(a.Frequency), Paused: a.Paused, SourceListingID: a.SourceListingID,
		Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	if _, err := s.coll.InsertOne(ctx, d); err != nil {
		return mongodb.Wrap(err, "insert alert")
	}
	a.ID = d.ID.Hex()
	return s.changed(ctx)
}

// FindAlertByID implements marketplace.AlertStore.
func (s *AlertStore) FindAlertByID(ctx context.Context, id string) (*marketplace.Alert, error) {
	return mongodb.FindByID(ctx, s.coll, id, "alert", (*alertDoc).alert)
}

// FindAlertsByUser implements marketplace.AlertStore.
func (s *AlertStore) FindAlertsByUser(ctx context.Context, userID string) ([]*marketplace.Alert, error) {
	return mongodb.FindAll(ctx, s.coll, bson.D{{Key: "userId", Value: userID}}, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}),
		"alerts of user "+userID, (*alertDoc).alert)
}

// UpdateAlert implements marketplace.AlertStore.
func (s *AlertStore) UpdateAlert(ctx context.Context, a *marketplace.Alert, version int64) error {
	oid, err := mongodb.ObjectID(a.ID, "alert")
	if err != nil {
		return err
	}
	unlock := s.db.Lock(alertsCollection, a.ID)
	err = s.db.UpdateVersion(ctx, s.coll, oid, version, "alert", a.ID,
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: a.Name}, {Key: "frequency", Value: string(a.Frequency)},
			{Key: "paused", Value: a.Paused}, {Key: "updatedAt", Value: a.UpdatedAt},
			{Key: "version", Value: version + 1},
		}}})
	unlock()
	if err != nil {
		return err
	}
	a.Version = version + 1
	return s.changed(ctx)
}

// DeleteAlert implements marketplace.AlertStore. The hits go first, so
// that an alert is never gone while hits of it remain.
func (s *AlertStore) DeleteAlert(ctx context.Context, id string) error {
	oid, err := mongodb.ObjectID(id, "alert")
	if err != nil {
		return err
	}
	if _, err := s.hits.DeleteMany(ctx, bson.D{{Key: "alertId", Value: id}}); err != nil {
		return mongodb.Wrap(err, "delete hits of alert %s", id)
	}
	res, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: oid}})
	if err != nil {
		return mongodb.Wrap(err, "delete alert %s", id)
	}
	if res.DeletedCount == 0 {
		return mongodb.NotFound("alert")
	}
	return s.changed(ctx)
}

// WalkAlerts implements marketplace.AlertStore.
func (s *AlertStore) WalkAlerts(ctx context.Context, fn func(*marketplace.Alert) error) error {
	return mongodb.Walk(ctx, s.coll, bson.D{}, "alerts", func(d *alertDoc) error { return fn(d.alert()) })
}

const alertChangesID = "alerts"

// AlertGeneration implements marketplace.AlertStore.
func (s *AlertStore) AlertGeneration(ctx context.Context) (int64, error) {
	var d struct {
		N int64 `bson:"n"`
	}
	err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: alertChangesID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	} else if err != nil {
		return 0, mongodb.Wrap(err, "read the alerts' generation")
	}
	return d.N, nil
}

// changed bumps the generation after a write to alerts.
func (s *AlertStore) changed(ctx context.Context) error {
	defer s.db.Lock(alertChangesCollection, alertChangesID)()
	_, err := s.changes.UpdateOne(ctx, bson.D{{Key: "_id", Value: alertChangesID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}}, options.Update().SetUpsert(true))
	return mongodb.Wrap(err, "bump the alerts' generation")
}

type alertHitDoc struct {
	ID            string    `bson:"_id"`
	AlertID       string    `bson:"alertId"`
	ListingID     string    `bson:"listingId"`
	UserID        string    `bson:"userId"`
	Kind          string    `bson:"kind"`
	Title         string    `bson:"title"`
	MemberName    string    `bson:"memberName"`
	Area          string    `bson:"area"`
	Remote        bool      `bson:"remote"`
	PriceMinPence int64     `bson:"priceMinPence"`
	PriceMaxPence int64     `bson:"priceMaxPence"`
	PriceUnit     string    `bson:"priceUnit"`
	PublishedAt   time.Time `bson:"publishedAt"`
	CreatedAt     time.Time `bson:"createdAt"`
	Digest        string    `bson:"digest"`
}

func (d *alertHitDoc) hit() *marketplace.AlertHit {
	return &marketplace.AlertHit{
		AlertID: d.AlertID, ListingID: d.ListingID, UserID: d.UserID, Kind: marketplace.ListingKind(d.Kind),
		Title: d.Title, MemberName: d.MemberName, Area: d.Area, Remote: d.Remote,
		PriceMinPence: d.PriceMinPence, PriceMaxPence: d.PriceMaxPence, PriceUnit: d.PriceUnit,
		PublishedAt: d.PublishedAt.UTC(), CreatedAt: d.CreatedAt.UTC(), Digest: d.Digest,
	}
}

// CreateAlertHit implements marketplace.AlertStore: the hit's ID is its
// alert and listing, so a second hit of the pair is a duplicate key.
func (s *AlertStore) CreateAlertHit(ctx context.Context, h *marketplace.AlertHit) (bool, error) {
	d := alertHitDoc{
		ID: marketplace.AlertHitID(h.AlertID, h.ListingID), AlertID: h.AlertID, ListingID: h.ListingID, UserID: h.UserID,
		Kind: string(h.Kind), Title: h.Title, MemberName: h.MemberName, Area: h.Area, Remote: h.Remote,
		PriceMinPence: h.PriceMinPence, PriceMaxPence: h.PriceMaxPence, PriceUnit: h.PriceUnit,
		PublishedAt: h.PublishedAt, CreatedAt: h.CreatedAt, Digest: h.Digest,
	}
	_, err := s.hits.InsertOne(ctx, d)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	} else if err != nil {
		return false, mongodb.Wrap(err, "insert alert hit")
	}
	return true, nil
}

// FindAlertHits implements marketplace.AlertStore.
func (s *AlertStore) FindAlertHits(ctx context.Context, f marketplace.AlertHitFilter) ([]*marketplace.AlertHit, error) {
	if len(f.AlertIDs) == 0 {
		return nil, nil
	}
	filter := bson.D{{Key: "alertId", Value: bson.D{{Key: "$in", Value: f.AlertIDs}}}}
	if len(f.Digests) > 0 {
		filter = append(filter, bson.E{Key: "digest", Value: bson.D{{Key: "$in", Value: f.Digests}}})
	}
	if !f.Before.IsZero() {
		filter = append(filter, bson.E{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: f.Before}}})
	}
	return mongodb.FindAll(ctx, s.hits, filter, options.Find().SetBatchSize(1000), "alert hits", (*alertHitDoc).hit)
}

// MarkAlertHits implements marketplace.AlertStore, in one write.
func (s *AlertStore) MarkAlertHits(ctx context.Context, hitIDs []string, digest string) error {
	if len(hitIDs) == 0 {
		return nil
	}
	_, err := s.hits.UpdateMany(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: hitIDs}}}, {Key: "digest", Value: ""}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "digest", Value: digest}}}})
	return mongodb.Wrap(err, "mark alert hits")
}
