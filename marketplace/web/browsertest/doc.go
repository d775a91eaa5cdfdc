// Package browsertest holds the browser tests of the marketplace's pages:
// Debian's Chromium, headless, driven with chromedp through the real
// server (webtest.NewServer), with axe-core (from npm, pinned in
// package-lock.json here; scripts/test-deps runs npm ci) checking each page
// for WCAG 2.2 A and AA violations, and screenshots of the main pages at
// phone and desktop widths written to $SCREENSHOT_DIR (default
// artifacts/screenshots at the root of the repository).
//
// Staff pages add their tests here in files named staff*_test.go, with
// the same browser (sharedBrowser) and helpers.
//
// It holds tests only; nothing imports it.
package browsertest
