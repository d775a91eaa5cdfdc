package httpapi_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"cooptrade/marketplace"
)

// TestMetricsAfterEveryRoute sends every operation of the OpenAPI document,
// anonymously and signed in, and odd requests the document does not name,
// then scrapes /metrics: it must keep answering, with one series per
// route, method and status.
func TestMetricsAfterEveryRoute(t *testing.T) {
	ts := newTestServer(t, options{MetricsToken: "metrics-secret-for-tests"})
	staff := ts.staffToken(t)
	_, owner := ts.memberWithOwner(t, staff, "Pennine Print Co-op", marketplace.StandingActive)
	param := regexp.MustCompile(`\{[^}]+\}`)
	forEachOperation(loadOpenAPI(t), func(method, path string, _ *openapi3.Operation) {
		p := param.ReplaceAllString(path, "65a1b2c3d4e5f60718293a4b")
		for _, tok := range []string{"", "cmt_forged", owner, staff} {
			ts.do(t, method, p, tok, nil)
		}
	})
	for _, p := range []string{"/nowhere", "/v1", "/v1/", "/v1/nowhere", "/v1/listings/x/y/z", "//v1/me"} {
		for _, method := range []string{"GET", "POST", "DELETE", "PATCH", "OPTIONS"} {
			ts.do(t, method, p, "", nil)
		}
	}
	ts.do(t, "DELETE", "/v1/auth/token", "", nil).must(t, 401)

	res := ts.do(t, "GET", "/metrics", "", nil, "Authorization", "Bearer metrics-secret-for-tests").must(t, 200)
	body := string(res.Body)
	if !strings.Contains(body, `marketplace_http_requests_total{method="DELETE",route="/v1/auth/token",status="401"}`) {
		t.Fatalf("no series for the anonymous sign-out:\n%s", grepLines(body, "marketplace_http_requests_total"))
	}
	// Requests no route answers share one label instead of one each.
	if strings.Contains(body, `route="/nowhere"`) || strings.Contains(body, `route="/v1/nowhere"`) {
		t.Errorf("unknown paths became route labels:\n%s", grepLines(body, "marketplace_http_requests_total"))
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
