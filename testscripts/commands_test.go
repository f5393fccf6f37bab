package testscripts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/toteworks/tote/engine/lease"
	"github.com/toteworks/tote/engine/state"
)

func commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"recorder":     cmdRecorder,
		"records":      cmdRecords,
		"requests":     cmdRequests,
		"setrecord":    cmdSetRecord,
		"fail":         cmdFail,
		"waitfile":     cmdWaitFile,
		"waitrecord":   cmdWaitRecord,
		"post":         cmdPost,
		"get":          cmdGet,
		"readyaddr":    cmdReadyAddr,
		"fakes":        cmdFakes,
		"vendor":       cmdVendor,
		"ssorderid":    cmdSSOrderID,
		"bcdeliver":    cmdBCDeliver,
		"waitvendor":   cmdWaitVendor,
		"secondstore":  cmdSecondStore,
		"store":        cmdStore,
		"mailreject":   cmdMailReject,
		"maildrop":     cmdMailDrop,
		"waitcount":    cmdWaitCount,
		"waitinbox":    cmdWaitInbox,
		"waitmetric":   cmdWaitMetric,
		"waitcursor":   cmdWaitCursor,
		"waitfailed":   cmdWaitFailed,
		"ssdelivered":  cmdSSDelivered,
		"waitlease":    cmdWaitLease,
		"signal":       cmdSignal,
		"pause":        cmdPause,
		"refusewrites": cmdRefuseWrites,
		"postgres":     cmdPostgres,
		"waitcpus":     cmdWaitCPUs,
		"docblock":     cmdDocBlock,
		"docenv":       cmdDocEnv,
		"cmpdoc":       cmdCmpDoc,
		"replace":      cmdReplace,
		"copyshipped":  cmdCopyShipped,
	}
}

// recorder is a JSON document store over HTTP: GET returns what was last
// PUT or POSTed at a path (404 before), and every request is logged.
type recorder struct {
	mu       sync.Mutex
	docs     map[string][]byte
	log      []string
	failures map[string]int // path -> how many requests answer 503 next
	changed  chan struct{}
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, req.Method+" "+req.URL.Path)
	if n := r.failures[req.URL.Path]; n > 0 {
		r.failures[req.URL.Path] = n - 1
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	switch req.Method {
	case http.MethodGet:
		doc, ok := r.docs[req.URL.Path]
		if !ok {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	case http.MethodPut, http.MethodPost, http.MethodPatch:
		if !json.Valid(body) {
			http.Error(w, `{"error":"not JSON"}`, http.StatusBadRequest)
			return
		}
		r.docs[req.URL.Path] = body
		close(r.changed)
		r.changed = make(chan struct{})
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

var recorders sync.Map // *testscript.TestScript + name -> *recorder

func recorderOf(ts *testscript.TestScript, name string) *recorder {
	v, ok := recorders.Load(fmt.Sprintf("%p/%s", ts, name))
	if !ok {
		ts.Fatalf("no recorder %q; start one with: recorder %s", name, name)
	}
	return v.(*recorder)
}

// recorder NAME [path=file ...]: start a recorder seeded with files and
// export NAME_URL.
func cmdRecorder(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: recorder NAME [path=file ...]")
	}
	r := &recorder{docs: map[string][]byte{}, failures: map[string]int{}, changed: make(chan struct{})}
	for _, a := range args[1:] {
		path, file, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("recorder: want path=file, got %q", a)
		}
		r.docs["/"+strings.TrimPrefix(path, "/")] = []byte(ts.ReadFile(file))
	}
	srv := httptest.NewServer(r)
	ts.Defer(srv.Close)
	recorders.Store(fmt.Sprintf("%p/%s", ts, args[0]), r)
	ts.Setenv(strings.ToUpper(args[0])+"_URL", srv.URL)
}

// records NAME: print every stored document as "path body", sorted.
func cmdRecords(ts *testscript.TestScript, neg bool, args []string) {
	r := recorderOf(ts, args[0])
	r.mu.Lock()
	defer r.mu.Unlock()
	paths := make([]string, 0, len(r.docs))
	for p := range r.docs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		var buf bytes.Buffer
		if err := json.Compact(&buf, r.docs[p]); err != nil {
			buf.Write(r.docs[p])
		}
		fmt.Fprintf(ts.Stdout(), "%s %s\n", p, buf.String())
	}
}

