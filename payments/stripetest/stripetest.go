package stripetest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// TestSecretKey is the API key a test gives stripe-go. stripe-mock accepts
// any key that looks like a test-mode secret key.
const TestSecretKey = "sk_test_cooptrade"

// stripeMockModule is the module path of the go tool pinned in go.mod.
const stripeMockModule = "github.com/stripe/stripe-mock"

// startTimeout bounds how long a started stripe-mock may take to answer;
// it loads Stripe's OpenAPI spec first, which takes about a second.
const startTimeout = 60 * time.Second

// Server is a stripe-mock process started for one test. It checks every
// request against Stripe's OpenAPI spec and answers with fixtures; it keeps
// no state, so an object created is not found again.
type Server struct {
	// URL is the base URL of the API, http://127.0.0.1:port, without a
	// trailing slash: stripe-go's BackendConfig.URL (STRIPE_API_BASE).
	URL string

	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	out    *lockedBuffer
	once   sync.Once
}

// NewServer starts stripe-mock on free ports of 127.0.0.1 and waits until
// it answers. It is stopped by Close, which the test's cleanup calls.
//
// The binary is the version of github.com/stripe/stripe-mock that go.mod
// pins as a tool, built once and kept in the user cache directory under
// that version (cooptrade/stripe-mock/<version>-<os>-<arch>), so only the
// first run on a machine pays for the build. It is never started with
// -strict-version-check: its fixtures are of a newer API version than
// stripe-go v76's.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	bin, err := binary()
	if err != nil {
		tb.Fatalf("stripetest: %v", err)
	}
	s, err := start(bin)
	if err != nil {
		tb.Fatalf("stripetest: %v", err)
	}
	tb.Cleanup(func() {
		s.Close()
		if tb.Failed() {
			tb.Logf("stripetest: stripe-mock output:\n%s", s.out.String())
		}
	})
	return s
}

func start(bin string) (*Server, error) {
	// With -http-addr alone stripe-mock would also serve HTTPS on its
	// default port, so both get a port of their own choosing.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	setProcAttr(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	out := &lockedBuffer{}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{cmd: cmd, exited: make(chan struct{}), out: out}

	// stripe-mock prints "Listening for HTTP at address: 127.0.0.1:port"
	// once it is bound, then one line per request; all of it is kept for
	// the log of a failed test.
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			out.WriteString(line + "\n")
			if a, ok := strings.CutPrefix(line, "Listening for HTTP at address: "); ok && !sent {
				addrc <- strings.TrimSpace(a)
				sent = true
			}
		}
		_, _ = io.Copy(out, stdout)
		_ = cmd.Wait()
		close(s.exited)
	}()

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case addr := <-addrc:
		s.URL = "http://" + addr
	case <-s.exited:
		return nil, fmt.Errorf("stripe-mock exited before listening:\n%s", out.String())
	case <-timer.C:
		s.Close()
		return nil, fmt.Errorf("stripe-mock did not listen within %v:\n%s", startTimeout, out.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.waitAnswering(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("stripe-mock at %s: %w\n%s", s.URL, err, out.String())
	}
	return s, nil
}

// waitAnswering returns once the server answers an HTTP request at all.
func (s *Server) waitAnswering(ctx context.Context) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/v1/balance", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+TestSecretKey)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not answering: %w", err)
		case <-s.exited:
			return errors.New("exited")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Close stops stripe-mock and waits for it to exit. It may be called more
// than once.
func (s *Server) Close() {
	s.once.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
}

// Backends returns stripe-go backends that send every request (API,
// Connect and file uploads) to the mock, without retries or logs (errors
// are returned to the caller).
func (s *Server) Backends() *stripe.Backends {
	config := func() *stripe.BackendConfig {
		return &stripe.BackendConfig{
			URL:               stripe.String(s.URL),
			MaxNetworkRetries: stripe.Int64(0),
			LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
		}
	}
	return &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, config()),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, config()),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, config()),
	}
}

// Client returns a stripe-go client of the mock that uses TestSecretKey.
func (s *Server) Client() *client.API {
	return client.New(TestSecretKey, s.Backends())
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// binary returns the path of the stripe-mock executable of the version
// go.mod pins, building it the first time on this machine.
func binary() (string, error) {
	binaryOnce.Do(func() {
		binaryPath, binaryErr = findOrBuild()
	})
	return binaryPath, binaryErr
}

func findOrBuild() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	out, err := goCommand(root, "list", "-m", "-f", "{{.Version}} {{with .Replace}}replaced{{end}}", stripeMockModule)
	if err != nil {
		return "", fmt.Errorf("find the version of %s in go.mod (is it a tool there?): %w", stripeMockModule, err)
	}
	version, replaced, _ := strings.Cut(strings.TrimSpace(out), " ")
	if version == "" || replaced != "" {
		// A replaced module has no version to key a cache on: the go
		// command builds it and keeps it in its own build cache.
		out, err := goCommand(root, "tool", "-n", "stripe-mock")
		if err != nil {
			return "", fmt.Errorf("build stripe-mock: %w", err)
		}
		return strings.TrimSpace(out), nil
	}

	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache directory: %w", err)
	}
	dir := filepath.Join(cache, "cooptrade", "stripe-mock", version+"-"+runtime.GOOS+"-"+runtime.GOARCH)
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	bin := filepath.Join(dir, "stripe-mock"+exe)
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Several test binaries may build at once: each builds to a file of
	// its own and renames it into place, so none sees half a binary.
	f, err := os.CreateTemp(dir, "stripe-mock-*.tmp"+exe)
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	if _, err := goCommand(root, "build", "-o", tmp, stripeMockModule); err != nil {
		return "", fmt.Errorf("build %s@%s: %w", stripeMockModule, version, err)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	return bin, nil
}

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := goCommand("", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(out)
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: stripe-mock is pinned in go.mod")
	}
	return filepath.Dir(gomod), nil
}

func goCommand(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// lockedBuffer collects a process's output for the log of a failed test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Keep the last 64 KiB or so: a long test makes many requests.
	if b.b.Len() > 128<<10 {
		rest := bytes.Clone(b.b.Bytes()[b.b.Len()-64<<10:])
		b.b.Reset()
		b.b.WriteString("[…]\n")
		b.b.Write(rest)
	}
	return b.b.Write(p)
}

func (b *lockedBuffer) WriteString(s string) {
	_, _ = b.Write([]byte(s))
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
