package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian installs Chromium (scripts/test-deps does).
const ChromiumPath = "/usr/bin/chromium"

// Viewports the pages are checked at.
var (
	Phone   = Viewport{Name: "phone", Width: 360, Height: 800}
	Desktop = Viewport{Name: "desktop", Width: 1280, Height: 900}
)

// Viewport is the size of a tab's window.
type Viewport struct {
	Name          string
	Width, Height int64
}

// Browser is a headless Chromium for the tests of a package: started
// once, with an empty profile, and closed when the package's tests end
// (Close, from TestMain) or at the cleanup of the test that started it.
type Browser struct {
	ctx    context.Context
	cancel func()
	axe    string
	shots  string
	once   sync.Once
}

// NewBrowser starts Chromium headless with an empty user data directory.
// It fails the test, saying what to install, when Chromium or axe-core is
// missing (make test installs both: scripts/test-deps).
func NewBrowser(tb testing.TB) *Browser {
	tb.Helper()
	if _, err := exec.LookPath(ChromiumPath); err != nil {
		tb.Fatalf("webtest: %s is missing; run scripts/test-deps (apt-get install chromium)", ChromiumPath)
	}
	axe, err := os.ReadFile(axePath())
	if err != nil {
		tb.Fatalf("webtest: axe-core is missing (%v); run scripts/test-deps (npm ci in marketplace/web/browsertest)", err)
	}
	profile, err := os.MkdirTemp("", "webtest-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.Env("LANGUAGE=en_GB", "TZ=Europe/London"),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	b := &Browser{ctx: ctx, axe: string(axe), shots: ScreenshotDir()}
	b.cancel = func() {
		cancelCtx()
		cancelAlloc()
		_ = os.RemoveAll(profile)
	}
	// The first action starts the browser and ties its life to the
	// context it is given: this one, without a timeout.
	if err := chromedp.Do(ctx); err != nil {
		b.Close()
		tb.Fatalf("webtest: start Chromium: %v", err)
	}
	return b
}

// Close stops the browser.
func (b *Browser) Close() { b.once.Do(b.cancel) }

// axePath is axe-core as npm ci installs it next to the browser tests.
func axePath() string {
	return filepath.Join(repoRoot(), "marketplace", "web", "browsertest", "node_modules", "axe-core", "axe.min.js")
}

// ScreenshotDir is where screenshots are written: $SCREENSHOT_DIR, or
// artifacts/screenshots at the root of the repository (git-ignored).
func ScreenshotDir() string {
	if d := os.Getenv("SCREENSHOT_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), "artifacts", "screenshots")
}

// repoRoot is the directory of go.mod above the working directory.
func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// Tab is one tab of the browser, at a viewport, on a server.
type Tab struct {
	tb   testing.TB
	b    *Browser
	ctx  context.Context
	base string
	vp   Viewport
}

// NewTab opens a tab with a window of the viewport's size on the server
// at base, closed at the test's cleanup. Its cookies are its own only if
// the test clears them (ClearCookies): tabs of one browser share them.
func (b *Browser) NewTab(tb testing.TB, base string, vp Viewport) *Tab {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	tb.Cleanup(cancel)
	t := &Tab{tb: tb, b: b, ctx: ctx, base: base, vp: vp}
	// The first action opens the tab and ties its life to the context it
	// is given: this one, without a timeout.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("open a tab: %v", err)
	}
	t.do("size the tab", chromedp.EmulateViewport(vp.Width, vp.Height))
	return t
}

// Viewport changes the size of the tab's window.
func (t *Tab) Viewport(vp Viewport) {
	t.tb.Helper()
	t.vp = vp
	t.do("resize", chromedp.EmulateViewport(vp.Width, vp.Height))
}

// ClearCookies signs the browser out of everything.
func (t *Tab) ClearCookies() {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.tb.Fatalf("clear cookies: %v", err)
	}
}

// Cookie returns the value of the tab's cookie of that name for its
// server ("" when there is none): a test keeps a session to try it after
// the browser has signed in as someone else.
func (t *Tab) Cookie(name string) string {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 10*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{t.base}})
	if err != nil {
		t.tb.Fatalf("read cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (t *Tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.tb.Fatalf("%s: %v (at %s)", what, err, t.URL())
	}
}

// Go loads a page of the server and returns its HTTP status.
func (t *Tab) Go(path string) int64 {
	t.tb.Helper()
	return t.navigate("go to "+path, chromedp.Navigate(t.base+path))
}

