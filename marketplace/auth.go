package marketplace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
)

// TokenPrefix starts every API token, so that a leaked one is easy to
// recognise (and to search for in code).
const TokenPrefix = "cmt_"

// touchEvery limits how often a token's last use is written: a write per
// request would double the cost of every authenticated call.
const touchEvery = time.Hour

// Login checks an e-mail address and password and returns a new API token
// (shown once) and its expiry. It returns EUNAUTHORIZED without saying which
// of the two was wrong.
func (s *Service) Login(ctx context.Context, email, password string) (string, time.Time, error) {
	u, err := s.checkPassword(ctx, email, password)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.issueToken(ctx, u)
}

// checkPassword returns the user with the e-mail address and password, or
// EUNAUTHORIZED without saying which of the two was wrong.
func (s *Service) checkPassword(ctx context.Context, email, password string) (*User, error) {
	wrong := Errorf(EUNAUTHORIZED, "The e-mail address or password is not right.")
	email = strings.ToLower(strings.TrimSpace(email))
	// Guesses are counted by the address guessed at, known or not, so
	// that the limit tells nothing about which addresses have accounts.
	account, addr, now := "email:"+email, ClientFromContext(ctx), s.now()
	if err := s.allowGuess(account, addr, now); err != nil {
		return nil, err
	}
	u, err := s.Users.FindUserByEmail(ctx, email)
	if ErrorCode(err) == ENOTFOUND {
		// Spend the same effort as for a real user, so that timing does
		// not tell which addresses have accounts.
		_, _ = s.Passwords.Compare(password, s.dummyHash())
		s.guesses().fail(account, addr, now)
		return nil, wrong
	} else if err != nil {
		return nil, err
	}
	ok, err := s.Passwords.Compare(password, u.PasswordHash)
	if err != nil {
		return nil, err
	} else if !ok {
		s.guesses().fail(account, addr, now)
		return nil, wrong
	}
	s.guesses().succeed(account, addr, now)
	if u.Suspended {
		return nil, Errorf(EFORBIDDEN, "This account is suspended; contact federation staff.")
	}
	if err := s.Users.RecordSignIn(ctx, u.ID, now); err != nil {
		s.logger().WarnContext(ctx, "cannot record a sign-in", "user", u.ID, "error", err)
	}
	return u, nil
}

// allowGuess refuses, with ERATELIMITED, a password check for account from
// addr that the guessing limits do not allow now.
func (s *Service) allowGuess(account, addr string, now time.Time) error {
	ok, wait := s.guesses().allow(account, addr, now)
	if ok {
		return nil
	}
	minutes := int(wait.Round(time.Minute) / time.Minute)
	return Errorf(ERATELIMITED, "Too many wrong passwords for this account; try again in %d minutes.", max(minutes, 1))
}

func (s *Service) issueToken(ctx context.Context, u *User) (string, time.Time, error) {
	secret, t, err := s.makeToken(ctx, u, "", s.tokenTTL())
	if err != nil {
		return "", time.Time{}, err
	}
	return secret, t.ExpiresAt, nil
}

// makeToken stores a new token of u, personal when it has a name, and
// returns its secret.
func (s *Service) makeToken(ctx context.Context, u *User, name string, ttl time.Duration) (string, *Token, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	t := &Token{
		Hash:       HashToken(secret),
		Prefix:     secret[:len(TokenPrefix)+6],
		UserID:     u.ID,
		Name:       name,
		Personal:   name != "",
		CreatedAt:  now,
		ExpiresAt:  now.Add(ttl),
		LastUsedAt: now,
	}
	if err := s.Tokens.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// HashToken returns the form in which a token's secret is stored.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Authenticate returns the user a bearer token belongs to, or EUNAUTHORIZED
// for an unknown or expired token.
func (s *Service) Authenticate(ctx context.Context, secret string) (*User, error) {
	bad := Errorf(EUNAUTHORIZED, "The API token is not valid or has expired; sign in again.")
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return nil, bad
	}
	hash := HashToken(secret)
	t, err := s.Tokens.FindTokenByHash(ctx, hash)
	if ErrorCode(err) == ENOTFOUND {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(t.ExpiresAt) {
		return nil, bad
	}
	u, err := s.Users.FindUserByID(ctx, t.UserID)
	if ErrorCode(err) == ENOTFOUND || err == nil && u.Suspended {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	if now.Sub(t.LastUsedAt) > touchEvery {
		if err := s.Tokens.TouchToken(ctx, hash, now); err != nil {
			s.logger().WarnContext(ctx, "cannot record token use", "error", err)
		}
	}
	return u, nil
}

// Logout deletes the token.
func (s *Service) Logout(ctx context.Context, secret string) error {
	return s.Tokens.DeleteToken(ctx, HashToken(secret))
}

// SweepTokens deletes the tokens that have expired, returning how many.
func (s *Service) SweepTokens(ctx context.Context) (int64, error) {
	return s.Tokens.DeleteExpiredTokens(ctx, s.now())
}

// ChangePassword replaces the signed-in user's password after checking the
// current one, and signs out every other session of the user, API tokens
// and browsers alike: the token or session secret the request came with
// (currentToken) stays valid.
func (s *Service) ChangePassword(ctx context.Context, current, next, currentToken string) error {
	me := UserFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	u, err := s.Users.FindUserByID(ctx, me.ID)
	if err != nil {
		return err
	}
	// Whoever holds a session or token may still not know the password:
	// it is guarded as sign-ins are.
	account, addr, now := "user:"+u.ID, ClientFromContext(ctx), s.now()
	if err := s.allowGuess(account, addr, now); err != nil {
		return err
	}
	if ok, err := s.Passwords.Compare(current, u.PasswordHash); err != nil {
		return err
	} else if !ok {
		s.guesses().fail(account, addr, now)
		return Invalid(Broken("current_password", RuleWrong, RuleParams{}))
	}
	s.guesses().succeed(account, addr, now)
	if err := CheckPassword("new_password", next, u.Email, u.Name); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(next)
	if err != nil {
		return err
	}
	if err := s.Users.UpdateUserPassword(ctx, u.ID, hash, u.Version); err != nil {
		return err
	}
	keep := ""
	if currentToken != "" {
		keep = HashToken(currentToken)
	}
	if err := s.Tokens.DeleteUserTokens(ctx, u.ID, keep); err != nil {
		return err
	}
	// Browsers signed in with the old password are signed out too (a
	// session secret and an API token never share a hash).
	return s.Sessions.DeleteUserSessions(ctx, u.ID, keep)
}

// AddStaff creates a federation staff user. It is for bootstrapping from the
// command line, so it asks no one's permission.
func (s *Service) AddStaff(ctx context.Context, email, name, password string) (*User, error) {
	return s.AddStaffUser(ctx, NewUser{Email: email, Name: name, Password: password})
}

// AddStaffUser is AddStaff with everything a new user may be given, such
// as the language of its mails; the role is ignored.
func (s *Service) AddStaffUser(ctx context.Context, n NewUser) (*User, error) {
	n.Role = RoleOwner
	n.normalize()
	if err := n.validate(); err != nil {
		return nil, err
	}
	hash, err := s.Passwords.Hash(n.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: n.Email, Name: n.Name, Language: n.Language, Staff: true, PasswordHash: hash, Version: 1, CreatedAt: s.now()}
	if err := s.Users.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// dummyHash returns a hash of a random password, made once per service.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		var raw [16]byte
		_, _ = rand.Read(raw[:])
		s.dummy, _ = s.Passwords.Hash(hex.EncodeToString(raw[:]))
	})
	return s.dummy
}
