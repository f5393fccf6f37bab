package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The sender's HTTP client is a raw one. The sender runs on tote's
// machine, where every microsecond of CPU it spends is taken from the
// tote whose acknowledgements it measures; a vendor's sender runs on a
// machine of its own. With net/http, a goroutine per request, a signature
// per request and a sleep per request, it cost about 165 µs of CPU a
// request, a third of a core at 2,000/s. So every request is built and
// signed before the clock starts (buildRequests) and written as it is,
// by one scheduler loop that wakes once for all the requests then due,
// over a pool of persistent connections, each carrying one request and
// its whole answer (read by net/http) at a time: no TLS, no proxies, no
// pipelining, no retries.

// senderConns is the sender's pool of connections, fewer than tote run
// accepts at once (its -max-conns, 512): a request that finds them all
// busy waits for one, and that wait counts in its latency.
const senderConns = 256

// rawTimeout bounds a request, from when it was due to its whole answer;
// rawIdle is how long a connection may wait for its next request before
// it is redialled, well inside tote run's idle timeout (60 s), so that a
// server never closes one as a request is written on it.
const rawTimeout, rawIdle = time.Minute, 30 * time.Second

// openLoop is what a sending measured, request by request.
type openLoop struct {
	latencies []time.Duration // from each request's due time to its whole answer
	late      []time.Duration // from each request's due time until the sender took it up
	ok        []bool          // answered 2xx
	last      time.Duration   // from the start to the last answer
}

// sendOpenLoop sends reqs to addr at rate over at most conns connections,
// open loop: request i is due i/rate after the start and is handed to the
// pool then, whatever the answers before it, and its latency counts from
// then, so a slow answer is not hidden (no coordinated omission). If ctx
// ends, the requests not yet due are not sent, and count as failed.
func sendOpenLoop(ctx context.Context, addr string, rate float64, reqs [][]byte, conns int) *openLoop {
	n := len(reqs)
	run := &openLoop{latencies: make([]time.Duration, n), late: make([]time.Duration, n), ok: make([]bool, n)}
	jobs := make(chan int, n) // never full: the scheduler never waits for the pool
	var pending atomic.Int64  // requests handed to the pool and not yet answered
	var wg sync.WaitGroup
	s := newSchedule(rate)
	work := func() {
		defer wg.Done()
		var c net.Conn
		r := bufio.NewReader(nil)
		var used time.Time
		for i := range jobs {
			run.late[i] = time.Since(s.due(i))
			if c != nil && time.Since(used) > rawIdle {
				c.Close()
				c = nil
			}
			err := ctx.Err()
			if err == nil && c == nil {
				if c, err = (&net.Dialer{Deadline: s.due(i).Add(rawTimeout)}).DialContext(ctx, "tcp", addr); err == nil {
					r.Reset(c)
				}
			}
			status, keep := 0, false
			if err == nil {
				status, keep, err = roundTrip(c, r, reqs[i], s.due(i).Add(rawTimeout))
			}
			used = time.Now()
			run.latencies[i], run.ok[i] = used.Sub(s.due(i)), err == nil && status/100 == 2
			if c != nil && (err != nil || !keep) {
				c.Close()
				c = nil
			}
			pending.Add(-1)
		}
		if c != nil {
			c.Close()
		}
	}
	workers := 0
	sent := s.run(ctx, n, func(i int) {
		// A connection more only when every one is taken.
		if pending.Add(1) > int64(workers) && workers < conns {
			wg.Add(1)
			go work()
			workers++
		}
		jobs <- i
	})
	close(jobs)
	wg.Wait()
	for i := range sent {
		run.last = max(run.last, s.due(i).Sub(s.start)+run.latencies[i])
	}
	return run
}

// result is the sending's counts and distribution, as the sender reports them.
func (run *openLoop) result() *senderResult {
	res := &senderResult{LastAnswerSeconds: run.last.Seconds()}
	for _, ok := range run.ok {
		if ok {
			res.OK++
		} else {
			res.Failed++
		}
	}
	res.latencyMs = percentiles(slices.Clone(run.latencies))
	answer := make([]time.Duration, len(run.latencies))
	for i, l := range run.latencies {
		answer[i] = l - run.late[i]
	}
	res.Late, res.Answer = percentiles(slices.Clone(run.late)), percentiles(answer)
	return res
}

// roundTrip writes req on c and reads its answer from r, by deadline.
func roundTrip(c net.Conn, r *bufio.Reader, req []byte, deadline time.Time) (status int, keep bool, err error) {
	if err := c.SetDeadline(deadline); err != nil {
		return 0, false, err
	}
	if _, err := c.Write(req); err != nil {
		return 0, false, err
	}
	return readResponse(r)
}

// readResponse reads an HTTP/1.x answer to a POST from r, discarding its
// body, and returns its status and whether the connection may carry
// another request. Interim (1xx) answers are skipped.
func readResponse(r *bufio.Reader) (status int, keep bool, err error) {
	for {
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return 0, false, err
		}
		if resp.StatusCode < 200 {
			continue
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, !resp.Close && err == nil, err
	}
}
