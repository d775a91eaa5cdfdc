package httpapi

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"cooptrade/marketplace"
)

// clientAddress puts the client's address in the request's context, for
// the rate limits, password guesses and logs of the API and the pages.
func (s *Server) clientAddress(c *fiber.Ctx) error {
	c.SetUserContext(marketplace.NewContextWithClient(c.UserContext(), ClientAddress(c, s.cfg.TrustedProxies)))
	return c.Next()
}

// ClientAddress returns the address a request came from. Only a trusted
// proxy's word is taken: from one, X-Forwarded-For is read from the right
// (the entries each proxy appended) to the first address that is not a
// trusted proxy; what the client itself wrote further left is never taken,
// so a client cannot pick its own address to dodge a limit.
func ClientAddress(c *fiber.Ctx, trusted []netip.Prefix) string {
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	peer = peer.Unmap()
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a proxy would not write this: stop at the last good hop
		}
		hop = hop.Unmap()
		if !isTrusted(hop, trusted) {
			return hop.String()
		}
		peer = hop
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
