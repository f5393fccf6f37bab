package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// The HTTP floor: a bare HTTP server, `tote-bench ack-floor-http`, that
// answers each request once its body is synced, through the floor
// probe's floorLog, and does nothing else. The ack bench sends it
// deliveries from a second sender beside tote run (-floor-http): its
// latency is what any durable HTTP intake would get on that machine while
// tote run drains, counting the sender and the machine's other load. Its
// protocol is helper.go's, but for the end of its stdin, which stops it
// rather than starting a clock: it serves from the moment it is ready.

// floorHTTPSpec is what the server needs.
type floorHTTPSpec struct {
	Dir   string `json:"dir"`   // where its file goes: beside the state
	Addr  string `json:"addr"`  // where it listens
	Count int    `json:"count"` // the requests it expects, which its file is written out for
}

// floorHTTPResult is what the server counted.
type floorHTTPResult struct {
	Requests int `json:"requests"` // answered 200, each synced
	Commits  int `json:"commits"`
}

// ackFloorHTTPMain is `tote-bench ack-floor-http`; ackBench starts it with
// -floor-http. It is not listed in the usage.
func ackFloorHTTPMain([]string) int { return childMain("ack-floor-http", ackFloorHTTP) }

// ackFloorHTTP reads a floorHTTPSpec from in, writes its file out and
// listens, says so on out, serves until in ends, and writes what it
// counted on out. The file is removed.
func ackFloorHTTP(in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(in)
	var spec floorHTTPSpec
	if err := dec.Decode(&spec); err != nil {
		return fmt.Errorf("reading the spec: %w", err)
	}
	if spec.Count <= 0 {
		return fmt.Errorf("count %d must be positive", spec.Count)
	}
	f, err := prepareFloor(spec.Dir, spec.Count)
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	ln, err := net.Listen("tcp", spec.Addr)
	if err != nil {
		return err
	}
	log := startFloorLog(f, int64(spec.Count)*floorRecord)
	var answered atomic.Int64
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		log.append(body)
		answered.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	})}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	waitErr := readyThenWait(dec, in, out)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = srv.Shutdown(ctx)
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	commits, err := log.close()
	if err != nil {
		return fmt.Errorf("appending to the floor's file: %w", err)
	}
	if waitErr != nil {
		return waitErr
	}
	return json.NewEncoder(out).Encode(floorHTTPResult{Requests: int(answered.Load()), Commits: commits})
}

// floorServer is a started HTTP floor, serving.
type floorServer struct {
	h   *helper
	url string // its webhook address
}

// startFloorServer starts the HTTP floor for count requests in dir.
func startFloorServer(ctx context.Context, dir string, count int, stderr io.Writer) (*floorServer, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	h, err := startHelper(ctx, "ack-floor-http", "the HTTP floor", floorHTTPSpec{Dir: dir, Addr: addr, Count: count}, stderr)
	if err != nil {
		return nil, err
	}
	return &floorServer{h: h, url: "http://" + addr + "/hooks/floor"}, nil
}

// stop stops the server and returns what it counted.
func (s *floorServer) stop() (*floorHTTPResult, error) {
	var res floorHTTPResult
	err := s.h.run(func(r io.Reader) error { return decodeResult(r, &res) })
	if err != nil {
		return nil, err
	}
	return &res, nil
}
