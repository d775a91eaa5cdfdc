// Package redistest starts a real redis-server for a test: on a free port,
// with nothing saved to disk, stopped when the test ends. When REDIS_URL is
// set it uses that server instead, flushing the database it names first.
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
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Server is a Redis server a test may use alone.
type Server struct {
	URL  string // redis://127.0.0.1:port/0
	Addr string
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
	dir := tb.TempDir()
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--daemonize", "no", "--loglevel", "warning")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		tb.Fatalf("redistest: start redis-server: %v", err)
	}
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
		}
	}()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c.Ping(context.Background()).Err() == nil {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: redis-server did not answer on %s:\n%s", addr, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &Server{URL: fmt.Sprintf("redis://%s/0", addr), Addr: addr}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
