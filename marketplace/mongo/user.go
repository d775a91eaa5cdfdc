package mongo

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"cooptrade/marketplace"
	"cooptrade/mongodb"
)

var (
	_ marketplace.UserStore  = (*UserStore)(nil)
	_ marketplace.TokenStore = (*TokenStore)(nil)
)

// UserStore keeps users in the users collection. Users are found by e-mail
// address and by member through lookups of their own (mongodb.Keys); the
// unique index on the address is what keeps it taken once.
type UserStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
	// byEmail and byMember name the users of each address and member.
	byEmail, byMember *mongodb.Keys
}

// NewUserStore returns a user store on db.
func NewUserStore(db *mongodb.DB) *UserStore {
	return &UserStore{db: db, coll: db.Database.Collection(usersCollection),
		byEmail: db.Keys(userEmailsCollection), byMember: db.Keys(memberUsersCollection)}
}

type userDoc struct {
	ID           primitive.ObjectID  `bson:"_id"`
	Email        string              `bson:"email"`
	Name         string              `bson:"name"`
	Language     string              `bson:"language,omitempty"`
	MemberID     *primitive.ObjectID `bson:"memberId"`
	Role         string              `bson:"role"`
	Staff        bool                `bson:"staff"`
	PasswordHash string              `bson:"passwordHash"`
	Suspended    bool                `bson:"suspended"`
	LastSignInAt *time.Time          `bson:"lastSignInAt,omitempty"`
	Version      int64               `bson:"version"`
	CreatedAt    time.Time           `bson:"createdAt"`
}

func (d *userDoc) user() *marketplace.User {
	u := &marketplace.User{
		ID: d.ID.Hex(), Email: d.Email, Name: d.Name, Language: d.Language, Role: marketplace.Role(d.Role), Staff: d.Staff,
		PasswordHash: d.PasswordHash, Version: d.Version, CreatedAt: d.CreatedAt.UTC(),
	}
	if d.MemberID != nil {
		u.MemberID = d.MemberID.Hex()
	}
	u.Suspended = d.Suspended
	if d.LastSignInAt != nil {
		t := d.LastSignInAt.UTC()
		u.LastSignInAt = &t
	}
	return u
}

// FindUserByID implements marketplace.UserStore.
func (s *UserStore) FindUserByID(ctx context.Context, id string) (*marketplace.User, error) {
	return mongodb.FindByID(ctx, s.coll, id, "user", (*userDoc).user)
}

// FindUserByEmail implements marketplace.UserStore.
func (s *UserStore) FindUserByEmail(ctx context.Context, email string) (*marketplace.User, error) {
	users, err := s.findKeyed(ctx, s.byEmail, email)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Email == email {
			return u, nil
		}
	}
	return nil, mongodb.NotFound("user")
}

// findKeyed returns the users a lookup names under key, by ID.
func (s *UserStore) findKeyed(ctx context.Context, keys *mongodb.Keys, key string) ([]*marketplace.User, error) {
	ids, err := keys.IDs(ctx, key)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var users []*marketplace.User
	err = mongodb.FindByIDs(ctx, s.db, s.coll, mongodb.ObjectIDs(ids), "users", func(d *userDoc) {
		users = append(users, d.user())
	})
	slices.SortFunc(users, func(a, b *marketplace.User) int { return strings.Compare(a.ID, b.ID) })
	return users, err
}