// requests NAME: print every request received, in order.
func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	r := recorderOf(ts, args[0])
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.log {
		fmt.Fprintln(ts.Stdout(), l)
	}
}

// setrecord NAME path file: change a stored document, as someone else would.
func cmdSetRecord(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: setrecord NAME path file")
	}
	r := recorderOf(ts, args[0])
	r.mu.Lock()
	r.docs["/"+strings.TrimPrefix(args[1], "/")] = []byte(ts.ReadFile(args[2]))
	r.mu.Unlock()
}

// fail NAME path N: the next N requests to path answer 503.
func cmdFail(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: fail NAME path N")
	}
	r := recorderOf(ts, args[0])
	var n int
	fmt.Sscan(args[2], &n)
	r.mu.Lock()
	r.failures["/"+strings.TrimPrefix(args[1], "/")] = n
	r.mu.Unlock()
}

// waitfile FILE: wait until FILE exists (a server's ready file).
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile: %s did not appear within 30s", args[0])
		}
		time.Sleep(10 * time.Millisecond) // polling a file another process writes
	}
}

// waitrecord NAME path: wait until the recorder holds a document at path.
func cmdWaitRecord(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: waitrecord NAME path")
	}
	r := recorderOf(ts, args[0])
	path := "/" + strings.TrimPrefix(args[1], "/")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		r.mu.Lock()
		_, ok := r.docs[path]
		changed := r.changed
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			ts.Fatalf("waitrecord: nothing at %s within 30s", path)
		}
	}
}

// post ADDRFILE path file [header=value ...]: POST a file to the server
// whose address is in ADDRFILE; print the status and body.
func cmdPost(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: post ADDRFILE path file [header=value ...]")
	}
	addr := readyAddr(ts, args[0])
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+args[1], strings.NewReader(ts.ReadFile(args[2])))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/json")
	for _, h := range args[3:] {
		k, v, _ := strings.Cut(h, "=")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(ts.Stdout(), "%d %s", resp.StatusCode, body)
	if neg != (resp.StatusCode >= 300) {
		ts.Fatalf("post: status %d", resp.StatusCode)
	}
}

// readyAddr is the address on the first line of a ready file.
func readyAddr(ts *testscript.TestScript, file string) string {
	line, _, _ := strings.Cut(ts.ReadFile(file), "\n")
	return strings.TrimSpace(line)
}

// readyaddr READYFILE VAR: set VAR to the address on the first line of
// READYFILE (a tote run's listen address, for -public-url http://$VAR).
func cmdReadyAddr(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: readyaddr READYFILE VAR")
	}
	ts.Setenv(args[1], readyAddr(ts, args[0]))
}

// get ADDRFILE path [header=value ...]: GET from the server whose address
// is in ADDRFILE; print the status and body.
func cmdGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: get ADDRFILE path [header=value ...]")
	}
	req, err := http.NewRequest(http.MethodGet, "http://"+readyAddr(ts, args[0])+args[1], nil)
	ts.Check(err)
	for _, h := range args[2:] {
		k, v, _ := strings.Cut(h, "=")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(ts.Stdout(), "%d %s", resp.StatusCode, body)
	if neg != (resp.StatusCode >= 300) {
		ts.Fatalf("get: status %d", resp.StatusCode)
	}
}

// signal READYFILE SIG: send SIGTERM or SIGINT to the process whose pid is
// on the second line of its ready file.
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: signal READYFILE TERM|INT|STOP|CONT")
	}
	pid := readyPid(ts, args[0])
	sig := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "STOP": syscall.SIGSTOP, "CONT": syscall.SIGCONT}[args[1]]
	if sig == 0 {
		ts.Fatalf("signal: unknown signal %s", args[1])
	}
	ts.Check(syscall.Kill(pid, sig))
}

// readyPid is the process id a ready file names on its second line.
func readyPid(ts *testscript.TestScript, file string) int {
	lines := strings.Split(ts.ReadFile(file), "\n")
	if len(lines) < 2 {
		ts.Fatalf("%s has no pid line", file)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(lines[1]))
	ts.Check(err)
	return pid
}

