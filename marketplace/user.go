package marketplace

import (
	"context"
	"strings"
	"time"
)

// Role is what a user may do for its member.
type Role string

// Roles. An owner manages the member's profile, users and dues; an editor
// posts and edits listings.
const (
	RoleOwner  Role = "owner"
	RoleEditor Role = "editor"
)

// User is a person who signs in: someone working for a member, or federation
// staff (who may belong to no member).
type User struct {
	ID           string `json:"id"`
	Email        string `json:"email" validate:"required,email,max=254"`
	Name         string `json:"name" validate:"max=120"`
	Language     string `json:"language,omitempty" validate:"omitempty,oneof=en cy"`
	MemberID     string `json:"member_id,omitempty"`
	Role         Role   `json:"role,omitempty"`
	Staff        bool   `json:"staff"`
	PasswordHash string `json:"-"`
	// Suspended users cannot sign in; staff suspend and restore them.
	Suspended    bool       `json:"suspended"`
	LastSignInAt *time.Time `json:"last_sign_in_at,omitempty"`
	Version      int64      `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
}

// IsOwnerOf reports whether u is an owner of the member.
func (u *User) IsOwnerOf(memberID string) bool {
	return u != nil && memberID != "" && u.MemberID == memberID && u.Role == RoleOwner
}

// BelongsTo reports whether u works for the member.
func (u *User) BelongsTo(memberID string) bool {
	return u != nil && memberID != "" && u.MemberID == memberID
}

// IsStaff reports whether u is federation staff.
func (u *User) IsStaff() bool { return u != nil && u.Staff }

// NewUser is what it takes to add a user.
type NewUser struct {
	Email string `json:"email" validate:"required,email,max=254"`
	Name  string `json:"name" validate:"max=120"`
	// Password must follow the password policy (CheckPassword).
	Password string `json:"password"`
	Role     Role   `json:"role" validate:"required,oneof=owner editor"`
}

func (n *NewUser) normalize() {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = strings.TrimSpace(n.Name)
	if n.Role == "" {
		n.Role = RoleEditor
	}
}

func (n *NewUser) validate() error {
	var fe fieldErrors
	checkShape(n, &fe)
	if hasControl(n.Name, false) {
		fe.broke("name", RuleControl, RuleParams{})
	}
	if err := CheckPassword("password", n.Password, n.Email, n.Name); err != nil {
		fe = append(fe, ErrorFields(err)...)
	}
	return fe.err()
}

// UserStore keeps users.
type UserStore interface {
	// FindUserByID returns ENOTFOUND when there is no such user.
	FindUserByID(ctx context.Context, id string) (*User, error)
	// FindUserByEmail looks up a lower-cased e-mail address, returning
	// ENOTFOUND when there is no such user.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUsersByMember returns the users of a member.
	FindUsersByMember(ctx context.Context, memberID string) ([]*User, error)
	// CreateUser stores a new user and sets its ID, returning ECONFLICT when
	// the e-mail address is taken.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUserPassword replaces the password hash if the stored version is
	// still version; EPRECONDITION otherwise, or ENOTFOUND.
	UpdateUserPassword(ctx context.Context, id string, hash string, version int64) error
	// UpdateUser makes the change if the stored version is still version
	// and returns the user as changed; EPRECONDITION otherwise, or
	// ENOTFOUND.
	UpdateUser(ctx context.Context, id string, version int64, ch UserChange) (*User, error)
	// DeleteUser removes a user; removing a missing user is no error.
	DeleteUser(ctx context.Context, u *User) error
	// RecordSignIn notes that the user signed in at t.
	RecordSignIn(ctx context.Context, id string, t time.Time) error
}

// UserChange is a change to a user; nil fields stay as they are.
type UserChange struct {
	Role      *Role `json:"role,omitempty"`
	Suspended *bool `json:"suspended,omitempty"`
}

// Token is a bearer API token. Only a hash of its secret is kept; the secret
// is shown once, when the token is made.
type Token struct {
	Hash       string    `json:"id"`     // hex SHA-256 of the secret; its ID
	Prefix     string    `json:"prefix"` // the first characters of the secret, to recognise it
	UserID     string    `json:"-"`
	Name       string    `json:"name,omitempty"` // a personal token's name; "" for a sign-in's
	Personal   bool      `json:"personal"`       // made by its user for a script, not by signing in
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"` // checked on use; expired tokens are swept by a job
	LastUsedAt time.Time `json:"last_used_at"`
}

// TokenStore keeps API tokens.
type TokenStore interface {
	// CreateToken stores a new token.
	CreateToken(ctx context.Context, t *Token) error
	// FindTokenByHash returns ENOTFOUND when there is no such token.
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
	// TouchToken records that the token was used at t.
	TouchToken(ctx context.Context, hash string, t time.Time) error
	// DeleteToken removes a token; removing a missing token is no error.
	DeleteToken(ctx context.Context, hash string) error
	// DeleteExpiredTokens removes the tokens that expired before t and
	// returns how many it removed.
	DeleteExpiredTokens(ctx context.Context, t time.Time) (int64, error)
	// DeleteUserTokens removes every token of a user except the one whose
	// hash is keep ("" keeps none).
	DeleteUserTokens(ctx context.Context, userID, keep string) error
	// FindUserTokens returns a user's tokens, newest first.
	FindUserTokens(ctx context.Context, userID string) ([]*Token, error)
}

// PasswordHasher hashes passwords and checks them against their hashes.
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Compare reports whether password matches hash.
	Compare(password, hash string) (bool, error)
}