// FindUsersByMember implements marketplace.UserStore.
func (s *UserStore) FindUsersByMember(ctx context.Context, memberID string) ([]*marketplace.User, error) {
	users, err := s.findKeyed(ctx, s.byMember, memberID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(users, func(u *marketplace.User) bool { return u.MemberID != memberID }), nil
}

// CreateUser implements marketplace.UserStore.
func (s *UserStore) CreateUser(ctx context.Context, u *marketplace.User) error {
	d := userDoc{
		ID: primitive.NewObjectID(), Email: u.Email, Name: u.Name, Language: u.Language, Role: string(u.Role), Staff: u.Staff,
		PasswordHash: u.PasswordHash, Version: u.Version, CreatedAt: u.CreatedAt,
	}
	if u.MemberID != "" {
		oid, err := mongodb.ObjectID(u.MemberID, "member")
		if err != nil {
			return err
		}
		d.MemberID = &oid
	}
	// The lookups first: a crash before the user is stored leaves them
	// naming nothing, which readers skip.
	id := d.ID.Hex()
	if err := s.byEmail.Add(ctx, d.Email, id); err != nil {
		return err
	}
	if u.MemberID != "" {
		if err := s.byMember.Add(ctx, u.MemberID, id); err != nil {
			return err
		}
	}
	if _, err := s.coll.InsertOne(ctx, d); mongo.IsDuplicateKeyError(err) {
		_ = s.byEmail.Remove(ctx, d.Email, id)
		if u.MemberID != "" {
			_ = s.byMember.Remove(ctx, u.MemberID, id)
		}
		return marketplace.Invalid(marketplace.Broken("email", marketplace.RuleHasAccount, marketplace.RuleParams{})).WithCode(marketplace.ECONFLICT)
	} else if err != nil {
		return mongodb.Wrap(err, "insert user")
	}
	u.ID = id
	return nil
}

// UpdateUserPassword implements marketplace.UserStore.
func (s *UserStore) UpdateUserPassword(ctx context.Context, id string, hash string, version int64) error {
	return s.update(ctx, id, version, bson.D{{Key: "passwordHash", Value: hash}})
}

// update sets fields of the user with the next version if the stored
// version is still version.
func (s *UserStore) update(ctx context.Context, id string, version int64, set bson.D) error {
	oid, err := mongodb.ObjectID(id, "user")
	if err != nil {
		return err
	}
	defer s.db.Lock(usersCollection, id)()
	set = append(set, bson.E{Key: "version", Value: version + 1})
	found, updated, err := s.db.UpdateIf(ctx, s.coll, oid, []mongodb.Cond{mongodb.Eq("version", version)}, bson.D{{Key: "$set", Value: set}})
	switch {
	case err != nil:
		return mongodb.Wrap(err, "update user %s", id)
	case !found:
		return mongodb.NotFound("user")
	case !updated:
		return marketplace.Errorf(marketplace.EPRECONDITION, "The account changed meanwhile; try again.")
	}
	return nil
}

// TokenStore keeps API tokens in the tokens collection, keyed by the hash
// of their secret so that each check is a lookup by _id.
type TokenStore struct {
	db   *mongodb.DB
	coll *mongo.Collection
}

// NewTokenStore returns a token store on db.
func NewTokenStore(db *mongodb.DB) *TokenStore {
	return &TokenStore{db: db, coll: db.Database.Collection(tokensCollection)}
}

type tokenDoc struct {
	Hash       string             `bson:"_id"`
	Prefix     string             `bson:"prefix"`
	UserID     primitive.ObjectID `bson:"userId"`
	Name       string             `bson:"name,omitempty"`
	Personal   bool               `bson:"personal,omitempty"`
	CreatedAt  time.Time          `bson:"createdAt"`
	ExpiresAt  time.Time          `bson:"expiresAt"`
	LastUsedAt time.Time          `bson:"lastUsedAt"`
}

// CreateToken implements marketplace.TokenStore.
func (s *TokenStore) CreateToken(ctx context.Context, t *marketplace.Token) error {
	uid, err := mongodb.ObjectID(t.UserID, "user")
	if err != nil {
		return err
	}
	_, err = s.coll.InsertOne(ctx, tokenDoc{Hash: t.Hash, Prefix: t.Prefix, UserID: uid, Name: t.Name, Personal: t.Personal,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt})
	return mongodb.Wrap(err, "insert token")
}

// FindTokenByHash implements marketplace.TokenStore.
func (s *TokenStore) FindTokenByHash(ctx context.Context, hash string) (*marketplace.Token, error) {
	return mongodb.FindOne(ctx, s.coll, bson.D{{Key: "_id", Value: hash}}, "token", "", (*tokenDoc).token)
}

func (d *tokenDoc) token() *marketplace.Token {
	return &marketplace.Token{Hash: d.Hash, Prefix: d.Prefix, UserID: d.UserID.Hex(), Name: d.Name, Personal: d.Personal,
		CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC(), LastUsedAt: d.LastUsedAt.UTC()}
}

// FindUserTokens implements marketplace.TokenStore. It reads the user's
// tokens by their userId index (a scan on FerretDB, of a collection as
// small as the tokens people hold; it runs when someone lists theirs).
func (s *TokenStore) FindUserTokens(ctx context.Context, userID string) ([]*marketplace.Token, error) {
	uid, err := mongodb.ObjectID(userID, "user")
	if err != nil {
		return nil, err
	}
	tokens, err := mongodb.FindAll(ctx, s.coll, bson.D{{Key: "userId", Value: uid}}, nil, "tokens", (*tokenDoc).token)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(tokens, func(a, b *marketplace.Token) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return tokens, nil
}

// TouchToken implements marketplace.TokenStore.
func (s *TokenStore) TouchToken(ctx context.Context, hash string, t time.Time) error {
	defer s.db.Lock(tokensCollection, hash)()
	_, err := s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: hash}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "lastUsedAt", Value: t}}}})
	return mongodb.Wrap(err, "touch token")
}

// DeleteToken implements marketplace.TokenStore.
func (s *TokenStore) DeleteToken(ctx context.Context, hash string) error {
	_, err := s.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}})
	return mongodb.Wrap(err, "delete token")
}

// DeleteExpiredTokens implements marketplace.TokenStore.
func (s *TokenStore) DeleteExpiredTokens(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.coll.DeleteMany(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lte", Value: t}}}})
	if err != nil {
		return 0, mongodb.Wrap(err, "delete expired tokens")
	}
	return res.DeletedCount, nil
}

// DeleteUserTokens implements marketplace.TokenStore.
func (s *TokenStore) DeleteUserTokens(ctx context.Context, userID, keep string) error {
	uid, err := mongodb.ObjectID(userID, "user")
	if err != nil {
		return err
	}
	filter := bson.D{{Key: "userId", Value: uid}}
	if keep != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: keep}}})
	}
	_, err = s.coll.DeleteMany(ctx, filter)
	return mongodb.Wrap(err, "delete tokens of user %s", userID)
}

// fillKeys fills the users' lookups from the users, when they are empty
// and there are users: once, after an upgrade that added them.
func (s *UserStore) fillKeys(ctx context.Context) error {
	empty, err := s.byEmail.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	byEmail, byMember := map[string][]string{}, map[string][]string{}
	err = mongodb.Walk(ctx, s.coll, bson.D{}, "users", func(d *userDoc) error {
		byEmail[d.Email] = append(byEmail[d.Email], d.ID.Hex())
		if d.MemberID != nil {
			byMember[d.MemberID.Hex()] = append(byMember[d.MemberID.Hex()], d.ID.Hex())
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.byMember.AddAll(ctx, byMember); err != nil {
		return err
	}
	return s.byEmail.AddAll(ctx, byEmail)
}
