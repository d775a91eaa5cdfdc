package mongo

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var _ marketplace.MemberStore = (*MemberStore)(nil)

// MemberStore keeps members in the members collection. Members are found
// by slug through a lookup of its own (mongodb.Keys); the unique index on
// the slug is what keeps it taken once. A slug a member gave up stays in
// the lookup, naming a member that no longer has it: readers check.
//
// On the embedded database the members read by _id are kept in memory
// (mongodb.Cache).
type MemberStore struct {
	db     *mongodb.DB
	coll   *mongo.Collection
	bySlug *mongodb.Keys
	cache  *mongodb.Cache[*marketplace.Member]
}

// membersCached is how many members the embedded database's stores keep
// in memory: a federation's all.
const membersCached = 20_000

// NewMemberStore returns a member store on db.
func NewMemberStore(db *mongodb.DB) *MemberStore {
	return &MemberStore{db: db, coll: db.Database.Collection(membersCollection), bySlug: db.Keys(memberSlugsCollection),
		cache: mongodb.NewCache[*marketplace.Member](db, membersCached)}
}

// cloneMember is a copy of a cached member that its caller may change.
func cloneMember(m *marketplace.Member) *marketplace.Member {
	c := *m
	c.Sectors, c.Values = slices.Clone(m.Sectors), slices.Clone(m.Values)
	return &c
}

type memberDoc struct {
	ID                 primitive.ObjectID `bson:"_id"`
	Kind               string             `bson:"kind"`
	Name               string             `bson:"name"`
	Slug               string             `bson:"slug"`
	Description        string             `bson:"description"`
	Website            string             `bson:"website"`
	Email              string             `bson:"email"`
	Sectors            []string           `bson:"sectors"`
	Postcode           string             `bson:"postcode"`
	District           string             `bson:"district,omitempty"`
	Area               string             `bson:"area"`
	Lat                float64            `bson:"lat"`
	Lon                float64            `bson:"lon"`
	Headcount          int                `bson:"headcount"`
	Values             []string           `bson:"values"`
	RegistrationNumber string             `bson:"registrationNumber"`
	Standing           string             `bson:"standing"`
	Version            int64              `bson:"version"`
	CreatedAt          time.Time          `bson:"createdAt"`
	UpdatedAt          time.Time          `bson:"updatedAt"`
	// Schema is the version of the document's shape (mongodb.SchemaVersion).
	Schema int `bson:"schema"`
}

