package marketplace

import "context"

type userContextKey struct{}

// NewContextWithUser returns a context that carries the signed-in user.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userContextKey{}, u)
}

// UserFromContext returns the signed-in user, or nil for the public.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userContextKey{}).(*User)
	return u
}

type clientContextKey struct{}

// NewContextWithClient returns a context that carries the address of the
// client a request came from (behind a trusted proxy, the address the proxy
// saw).
func NewContextWithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientContextKey{}, addr)
}

// ClientFromContext returns the client's address, or "" outside a request.
func ClientFromContext(ctx context.Context) string {
	addr, _ := ctx.Value(clientContextKey{}).(string)
	return addr
}
