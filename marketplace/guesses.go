package marketplace

import (
	"sync"
	"time"
)

// Limits on guessing a password. Sign-in limits per client address alone
// let an attacker with many addresses, or with a stolen API token, guess
// one account's password freely; limits per account alone let anyone lock
// its owner out. So:
//
//   - each account takes PasswordGuessesPerAddress wrong passwords from one
//     address in PasswordGuessWindow; then that address waits out the
//     window;
//   - each account takes PasswordGuessesPerAccount wrong passwords from
//     all addresses together in a day (NIST SP 800-63B's 100); then only
//     addresses that gave its right password in the last 30 days may go on
//     trying. The account's own people keep getting in from where they
//     usually do while someone else guesses.
const (
	PasswordGuessesPerAddress = 5
	PasswordGuessWindow       = 15 * time.Minute
	PasswordGuessesPerAccount = 100
	passwordAccountWindow     = 24 * time.Hour
	knownAddressFor           = 30 * 24 * time.Hour
	// guessKeysMax bounds the memory the limiter takes; past it, expired
	// entries are swept.
	guessKeysMax = 100_000
)

// guessLimiter counts wrong passwords by account and by account and
// client address, in memory. Accounts are named by what is guessed at
// (a lower-cased e-mail address, or a user ID for a password change), so
// that addresses without an account are limited exactly as those with
// one and the limit tells nothing.
type guessLimiter struct {
	mu sync.Mutex
	// fails counts the wrong guesses of a window, by account and by
	// account+address.
	fails map[string]*guessCount
	// known holds, by account+address, when the right password was last
	// given from there.
	known map[string]time.Time
}

type guessCount struct {
	n      int
	since  time.Time
	window time.Duration
}

// Keys of the limiter's maps: an account, and an account from an address.
func accountKey(account string) string    { return "a\x00" + account }
func pairKey(account, addr string) string { return "p\x00" + account + "\x00" + addr }

func newGuessLimiter() *guessLimiter {
	return &guessLimiter{fails: map[string]*guessCount{}, known: map[string]time.Time{}}
}

// allow reports whether a password for account may be checked now from
// addr; when not, it says how long to wait.
func (g *guessLimiter) allow(account, addr string, now time.Time) (bool, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.count(pairKey(account, addr), now); c != nil && c.n >= PasswordGuessesPerAddress {
		return false, c.since.Add(c.window).Sub(now)
	}
	if c := g.count(accountKey(account), now); c != nil && c.n >= PasswordGuessesPerAccount {
		if at, ok := g.known[pairKey(account, addr)]; !ok || now.Sub(at) > knownAddressFor {
			return false, c.since.Add(passwordAccountWindow).Sub(now)
		}
	}
	return true, 0
}

// fail records a wrong password for account from addr.
func (g *guessLimiter) fail(account, addr string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.fails) >= guessKeysMax {
		g.sweep(now)
	}
	for key, window := range map[string]time.Duration{pairKey(account, addr): PasswordGuessWindow, accountKey(account): passwordAccountWindow} {
		c := g.count(key, now)
		if c == nil {
			c = &guessCount{since: now, window: window}
			g.fails[key] = c
		}
		c.n++
	}
}

// succeed records the right password for account from addr: the
// address's wrong guesses are forgotten and the address becomes known.
func (g *guessLimiter) succeed(account, addr string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.known) >= guessKeysMax {
		g.sweep(now)
	}
	delete(g.fails, pairKey(account, addr))
	g.known[pairKey(account, addr)] = now
}

// count returns the live count of key, forgetting one whose window ended.
func (g *guessLimiter) count(key string, now time.Time) *guessCount {
	c := g.fails[key]
	if c != nil && now.Sub(c.since) >= c.window {
		delete(g.fails, key)
		return nil
	}
	return c
}

// sweep forgets every count and known address that has run out.
func (g *guessLimiter) sweep(now time.Time) {
	for key, c := range g.fails {
		if now.Sub(c.since) >= c.window {
			delete(g.fails, key)
		}
	}
	for key, at := range g.known {
		if now.Sub(at) > knownAddressFor {
			delete(g.known, key)
		}
	}
}
