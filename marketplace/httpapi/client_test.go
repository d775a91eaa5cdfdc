package httpapi_test

import (
	"net"
	"net/netip"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"cooptrade/marketplace/httpapi"
)

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tc := range []struct {
		name, peer, forwarded string
		trusted               []netip.Prefix
		want                  string
	}{
		{"NoProxies", "203.0.113.5", "198.51.100.1", nil, "203.0.113.5"},
		{"UntrustedPeerIgnoresHeader", "203.0.113.5", "198.51.100.1", proxies, "203.0.113.5"},
		{"TrustedPeer", "10.0.0.2", "198.51.100.1", proxies, "198.51.100.1"},
		{"ClientWroteItsOwn", "10.0.0.2", "1.2.3.4, 198.51.100.1", proxies, "198.51.100.1"},
		{"TwoProxies", "10.0.0.2", "198.51.100.1, 10.0.0.3", proxies, "198.51.100.1"},
		{"OnlyProxies", "10.0.0.2", "10.0.0.9", proxies, "10.0.0.9"},
		{"NoHeader", "10.0.0.2", "", proxies, "10.0.0.2"},
		{"Garbage", "10.0.0.2", "not an address", proxies, "10.0.0.2"},
		{"GarbageLeftOfGood", "10.0.0.2", "junk, 198.51.100.1", proxies, "198.51.100.1"},
		{"MappedIPv4", "10.0.0.2", "::ffff:198.51.100.1", proxies, "198.51.100.1"},
		{"IPv6Proxy", "::1", "2001:db8::1", proxies, "2001:db8::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := fiber.New()
			fctx := &fasthttp.RequestCtx{}
			fctx.SetRemoteAddr(&net.TCPAddr{IP: net.ParseIP(tc.peer), Port: 4000})
			if tc.forwarded != "" {
				fctx.Request.Header.Set("X-Forwarded-For", tc.forwarded)
			}
			c := app.AcquireCtx(fctx)
			defer app.ReleaseCtx(c)
			if got := httpapi.ClientAddress(c, tc.trusted); got != tc.want {
				t.Fatalf("got %s; want %s", got, tc.want)
			}
		})
	}
}
