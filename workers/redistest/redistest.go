// Package redistest starts a real redis-server for a test: on a free port,
// with nothing saved to disk, stopped when the test ends. When REDIS_URL is
// set it uses that server instead, flushing the database it names first.
//
// It is imported by tests only.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Server is a Redis server a test may use alone.
type Server struct {
	URL  string // redis://127.0.0.1:port/0
	Addr string

	// The server this package started (nil with REDIS_URL), to stop and
	// start again.
	mu   sync.Mutex
	bin  string
	args []string
	cmd  *exec.Cmd
}

// Opt returns the options to connect asynq to the server.
func (s *Server) Opt() asynq.RedisConnOpt {
	opt, err := asynq.ParseRedisURI(s.URL)
	if err != nil {
		panic(err) // the URL was made or checked by New
	}
	return opt
}

// New starts a redis-server for the test, or uses REDIS_URL. It fails the
// test with the package to install when redis-server is missing.
func New(tb testing.TB) *Server {
	tb.Helper()
	if url := os.Getenv("REDIS_URL"); url != "" {
		opt, err := redis.ParseURL(url)
		if err != nil {
			tb.Fatalf("redistest: REDIS_URL: %v", err)
		}
		c := redis.NewClient(opt)
		defer c.Close()
		if err := c.FlushDB(context.Background()).Err(); err != nil {
			tb.Fatalf("redistest: flush %s: %v", url, err)
		}
		return &Server{URL: url, Addr: opt.Addr}
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redistest: redis-server is not installed; install it (Debian: apt-get install redis-server) or set REDIS_URL")
	}
	port, err := freePort()
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	s := &Server{
		bin: bin,
		args: []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--dir", tb.TempDir(),
			"--daemonize", "no", "--loglevel", "warning"},
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
	}
	s.URL = fmt.Sprintf("redis://%s/0", s.Addr)
	tb.Cleanup(s.Stop)
	if err := s.start(); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	return s
}

// Stop kills the server, as a crash would; what it held is lost (nothing
// is saved). It does nothing to a server it did not start.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// Restart starts a stopped server again on the same address, empty, and
// waits until it answers.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	if s.bin == "" {
		tb.Fatalf("redistest: the server at REDIS_URL cannot be restarted by the test")
	}
	if err := s.start(); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil
	}
	cmd := exec.Command(s.bin, s.args...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	var log strings.Builder
	var logMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			logMu.Lock()
			log.WriteString(sc.Text() + "\n")
			logMu.Unlock()
		}
	}()
	s.cmd = cmd
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			logMu.Lock()
			defer logMu.Unlock()
			return fmt.Errorf("redis-server did not answer on %s:\n%s", s.Addr, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
