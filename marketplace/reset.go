package marketplace

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PasswordReset is a link to choose a new password. Only a hash of its
// secret is kept; the secret travels only in the mail.
type PasswordReset struct {
	Hash      string // HashToken of the secret
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ResetPrefix starts every reset link's secret.
const ResetPrefix = "cmr_"

// ResetTTL is how long a reset link works.
const ResetTTL = time.Hour

// ResetStore keeps password reset links.
type ResetStore interface {
	// CreateReset stores r and forgets every earlier link of its user:
	// only the newest works.
	CreateReset(ctx context.Context, r *PasswordReset) error
	// TakeReset returns the link with this hash and forgets it, so that it
	// works once; ENOTFOUND when there is none (used, replaced or never
	// made).
	TakeReset(ctx context.Context, hash string) (*PasswordReset, error)
}

// RequestPasswordReset mails a link to choose a new password to the user
// with this address. The answer is the same, in words and in time, whether
// or not anyone has the address: the look-up and the mail happen after it,
// apart from the request.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	in := resetRequest{Email: strings.ToLower(strings.TrimSpace(email))}
	var fe fieldErrors
	if checkShape(&in, &fe); fe.err() != nil {
		return fe.err()
	}
	email = in.Email
	ctx = context.WithoutCancel(ctx)
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		u, err := s.Users.FindUserByEmail(ctx, email)
		if ErrorCode(err) == ENOTFOUND {
			return
		} else if err != nil {
			s.logger().WarnContext(ctx, "cannot look up a user for a password reset", "error", err)
			return
		}
		if err := s.sendReset(ctx, u); err != nil {
			s.logger().WarnContext(ctx, "cannot send a password reset link", "user", u.ID, "error", err)
		}
	}()
	return nil
}

// Drain waits until the work the service does after answering (the
// look-up and mail of a password reset request) is done, or ctx ends.
// Whoever stops the requests calls it before closing the stores and the
// mailer, so that a link asked for just before shutdown is still mailed.
func (s *Service) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.background.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("marketplace: work after answering still running: %w", ctx.Err())
	}
}

// resetRequest is what asking for a reset link takes.
type resetRequest struct {
	Email string `json:"email" validate:"required,email,max=254"`
}

// SendPasswordReset mails a reset link to a user. Federation staff only.
func (s *Service) SendPasswordReset(ctx context.Context, userID string) error {
	if err := s.requireStaff(ctx, "send a password reset link"); err != nil {
		return err
	}
	u, err := s.Users.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.sendReset(ctx, u); err != nil {
		return err
	}
	s.RecordAudit(ctx, "user.password_reset_sent", "user:"+u.ID, "", nil)
	return nil
}

// SendPasswordResetTo mails a reset link to the user with this address.
// It is for the command line, so it asks no one's permission (as AddStaff);
// ENOTFOUND when no user has the address.
func (s *Service) SendPasswordResetTo(ctx context.Context, email string) error {
	u, err := s.Users.FindUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return err
	}
	if err := s.sendReset(ctx, u); err != nil {
		return err
	}
	s.RecordAudit(ctx, "user.password_reset_sent", "user:"+u.ID, "from the command line", nil)
	return nil
}

// sendReset makes a new link for u, which replaces any earlier one, and
// mails it. The mail goes straight to the mailer, not through the stored
// notifications: the link is a secret and is kept nowhere.
func (s *Service) sendReset(ctx context.Context, u *User) error {
	secret, err := randomSecret(ResetPrefix)
	if err != nil {
		return err
	}
	now := s.now()
	r := &PasswordReset{Hash: HashToken(secret), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(ResetTTL)}
	if err := s.Resets.CreateReset(ctx, r); err != nil {
		return err
	}
	// The link opens the page in the language of the mail.
	w, err := s.Messages.WriteMessage(ResetMessage{
		Name: u.Name, Link: s.BaseURL + "/password/reset?token=" + secret + "&lang=" + u.Lang(), Expires: r.ExpiresAt,
	}, u.Lang())
	if err != nil {
		return err
	}
	return s.Mailer.SendMail(ctx, Mail{Key: "reset~" + r.Hash, To: u.Email, Subject: w.Subject, Text: w.Text, HTML: w.HTML, Lang: w.Lang})
}

// ResetPassword sets a new password with a reset link's secret: once,
// within ResetTTL, and only the newest link of the user. Every session and
// API token of the user ends.
func (s *Service) ResetPassword(ctx context.Context, secret, password string) error {
	bad := Invalid(Broken("token", RuleResetLink, RuleParams{}))
	if !strings.HasPrefix(secret, ResetPrefix) || len(secret) > 100 {
		return bad
	}
	hash := HashToken(secret)
	r, err := s.Resets.TakeReset(ctx, hash)
	if ErrorCode(err) == ENOTFOUND {
		return bad
	} else if err != nil {
		return err
	}
	if !s.now().Before(r.ExpiresAt) {
		return bad
	}
	u, err := s.Users.FindUserByID(ctx, r.UserID)
	if ErrorCode(err) == ENOTFOUND {
		return bad
	} else if err != nil {
		return err
	}
	if err := CheckPassword("password", password, u.Email, u.Name); err != nil {
		// Give the link back for a second try.
		if err2 := s.Resets.CreateReset(ctx, r); err2 != nil {
			return err2
		}
		return err
	}
	hashed, err := s.Passwords.Hash(password)
	if err != nil {
		return err
	}
	if err := s.Users.UpdateUserPassword(ctx, u.ID, hashed, u.Version); err != nil {
		return err
	}
	if err := s.Tokens.DeleteUserTokens(ctx, u.ID, ""); err != nil {
		return err
	}
	if err := s.Sessions.DeleteUserSessions(ctx, u.ID, ""); err != nil {
		return err
	}
	s.RecordAudit(NewContextWithUser(ctx, u), "user.password_reset", "user:"+u.ID, "", nil)
	return nil
}