// waitlease: wait until the state lease has expired (its holder stopped
// renewing it).
func cmdWaitLease(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 0 {
		ts.Fatalf("usage: waitlease")
	}
	var until time.Time
	pollState(ts, func(ctx context.Context, st *state.Store) bool {
		_, u, ok, err := st.LeaseHolder(ctx, lease.Name)
		ts.Check(err)
		until = u
		return !ok || !until.After(time.Now())
	}, func() { ts.Fatalf("waitlease: the lease is still held until %s", until) })
}

// pollState opens the state ($TOTE_STATE), which another process is
// writing, and polls done on it (see poll).
func pollState(ts *testscript.TestScript, done func(context.Context, *state.Store) bool, timedOut func()) {
	st, err := state.Open(context.Background(), ts.Getenv("TOTE_STATE"))
	ts.Check(err)
	defer st.Close()
	poll(func(ctx context.Context) bool { return done(ctx, st) }, timedOut)
}

// poll asks done every 20ms until it holds, for what another process
// writes; after 30s it calls timedOut, which fails the script.
func poll(done func(context.Context) bool, timedOut func()) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for !done(ctx) {
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			timedOut()
			return
		}
	}
}

// waitcount NAME prefix N: wait until the recorder holds at least N
// documents whose path starts with prefix.
func cmdWaitCount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: waitcount NAME prefix N")
	}
	r := recorderOf(ts, args[0])
	n, err := strconv.Atoi(args[2])
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		r.mu.Lock()
		count := 0
		for p := range r.docs {
			if strings.HasPrefix(p, args[1]) {
				count++
			}
		}
		changed := r.changed
		r.mu.Unlock()
		if count >= n {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			ts.Fatalf("waitcount: %d documents under %s within 30s, want %d", count, args[1], n)
		}
	}
}

// waitmetric ADDRFILE REGEXP: wait until a line of the /metrics the
// server at ADDRFILE serves matches REGEXP. A run is counted just after
// its settlement is committed, so the inbox can show it first.
func cmdWaitMetric(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: waitmetric ADDRFILE regexp")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	url := "http://" + readyAddr(ts, args[0]) + "/metrics"
	poll(func(context.Context) bool {
		resp, err := http.Get(url)
		ts.Check(err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return re.Match(body)
	}, func() { ts.Fatalf("waitmetric: no line of /metrics matches %s within 30s", args[1]) })
}

// waitfailed PIPELINE: wait until an inbox item of PIPELINE has failed an
// attempt and waits for its next; print its last error.
func cmdWaitFailed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfailed PIPELINE")
	}
	pollState(ts, func(ctx context.Context, st *state.Store) bool {
		items, err := st.Items(ctx, state.ItemFilter{Status: state.ItemPending})
		ts.Check(err)
		for _, it := range items {
			if it.Pipeline == args[0] && it.Attempts > 0 && it.LastError != "" {
				fmt.Fprintf(ts.Stdout(), "%s attempt %d: %s\n", it.Pipeline, it.Attempts, it.LastError)
				return true
			}
		}
		return false
	}, func() { ts.Fatalf("waitfailed: no failed attempt of %s within 30s", args[0]) })
}

// waitinbox STATUS N: wait until the state's inbox holds N items with
// STATUS (another process is writing it, so this polls).
// waitcursor NAME...: wait until the state holds each named cursor (a
// poll's cursor, or "watermark:<pipeline>.<trigger>" for a schedule).
func cmdWaitCursor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: waitcursor NAME...")
	}
	missing := args
	pollState(ts, func(ctx context.Context, st *state.Store) bool {
		var still []string
		for _, name := range missing {
			_, ok, err := st.Cursor(ctx, name)
			ts.Check(err)
			if !ok {
				still = append(still, name)
			}
		}
		missing = still
		return len(missing) == 0
	}, func() { ts.Fatalf("waitcursor: no cursor %s within 30s", strings.Join(missing, ", ")) })
}

func cmdWaitInbox(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: waitinbox STATUS N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	var have int
	pollState(ts, func(ctx context.Context, st *state.Store) bool {
		counts, err := st.InboxCounts(ctx)
		ts.Check(err)
		have = counts[state.ItemStatus(args[0])]
		return have == n
	}, func() { ts.Fatalf("waitinbox: %d %s items within 30s, want %d", have, args[0], n) })
}
