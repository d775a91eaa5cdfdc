package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"cooptrade/marketplace/load"
)

// progress shows how far the steps of a long command have got: a bar per
// step on a terminal; otherwise (a log, a pipe) a line per tenth of a step,
// or every ten seconds when its size is not known, and one when it ends.
type progress struct {
	w   io.Writer
	tty bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

// Step implements load.Progress: it starts a step of total items (-1 when
// not known); unit names them ("listings"; "bytes" shows sizes).
func (p *progress) Step(desc, unit string, total int) load.Step {
	s := &stepProgress{p: p, desc: desc, unit: unit, total: total, start: time.Now()}
	s.lastLine = s.start
	if p.tty {
		s.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(unit),
			progressbar.OptionShowBytes(unit == "bytes"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
	}
	return s
}

// stepProgress is one step's progress. It is not safe for concurrent use.
type stepProgress struct {
	p        *progress
	desc     string
	unit     string
	total, n int
	bar      *progressbar.ProgressBar
	start    time.Time
	lastLine time.Time
	tenth    int
}

// Add records n more items done.
func (s *stepProgress) Add(n int) {
	s.n += n
	if s.bar != nil {
		_ = s.bar.Add(n)
		return
	}
	if s.total > 0 {
		if t := s.n * 10 / s.total; t > s.tenth && s.n < s.total {
			s.tenth = t
			fmt.Fprintf(s.p.w, "%s: %d%% (%s of %s %s)\n", s.desc, t*10, count(s.n), count(s.total), s.unit)
		}
	} else if time.Since(s.lastLine) >= 10*time.Second {
		s.lastLine = time.Now()
		fmt.Fprintf(s.p.w, "%s: %s %s so far\n", s.desc, count(s.n), s.unit)
	}
}

// Done ends the step.
func (s *stepProgress) Done() {
	if s.bar != nil {
		_ = s.bar.Finish()
		return
	}
	fmt.Fprintf(s.p.w, "%s: %s %s in %s\n", s.desc, count(s.n), s.unit, since(s.start))
}

// count writes n with thousands separators: 12,345.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// since is the time since start, rounded for people.
func since(start time.Time) string {
	d := time.Since(start)
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