// Click clicks the element the CSS selector finds and, when that loads a
// page, waits for it; it returns the page's status (0 when no page
// loaded).
func (t *Tab) Click(css string) int64 {
	t.tb.Helper()
	return t.navigate("click "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// Press clicks the element the CSS selector finds when that loads no page
// (a button of the page's own script, a link within the page).
func (t *Tab) Press(css string) {
	t.tb.Helper()
	t.do("press "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// ClickLink clicks the first link whose text contains text, inside the
// element the CSS selector finds, and waits for the page.
func (t *Tab) ClickLink(within, text string) int64 {
	t.tb.Helper()
	js := fmt.Sprintf(`(() => { const a = [...document.querySelectorAll(%q + " a")].find(a => a.textContent.includes(%q)); if (!a) return false; a.click(); return true; })()`, within, text)
	return t.navigate("click the link "+text, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		ok, err := chromedp.Evaluate[bool](js)(ctx, tg)
		if err == nil && !ok {
			err = fmt.Errorf("no link %q in %s", text, within)
		}
		return chromedp.Void{}, err
	})
}

func (t *Tab) navigate(what string, step chromedp.Action[chromedp.Void]) int64 {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, step)
	if err != nil {
		t.tb.Fatalf("%s: %v (at %s)", what, err, t.URL())
	}
	if res == nil {
		return 0
	}
	return res.Status
}

// Fill sets the value of the field the CSS selector finds, as typing
// would.
func (t *Tab) Fill(css, value string) {
	t.tb.Helper()
	t.do("fill "+css, chromedp.SetValue(chromedp.CSS(css), value, chromedp.NodeVisible))
}

// Select chooses an option of a select by its value.
func (t *Tab) Select(css, value string) {
	t.tb.Helper()
	t.do("select "+css, chromedp.SetValue(chromedp.CSS(css), value))
}

// Text returns the text of the element the CSS selector finds.
func (t *Tab) Text(css string) string {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css), chromedp.NodeReady))
	if err != nil {
		t.tb.Fatalf("text of %s: %v (at %s)", css, err, t.URL())
	}
	return strings.Join(strings.Fields(s), " ")
}

// Eval evaluates JavaScript in the page and decodes its result into T.
func Eval[T any](t *Tab, js string) T {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.tb.Fatalf("evaluate %.60s: %v (at %s)", js, err, t.URL())
	}
	return v
}

// URL returns the address of the page in the tab.
func (t *Tab) URL() string {
	ctx, cancel := context.WithTimeout(t.ctx, 5*time.Second)
	defer cancel()
	u, _ := chromedp.Run(ctx, chromedp.Location())
	return u
}

// Path returns the path and query of the page in the tab.
func (t *Tab) Path() string {
	return strings.TrimPrefix(t.URL(), t.base)
}

// Focused returns the id of the element that has the focus.
func (t *Tab) Focused() string {
	return Eval[string](t, `document.activeElement ? document.activeElement.id : ""`)
}

// Violation is an accessibility problem axe-core found.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %s\n      %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
	}
	return b.String()
}

// axeTags are the rules run: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
const axeTags = `["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]`

// A11yViolations runs axe-core on the page, with the WCAG 2.x A and AA
// rules, and returns what it finds.
func (t *Tab) A11yViolations() []Violation {
	t.tb.Helper()
	if !Eval[bool](t, `typeof window.axe !== "undefined"`) {
		t.do("inject axe-core", chromedp.Evaluate[chromedp.Void](t.b.axe))
	}
	s := Eval[string](t, `axe.run(document, {runOnly: {type: "tag", values: `+axeTags+`}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help,
		nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary || ""}))
	}))))`)
	var vs []Violation
	if err := json.Unmarshal([]byte(s), &vs); err != nil {
		t.tb.Fatalf("axe: %v", err)
	}
	return vs
}

// CheckA11y runs axe-core on the page and fails the test, printing each
// one, on any serious or critical violation; lesser ones are logged.
func (t *Tab) CheckA11y(name string) {
	t.tb.Helper()
	var bad []string
	for _, v := range t.A11yViolations() {
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, v.String())
		} else {
			t.tb.Logf("axe on %s (%s): %s", name, t.vp.Name, v)
		}
	}
	if len(bad) > 0 {
		t.tb.Errorf("axe found %d serious or critical violations on %s (%s, %s):\n  %s", len(bad), name, t.URL(), t.vp.Name, strings.Join(bad, "\n  "))
	}
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// Screenshot writes a picture of the whole page to the screenshot
// directory as <name>-<viewport>.png.
func (t *Tab) Screenshot(name string) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.tb.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(t.b.shots, 0o755); err != nil {
		t.tb.Fatal(err)
	}
	file := filepath.Join(t.b.shots, unsafeName.ReplaceAllString(name, "_")+"-"+t.vp.Name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.tb.Fatal(err)
	}
}

// Check checks a page as a person would see it at both widths: axe-core
// on each, and a screenshot of each. It leaves the tab at the width it had.
func (t *Tab) Check(name string) {
	t.tb.Helper()
	was := t.vp
	for _, vp := range []Viewport{Phone, Desktop} {
		t.Viewport(vp)
		t.CheckA11y(name)
		t.Screenshot(name)
	}
	t.Viewport(was)
}
