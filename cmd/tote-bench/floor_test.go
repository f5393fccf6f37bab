package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every record reaches the file, in groups no larger than floorGroup,
// and each counts a latency.
func TestMeasureFloorWritesEveryRecord(t *testing.T) {
	const n = 300
	f, err := prepareFloor(t.TempDir(), n)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := measureFloor(context.Background(), f, 20000, n)
	if err != nil {
		t.Fatal(err)
	}
	if res.Appends != n || res.Commits < (n+floorGroup-1)/floorGroup || res.Commits > n {
		t.Errorf("%d appends in %d commits, want %d in %d to %d", res.Appends, res.Commits, n, (n+floorGroup-1)/floorGroup, n)
	}
	if !(0 < res.P50ms && res.P50ms <= res.P90ms && res.P90ms <= res.P99ms && res.P99ms <= res.MaxMs) {
		t.Errorf("latencies p50 %v, p90 %v, p99 %v, max %v ms: want positive and ordered", res.P50ms, res.P90ms, res.P99ms, res.MaxMs)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != n*floorRecord || bytes.Count(b, []byte{'r'}) != n*floorRecord {
		t.Errorf("the file holds %d bytes, %d of them written records; want %d, all", len(b), bytes.Count(b, []byte{'r'}), n*floorRecord)
	}
}

// The probe as the bench runs it: a child process that writes its file
// out before its clock starts, measures, answers and removes its file.
func TestFloorProbeChildMeasuresAndCleansUp(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := startFloor(ctx, dir, 5000, 100, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Fatalf("ready with %d files in its directory, want its own", len(files))
	}
	res, err := p.measure()
	if err != nil {
		t.Fatal(err)
	}
	if res.Appends != 100 || res.Commits < 1 {
		t.Errorf("%d appends in %d commits, want 100", res.Appends, res.Commits)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("%d files left in its directory", len(files))
	}
}

// The HTTP floor answers a request once its body is in its file, counts
// what it answered, and removes its file when stopped.
func TestFloorServerAnswersOnceTheBodyIsWritten(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := startFloorServer(ctx, dir, 10, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Fatalf("ready with %d files in its directory, want its own", len(files))
	}
	for i := range 5 {
		body := fmt.Sprintf(`{"delivery":"marker-%d"}`, i)
		resp, err := http.Post(s.url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d answered %d", i, resp.StatusCode)
		}
		b, err := os.ReadFile(filepath.Join(dir, files[0].Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(body)) {
			t.Fatalf("request %d answered before its body was in the file", i)
		}
	}
	res, err := s.stop()
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 5 || res.Commits < 1 || res.Commits > 5 {
		t.Errorf("counted %d requests in %d commits, want 5 in 1 to 5", res.Requests, res.Commits)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("%d files left in its directory", len(files))
	}
}
