package marketplace

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
)

// WebhookURLChecker checks, when a member registers a webhook, that the
// service may POST to its URL.
type WebhookURLChecker interface {
	// CheckWebhookURL returns EINVALID for a URL whose host does not
	// resolve, or resolves to any address that is not public (loopback,
	// private, link-local, …) unless configuration allows those.
	CheckWebhookURL(ctx context.Context, rawURL string) error
}

// WebhookInput is what a member's owner sends to register its webhook.
type WebhookInput struct {
	// URL is where notifications are POSTed: https only.
	URL string `json:"url"`
	// Types are the notification types sent (none: all).
	Types []string `json:"types"`
	// RotateSecret makes a new secret for a webhook already registered
	// (a first registration always makes one).
	RotateSecret bool `json:"rotate_secret"`
}

// WebhookSecretPrefix starts every webhook secret.
const WebhookSecretPrefix = "whsec_"

// MaxWebhookURLLen bounds a webhook URL.
const MaxWebhookURLLen = 2000

// SetWebhookTarget registers the webhook of a member, or replaces its URL
// and types, for one of the member's owners. A first registration, or one
// that asks to rotate it, makes a secret: the target returned carries it,
// to be shown this once (it is kept sealed). Otherwise the secret is kept
// and the target returned has none. It returns EINVALID for a URL that is
// not https or may not be reached, EFORBIDDEN for anyone but an owner,
// ENOTFOUND for an unknown member, EUNAVAILABLE when webhooks are not
// configured.
func (s *Service) SetWebhookTarget(ctx context.Context, memberID string, in WebhookInput) (*WebhookTarget, error) {
	if _, err := s.webhookMember(ctx, memberID, false); err != nil {
		return nil, err
	}
	var fe fieldErrors
	in.URL = strings.TrimSpace(in.URL)
	checkWebhookURL(&fe, in.URL)
	types := dedupe(in.Types)
	for i, t := range types {
		if !slices.Contains(NotificationTypes, t) {
			fe.broke(indexed("types", i), RuleOneOf, RuleParams{Options: NotificationTypes})
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if err := s.WebhookURLs.CheckWebhookURL(ctx, in.URL); err != nil {
		if ErrorCode(err) == EINVALID {
			return nil, Invalid(Broken("url", RulePublicAddress, RuleParams{Value: ErrorMessage(err)}))
		}
		return nil, err
	}
	old, err := s.WebhookTargets.FindWebhookTarget(ctx, memberID)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	if types == nil {
		types = []string{}
	}
	t := &WebhookTarget{MemberID: memberID, URL: in.URL, Types: types, Created: s.now()}
	fresh := old == nil || in.RotateSecret
	if fresh {
		if t.Secret, err = NewWebhookSecret(); err != nil {
			return nil, err
		}
	} else {
		t.Secret, t.Created = old.Secret, old.Created
	}
	if err := s.WebhookTargets.SaveWebhookTarget(ctx, t); err != nil {
		return nil, err
	}
	s.RecordAudit(ctx, "webhook.set", "member:"+memberID, "", map[string]string{"url": t.URL, "new_secret": boolString(fresh)})
	out := *t
	if !fresh {
		out.Secret = ""
	}
	return &out, nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// FindWebhookTarget returns a member's webhook, without its secret, to the
// member's owners and staff. It returns ENOTFOUND when there is none.
func (s *Service) FindWebhookTarget(ctx context.Context, memberID string) (*WebhookTarget, error) {
	if _, err := s.webhookMember(ctx, memberID, true); err != nil {
		return nil, err
	}
	t, err := s.WebhookTargets.FindWebhookTarget(ctx, memberID)
	if err != nil {
		return nil, err
	}
	t.Secret = ""
	return t, nil
}

// DeleteWebhookTarget removes a member's webhook, for its owners and
// staff; ENOTFOUND when there is none. Notifications already made for it
// are recorded as failed when their delivery finds it gone.
func (s *Service) DeleteWebhookTarget(ctx context.Context, memberID string) error {
	if _, err := s.webhookMember(ctx, memberID, true); err != nil {
		return err
	}
	if err := s.WebhookTargets.DeleteWebhookTarget(ctx, memberID); err != nil {
		return err
	}
	s.RecordAudit(ctx, "webhook.delete", "member:"+memberID, "", nil)
	return nil
}

// webhookMember checks that the signed-in user may manage the member's
// webhook: an owner of the member, or staff when staffToo.
func (s *Service) webhookMember(ctx context.Context, memberID string, staffToo bool) (*Member, error) {
	me := UserFromContext(ctx)
	if me == nil {
		return nil, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	m, err := s.Members.FindMemberByID(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if !me.IsOwnerOf(m.ID) && !(staffToo && me.IsStaff()) {
		return nil, Errorf(EFORBIDDEN, "Only the member's owners manage its webhook.")
	}
	return m, nil
}

// checkWebhookURL checks the shape of a webhook URL: https, a host, no
// credentials or fragment.
func checkWebhookURL(fe *fieldErrors, raw string) {
	if raw == "" {
		fe.broke("url", RuleRequired, RuleParams{})
		return
	}
	if len(raw) > MaxWebhookURLLen {
		fe.broke("url", RuleMaxLength, RuleParams{Max: MaxWebhookURLLen})
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		fe.broke("url", RuleAbsoluteURL, RuleParams{})
	case u.Scheme != "https":
		fe.broke("url", RuleHTTPS, RuleParams{})
	case u.User != nil:
		fe.broke("url", RuleNoUserinfo, RuleParams{})
	case u.Fragment != "" || strings.Contains(raw, "#"):
		fe.broke("url", RuleNoFragment, RuleParams{})
	case hasControl(raw, false) || strings.ContainsAny(raw, " \t"):
		fe.broke("url", RuleNoSpaces, RuleParams{})
	}
}

// NewWebhookSecret makes a secret for signing webhooks: WebhookSecretPrefix
// and 32 random bytes, base64url.
func NewWebhookSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return WebhookSecretPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// sealPrefix versions the sealed form.
const sealPrefix = "v1."

// WebhookSealKey derives the key that seals webhook secrets from the
// service's secret (HKDF-SHA256). It returns EUNAVAILABLE when the service
// has no secret.
func WebhookSealKey(serviceSecret []byte) ([]byte, error) {
	if len(serviceSecret) == 0 {
		return nil, Errorf(EUNAVAILABLE, "No secret is configured to seal webhook secrets with.")
	}
	return hkdf.Key(sha256.New, serviceSecret, nil, "cooptrade webhook secret v1", 32)
}

// SealWebhookSecret encrypts a member's webhook secret for storage with
// AES-256-GCM under key (see WebhookSealKey). The member's ID is
// authenticated with it, so a sealed secret opens only for its member.
func SealWebhookSecret(key []byte, memberID, secret string) (string, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(secret)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := aead.Seal(nonce, nonce, []byte(secret), []byte(memberID))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// OpenWebhookSecret decrypts what SealWebhookSecret sealed; an error when
// the key, the member or the sealed text is not the one it was sealed with.
func OpenWebhookSecret(key []byte, memberID, sealed string) (string, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, sealPrefix))
	if err != nil || !strings.HasPrefix(sealed, sealPrefix) || len(raw) < aead.NonceSize() {
		return "", errors.New("marketplace: a sealed webhook secret is malformed")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(memberID))
	if err != nil {
		return "", errors.New("marketplace: a sealed webhook secret does not open with this key")
	}
	return string(plain), nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
