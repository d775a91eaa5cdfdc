package marketplace

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
)

// Session is a signed-in browser: the pages' counterpart of an API token.
// Only a hash of its secret is kept; the secret lives in the browser's
// cookie. Each session has its own CSRF token for the forms it is shown.
type Session struct {
	Hash      string
	UserID    string
	CSRF      string
	Lang      string
	CreatedAt time.Time
	ExpiresAt time.Time
	SeenAt    time.Time
}

// SessionStore keeps sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// FindSessionByHash returns ENOTFOUND when there is none.
	FindSessionByHash(ctx context.Context, hash string) (*Session, error)
	// TouchSession extends a session's expiry after use.
	TouchSession(ctx context.Context, hash string, seen, expires time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	// DeleteExpiredSessions removes sessions expired before t.
	DeleteExpiredSessions(ctx context.Context, t time.Time) (int64, error)
	// DeleteUserSessions removes every session of a user except the one
	// whose hash is keep ("" keeps none).
	DeleteUserSessions(ctx context.Context, userID, keep string) error
}

// SessionPrefix starts every session secret.
const SessionPrefix = "cms_"

// SessionTTL is how long a session lasts without use; each use extends it,
// up to SessionMaxAge from signing in: a stolen cookie does not last for
// ever, however often it is used.
const (
	SessionTTL    = 14 * 24 * time.Hour
	SessionMaxAge = 30 * 24 * time.Hour
)

// StartSession signs a user in by e-mail address and password for the
// pages and returns the session's secret (for the cookie) and the session.
func (s *Service) StartSession(ctx context.Context, email, password string) (string, *Session, *User, error) {
	u, err := s.checkPassword(ctx, email, password)
	if err != nil {
		return "", nil, nil, err
	}
	secret, sess, err := s.newSession(ctx, u)
	if err != nil {
		return "", nil, nil, err
	}
	return secret, sess, u, nil
}

// newSession signs u in for the pages: it stores a new session and
// returns its secret.
func (s *Service) newSession(ctx context.Context, u *User) (string, *Session, error) {
	secret, err := randomSecret(SessionPrefix)
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomSecret("")
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	sess := &Session{Hash: HashToken(secret), UserID: u.ID, CSRF: csrf, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := s.Sessions.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// ResumeSession returns the session and user of a session secret, or
// EUNAUTHORIZED when it is unknown or expired. It extends the session when
// it was last seen more than an hour ago.
func (s *Service) ResumeSession(ctx context.Context, secret string) (*Session, *User, error) {
	bad := Errorf(EUNAUTHORIZED, "Your session has ended; sign in again.")
	if !strings.HasPrefix(secret, SessionPrefix) || len(secret) > 100 {
		return nil, nil, bad
	}
	sess, err := s.Sessions.FindSessionByHash(ctx, HashToken(secret))
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, bad
	} else if err != nil {
		return nil, nil, err
	}
	now := s.now()
	end := sess.CreatedAt.Add(SessionMaxAge)
	if !now.Before(sess.ExpiresAt) || !now.Before(end) {
		return nil, nil, bad
	}
	u, err := s.Users.FindUserByID(ctx, sess.UserID)
	if ErrorCode(err) == ENOTFOUND || err == nil && u.Suspended {
		return nil, nil, bad
	} else if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.SeenAt) > touchEvery {
		sess.SeenAt, sess.ExpiresAt = now, now.Add(SessionTTL)
		if sess.ExpiresAt.After(end) {
			sess.ExpiresAt = end
		}
		if err := s.Sessions.TouchSession(ctx, sess.Hash, sess.SeenAt, sess.ExpiresAt); err != nil {
			s.logger().WarnContext(ctx, "cannot extend a session", "error", err)
		}
	}
	return sess, u, nil
}

// EndSession signs a browser out.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	return s.Sessions.DeleteSession(ctx, HashToken(secret))
}

// SweepSessions deletes the sessions that have expired.
func (s *Service) SweepSessions(ctx context.Context) (int64, error) {
	return s.Sessions.DeleteExpiredSessions(ctx, s.now())
}

func randomSecret(prefix string) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(raw[:]), nil
}