func toMemberDoc(m *marketplace.Member) memberDoc {
	oid, _ := primitive.ObjectIDFromHex(m.ID)
	return memberDoc{
		Schema: mongodb.SchemaVersion,
		ID:     oid, Kind: string(m.Kind), Name: m.Name, Slug: m.Slug, Description: m.Description,
		Website: m.Website, Email: m.Email, Sectors: nonNil(m.Sectors), Postcode: m.Postcode, District: m.District,
		Area: m.Area, Lat: m.Lat, Lon: m.Lon, Headcount: m.Headcount, Values: nonNil(m.Values),
		RegistrationNumber: m.RegistrationNumber, Standing: string(m.Standing), Version: m.Version,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
}

func (d *memberDoc) member() *marketplace.Member {
	m := &marketplace.Member{
		ID: d.ID.Hex(), Kind: marketplace.MemberKind(d.Kind), Name: d.Name, Slug: d.Slug,
		Description: d.Description, Website: d.Website, Email: d.Email, Sectors: nonNil(d.Sectors),
		Postcode: d.Postcode, District: d.District, Area: d.Area, Lat: d.Lat, Lon: d.Lon, Headcount: d.Headcount,
		Values: nonNil(d.Values), RegistrationNumber: d.RegistrationNumber,
		Standing: marketplace.Standing(d.Standing), Version: d.Version,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	m.District, m.Area, m.Lat, m.Lon = replaced(d.Postcode, d.District, d.Area, d.Lat, d.Lon)
	return m
}

// replaced re-places a document stored before places were postcode
// districts (with an area and the area's centroid only) from its postcode;
// a document with a district, or whose postcode names no known district,
// is read as stored.
func replaced(postcode, district, area string, lat, lon float64) (string, string, float64, float64) {
	if district != "" || postcode == "" {
		return district, area, lat, lon
	}
	if p, ok := marketplace.PlaceOf(postcode); ok {
		return p.District, p.Area, p.Lat, p.Lon
	}
	return district, area, lat, lon
}

// FindMemberByID implements marketplace.MemberStore.
func (s *MemberStore) FindMemberByID(ctx context.Context, id string) (*marketplace.Member, error) {
	if m, ok := s.cache.Get(id); ok {
		return cloneMember(m), nil
	}
	ticket := s.cache.Begin()
	m, err := mongodb.FindByID(ctx, s.coll, id, "member", (*memberDoc).member)
	if err != nil {
		return nil, err
	}
	s.cache.Put(id, cloneMember(m), ticket)
	return m, nil
}

// FindMemberBySlug implements marketplace.MemberStore.
func (s *MemberStore) FindMemberBySlug(ctx context.Context, slug string) (*marketplace.Member, error) {
	ids, err := s.bySlug.IDs(ctx, slug)
	if err != nil {
		return nil, err
	}
	var found *marketplace.Member
	err = mongodb.FindByIDs(ctx, s.db, s.coll, mongodb.ObjectIDs(ids), "members", func(d *memberDoc) {
		if d.Slug == slug {
			found = d.member()
		}
	})
	if err == nil && found == nil {
		err = mongodb.NotFound("member")
	}
	return found, err
}

// FindMembersByIDs returns the members with the given IDs, keyed by ID, in
// one query. Unknown IDs are left out.
func (s *MemberStore) FindMembersByIDs(ctx context.Context, ids []string) (map[string]*marketplace.Member, error) {
	found := map[string]*marketplace.Member{}
	oids := mongodb.ObjectIDs(ids)
	if len(oids) == 0 {
		return found, nil
	}
	var missing []primitive.ObjectID
	for _, oid := range oids {
		if m, ok := s.cache.Get(oid.Hex()); ok {
			found[oid.Hex()] = cloneMember(m)
		} else {
			missing = append(missing, oid)
		}
	}
	if len(missing) == 0 {
		return found, nil
	}
	ticket := s.cache.Begin()
	err := mongodb.FindByIDs(ctx, s.db, s.coll, missing, "members", func(d *memberDoc) {
		m := d.member()
		found[d.ID.Hex()] = m
		s.cache.Put(m.ID, cloneMember(m), ticket)
	})
	return found, err
}

// FindMembers implements marketplace.MemberStore.
func (s *MemberStore) FindMembers(ctx context.Context, f marketplace.MemberFilter) ([]*marketplace.Member, string, error) {
	filter := bson.D{}
	if f.Standing != "" {
		filter = append(filter, bson.E{Key: "standing", Value: string(f.Standing)})
	}
	if f.Kind != "" {
		filter = append(filter, bson.E{Key: "kind", Value: string(f.Kind)})
	}
	return mongodb.PageByID(ctx, s.coll, filter, f.Cursor, f.Limit, "members", (*memberDoc).member,
		func(m *marketplace.Member) string { return m.ID })
}

// CreateMember implements marketplace.MemberStore.
func (s *MemberStore) CreateMember(ctx context.Context, m *marketplace.Member) error {
	d := toMemberDoc(m)
	d.ID = primitive.NewObjectID()
	if err := s.bySlug.Add(ctx, d.Slug, d.ID.Hex()); err != nil { // before: see Keys
		return err
	}
	if _, err := s.coll.InsertOne(ctx, d); mongo.IsDuplicateKeyError(err) {
		return marketplace.Invalid(marketplace.Broken("slug", marketplace.RuleTaken, marketplace.RuleParams{})).WithCode(marketplace.ECONFLICT)
	} else if err != nil {
		return mongodb.Wrap(err, "insert member")
	}
	m.ID = d.ID.Hex()
	return nil
}

// UpdateMember implements marketplace.MemberStore.
func (s *MemberStore) UpdateMember(ctx context.Context, m *marketplace.Member, version int64) error {
	oid, err := mongodb.ObjectID(m.ID, "member")
	if err != nil {
		return err
	}
	defer s.db.Lock(membersCollection, m.ID)()
	defer s.cache.Forget(m.ID)
	s.cache.Forget(m.ID)
	d := toMemberDoc(m)
	if err := s.bySlug.Add(ctx, d.Slug, m.ID); err != nil { // the slug may be new
		return err
	}
	d.Version = version + 1
	err = s.db.UpdateVersion(ctx, s.coll, oid, version, "member", m.ID,
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "kind", Value: d.Kind}, {Key: "name", Value: d.Name}, {Key: "slug", Value: d.Slug},
			{Key: "description", Value: d.Description}, {Key: "website", Value: d.Website},
			{Key: "email", Value: d.Email}, {Key: "sectors", Value: d.Sectors},
			{Key: "postcode", Value: d.Postcode}, {Key: "district", Value: d.District},
			{Key: "area", Value: d.Area}, {Key: "lat", Value: d.Lat}, {Key: "lon", Value: d.Lon},
			{Key: "headcount", Value: d.Headcount}, {Key: "values", Value: d.Values},
			{Key: "registrationNumber", Value: d.RegistrationNumber},
			{Key: "standing", Value: d.Standing}, {Key: "version", Value: d.Version},
			{Key: "updatedAt", Value: d.UpdatedAt},
		}}})
	if mongo.IsDuplicateKeyError(err) {
		return marketplace.Invalid(marketplace.Broken("slug", marketplace.RuleTaken, marketplace.RuleParams{})).WithCode(marketplace.ECONFLICT)
	} else if err != nil {
		return err
	}
	m.Version = d.Version
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// WalkMembers implements marketplace.MemberStore with one cursor.
func (s *MemberStore) WalkMembers(ctx context.Context, fn func(*marketplace.Member) error) error {
	return mongodb.Walk(ctx, s.coll, bson.D{}, "members", func(d *memberDoc) error { return fn(d.member()) })
}

// fillKeys fills the slugs' lookup from the members, when it is empty and
// there are members: once, after an upgrade that added it.
func (s *MemberStore) fillKeys(ctx context.Context) error {
	empty, err := s.bySlug.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	bySlug := map[string][]string{}
	err = mongodb.Walk(ctx, s.coll, bson.D{}, "members", func(d *memberDoc) error {
		bySlug[d.Slug] = append(bySlug[d.Slug], d.ID.Hex())
		return nil
	})
	if err != nil {
		return err
	}
	return s.bySlug.AddAll(ctx, bySlug)
}
