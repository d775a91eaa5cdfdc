package marketplace

import (
	"context"
	"slices"
	"time"
)

// WebhookTarget is where a member wants notifications POSTed, signed with a
// secret it was shown once.
type WebhookTarget struct {
	MemberID string    `json:"member_id"`
	URL      string    `json:"url"`
	Types    []string  `json:"types"` // notification types sent; empty: all
	Secret   string    `json:"-"`     // plain, only in memory; stored sealed
	Created  time.Time `json:"created_at"`
}

// Wants reports whether the target takes notifications of the type.
func (t *WebhookTarget) Wants(typ string) bool {
	return len(t.Types) == 0 || slices.Contains(t.Types, typ)
}

// WebhookTargetStore keeps members' webhook targets, one per member.
type WebhookTargetStore interface {
	// FindWebhookTarget returns ENOTFOUND when the member has none.
	FindWebhookTarget(ctx context.Context, memberID string) (*WebhookTarget, error)
	// SaveWebhookTarget stores the member's target, replacing any other;
	// EUNAVAILABLE when there is no key to seal its secret with.
	SaveWebhookTarget(ctx context.Context, t *WebhookTarget) error
	// DeleteWebhookTarget returns ENOTFOUND when the member has none.
	DeleteWebhookTarget(ctx context.Context, memberID string) error
}

// WebhookSender POSTs a notification to its target, signed. A target that
// may not be reached (a private address) is EINVALID.
type WebhookSender interface {
	SendWebhook(ctx context.Context, n *Notification) error
}
