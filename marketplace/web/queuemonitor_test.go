package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cooptrade/marketplace/web/webtest"
)

// TestQueueMonitorSignIn checks that the queue monitor, which the API
// serves, sends a browser that is not signed in to the sign-in page and
// back, while API clients keep their 401 problem.
func TestQueueMonitorSignIn(t *testing.T) {
	s := webtest.NewServer(t, webtest.Options{})

	t.Run("BrowserSentToSignIn", func(t *testing.T) {
		for _, path := range []string{"/staff/queues", "/staff/queues/", "/staff/queues/queues/default"} {
			c := s.NewClient(t)
			c.NoRedirects = true
			p := c.Get(path)
			if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/login?next=/staff/queues/" {
				t.Errorf("%s for a browser: %d to %q", path, p.Status, p.Header.Get("Location"))
			}
		}
	})

	t.Run("SignInAndBack", func(t *testing.T) {
		c := s.NewClient(t)
		p := c.Get("/staff/queues/")
		if u, _ := url.Parse(p.URL); u.Path != "/login" || !strings.Contains(p.Body, `name="next" value="/staff/queues/"`) {
			t.Fatalf("the browser ends at %s", p.URL)
		}
		p = c.Post("/login", url.Values{"email": {"staff@federation.example"}, "password": {webtest.StaffPassword}, "next": {"/staff/queues/"}})
		if u, _ := url.Parse(p.URL); p.Status != http.StatusOK || u.Path != "/staff/queues/" || !strings.Contains(p.Body, "<html") {
			t.Fatalf("after signing in: %d at %s", p.Status, p.URL)
		}
	})

	t.Run("HeadersAndUnknownQueues", func(t *testing.T) {
		c := s.NewClient(t)
		c.Get("/login")
		c.Post("/login", url.Values{"email": {"staff@federation.example"}, "password": {webtest.StaffPassword}})
		p := c.Get("/staff/queues/")
		csp := p.Header.Get("Content-Security-Policy")
		if p.Status != http.StatusOK || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "'sha256-") || strings.Contains(csp, "'unsafe-inline' ;") {
			t.Errorf("the monitor's page: %d, CSP %q", p.Status, csp)
		}
		for _, path := range []string{"/staff/queues/api/queues/nope", "/staff/queues/api/queues/nope/pending_tasks", "/staff/queues/api/queues/nope:pause"} {
			if p := c.Get(path); p.Status != http.StatusNotFound {
				t.Errorf("%s: status %d; want 404", path, p.Status)
			}
		}
		if p := c.Get("/staff/queues/api/queues"); p.Status != http.StatusOK {
			t.Errorf("the list of queues: %d", p.Status)
		}
	})

	t.Run("APIClientsGet401", func(t *testing.T) {
		for _, accept := range []string{"", "application/json", "*/*", "application/json, text/html", "text/html;q=0.5, application/json"} {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/staff/queues/", nil)
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("Accept %q: %d %s", accept, res.StatusCode, ct)
			}
		}
		// A browser's request that is not a page load is not redirected.
		c := s.NewClient(t)
		c.NoRedirects = true
		c.Get("/login")
		if p := c.Post("/staff/queues/api/queues/default:pause", url.Values{}); p.Status != http.StatusUnauthorized {
			t.Errorf("a POST from a browser not signed in: %d", p.Status)
		}
	})
}
