package webtest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Client is a browser without JavaScript: it keeps cookies, follows
// redirects and fills forms' CSRF tokens from the last page it read.
type Client struct {
	tb   testing.TB
	base string
	http *http.Client
	// NoRedirects makes the client stop at redirects, to look at them.
	NoRedirects bool
	// Lang, when set, is sent as Accept-Language.
	Lang string
	// Last is the last page read.
	Last Page

	headers http.Header
}

// Page is a response as the client read it.
type Page struct {
	Status int
	URL    string
	Header http.Header
	Body   string
}

// NewClient returns a client of the server with no cookies.
func (s *Server) NewClient(tb testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{tb: tb, base: s.URL, http: &http.Client{Jar: jar}}
}

// Get reads a page.
func (c *Client) Get(path string) Page {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	return c.do(req)
}

// Post sends a form as a browser would, adding the CSRF token of the last
// page read unless the form has one (an empty "csrf" sends none).
func (c *Client) Post(path string, form url.Values) Page {
	c.tb.Helper()
	if _, ok := form["csrf"]; !ok {
		form = cloneValues(form)
		form.Set("csrf", c.CSRF())
	} else if form.Get("csrf") == "" {
		form = cloneValues(form)
		form.Del("csrf")
	}
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *Client) do(req *http.Request) Page {
	c.tb.Helper()
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	for k, v := range c.headers {
		req.Header[k] = v
	}
	hc := c.http
	if c.NoRedirects {
		hc = &http.Client{Jar: c.http.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := hc.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.Last = Page{Status: res.StatusCode, URL: res.Request.URL.String(), Header: res.Header, Body: string(b)}
	return c.Last
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF returns the CSRF token of the last page read.
func (c *Client) CSRF() string {
	m := csrfField.FindStringSubmatch(c.Last.Body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// SignIn signs in through the sign-in page and fails the test unless it
// lands on the dashboard.
func (c *Client) SignIn(email, password string) {
	c.tb.Helper()
	c.Get("/login")
	p := c.Post("/login", url.Values{"email": {email}, "password": {password}})
	if p.Status != http.StatusOK || !strings.Contains(p.URL, "/dashboard") {
		c.tb.Fatalf("sign in as %s: status %d at %s\n%.2000s", email, p.Status, p.URL, p.Body)
	}
}

// Header sets a header on the client's requests (or removes it when v is
// empty).
func (c *Client) Header(name, v string) {
	if c.headers == nil {
		c.headers = http.Header{}
	}
	if v == "" {
		c.headers.Del(name)
	} else {
		c.headers.Set(name, v)
	}
}

// Text returns the text of a page without its tags, with spaces folded,
// for looking for words.
func (p Page) Text() string {
	s := tags.ReplaceAllString(p.Body, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

var tags = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vals := range v {
		out[k] = append([]string(nil), vals...)
	}
	return out
}
