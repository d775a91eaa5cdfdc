package marketplace

import (
	"context"
	"strings"
	"time"
)

// PersonalTokenTTL is how long a personal token works: a year, after
// which its user makes another.
const PersonalTokenTTL = 365 * 24 * time.Hour

// MaxPersonalTokens bounds how many personal tokens one user keeps.
const MaxPersonalTokens = 20

// newToken is what making a personal token takes.
type newToken struct {
	Name string `json:"name" validate:"required,max=60"`
}

// CreatePersonalToken makes a named API token for the signed-in user's
// scripts and returns its secret, shown this once, and the token.
func (s *Service) CreatePersonalToken(ctx context.Context, name string) (string, *Token, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return "", nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	in := newToken{Name: strings.TrimSpace(name)}
	var fe fieldErrors
	if checkShape(&in, &fe); hasControl(in.Name, false) {
		fe.broke("name", RuleControl, RuleParams{})
	}
	if err := fe.err(); err != nil {
		return "", nil, err
	}
	tokens, err := s.Tokens.FindUserTokens(ctx, me.ID)
	if err != nil {
		return "", nil, err
	}
	personal := 0
	for _, t := range tokens {
		if t.Personal {
			personal++
		}
	}
	if personal >= MaxPersonalTokens {
		return "", nil, Errorf(ECONFLICT, "You have %d personal tokens, the most one person may keep; revoke one first.", MaxPersonalTokens)
	}
	secret, t, err := s.makeToken(ctx, me, in.Name, PersonalTokenTTL)
	if err != nil {
		return "", nil, err
	}
	s.RecordAudit(ctx, "token.create", "user:"+me.ID, "", map[string]string{"name": in.Name, "prefix": t.Prefix})
	return secret, t, nil
}

// FindMyTokens lists the signed-in user's tokens, from signing in and
// personal, without their secrets.
func (s *Service) FindMyTokens(ctx context.Context) ([]*Token, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	return s.Tokens.FindUserTokens(ctx, me.ID)
}

// RevokeToken ends one of the signed-in user's tokens; another user's is
// not found.
func (s *Service) RevokeToken(ctx context.Context, id string) error {
	me := UserFromContext(ctx)
	if me == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	t, err := s.Tokens.FindTokenByHash(ctx, id)
	if ErrorCode(err) == ENOTFOUND || err == nil && t.UserID != me.ID {
		return Errorf(ENOTFOUND, "No such token.")
	} else if err != nil {
		return err
	}
	if err := s.Tokens.DeleteToken(ctx, t.Hash); err != nil {
		return err
	}
	s.RecordAudit(ctx, "token.revoke", "user:"+me.ID, "", map[string]string{"prefix": t.Prefix})
	return nil
}
