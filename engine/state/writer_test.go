package state

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestGroupCommitManyConcurrentCallers(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		const callers = 100
		var wg sync.WaitGroup
		ids := make([]int64, callers)
		errs := make([]error, callers)
		for i := range callers {
			wg.Go(func() {
				res, err := s.Enqueue(context.Background(), NewItem{Pipeline: "orders", Trigger: "changed", Key: fmt.Sprint(i)})
				errs[i] = err
				if err == nil {
					ids[i] = res[0].ID
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("caller %d: %v", i, err)
			}
		}
		slices.Sort(ids)
		if len(slices.Compact(ids)) != callers {
			t.Error("callers got duplicate ids")
		}
		counts, err := s.InboxCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[ItemPending] != callers {
			t.Errorf("pending = %d, want %d", counts[ItemPending], callers)
		}
	})
}

// enqueueReq is a write request that enqueues one item.
func enqueueReq(key string) func(*wtx) error {
	return func(tx *wtx) error {
		return enqueue(tx, []NewItem{{Pipeline: "p", Trigger: "t", Key: key}}, make([]EnqueueResult, 1))
	}
}

func TestGroupCommitFailingRequestFailsAlone(t *testing.T) {
	backends(t, func(t *testing.T) {
		log := &batchLog{}
		s, _ := openTest(t, WithLogger(slog.New(log)))
		ctx := context.Background()
		release, gateDone := gate(t, s)

		boom := errors.New("boom")
		var dones []<-chan error
		for i := range 10 {
			fn := enqueueReq(fmt.Sprint(i))
			if i == 4 {
				// Writes, then fails: its write must be undone, nobody else's.
				fn = func(tx *wtx) error {
					if err := enqueueReq("bad")(tx); err != nil {
						return err
					}
					return boom
				}
			}
			if i == 7 {
				// Fails inside SQLite.
				fn = func(tx *wtx) error {
					_, err := tx.exec("INSERT INTO no_such_table VALUES (1)")
					return err
				}
			}
			dones = append(dones, submit(t, s.w, fn))
		}
		release()
		if err := <-gateDone; err != nil {
			t.Fatal(err)
		}
		for i, d := range dones {
			err := <-d
			switch i {
			case 4:
				if !errors.Is(err, boom) {
					t.Errorf("request 4 = %v, want boom", err)
				}
			case 7:
				if err == nil {
					t.Error("request 7 succeeded")
				}
			default:
				if err != nil {
					t.Errorf("request %d = %v", i, err)
				}
			}
		}
		awaitBatchLog(t, s.w)
		if !slices.Contains(log.Sizes(), 10) {
			t.Errorf("batch sizes %v: the 10 queued requests did not share one transaction", log.Sizes())
		}
		items, err := s.Items(ctx, ItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, it := range items {
			keys = append(keys, it.Key)
		}
		slices.Sort(keys)
		if want := []string{"0", "1", "2", "3", "5", "6", "8", "9"}; !slices.Equal(keys, want) {
			t.Errorf("committed keys = %v, want %v", keys, want)
		}
	})
}

func TestGroupCommitLostTransactionFailsBatch(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		release, _ := gate(t, s)
		var dones []<-chan error
		for i, fn := range []func(*wtx) error{
			enqueueReq("before"),
			func(tx *wtx) error {
				// Ends the whole transaction, as SQLite does on some errors.
				if _, err := tx.exec("ROLLBACK"); err != nil {
					return err
				}
				return errors.New("disk I/O error")
			},
			enqueueReq("after"),
		} {
			d, err := s.w.submit(ctx, fn)
			if err != nil {
				t.Fatalf("submit %d: %v", i, err)
			}
			dones = append(dones, d)
		}
		release()
		for i, d := range dones {
			if err := <-d; err == nil {
				t.Errorf("request %d succeeded in a lost transaction", i)
			}
		}
		if items, _ := s.Items(ctx, ItemFilter{}); len(items) != 0 {
			t.Errorf("%d items committed, want 0", len(items))
		}
		// The writer carries on.
		if _, err := s.Enqueue(ctx, NewItem{Pipeline: "p", Trigger: "t", Key: "next"}); err != nil {
			t.Fatalf("Enqueue after lost batch: %v", err)
		}
	})
}

func TestCanceledRequestIsNotRun(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		release, _ := gate(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		d, err := s.w.submit(ctx, enqueueReq("canceled"))
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		release()
		if err := <-d; !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled request = %v, want context.Canceled", err)
		}
		if items, _ := s.Items(context.Background(), ItemFilter{}); len(items) != 0 {
			t.Errorf("canceled request wrote %d items", len(items))
		}
	})
}

// A caller that stops waiting while its request runs gets the request's
// outcome, not ctx.Err(): what the request writes for its caller (the
// results a Store method returns) is never written after the caller has
// returned.
func TestCallerGivingUpWhileItsWriteRunsWaitsForItsOutcome(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx, cancel := context.WithCancel(context.Background())
		running, release := make(chan struct{}), make(chan struct{})
		wrote := false
		result := make(chan error, 1)
		go func() {
			result <- s.write(ctx, "test", func(*wtx) error {
				close(running)
				<-release
				wrote = true
				return nil
			})
		}()
		<-running
		cancel()
		select {
		case err := <-result:
			close(release)
			t.Fatalf("write returned %v while its request was running", err)
		case <-time.After(100 * time.Millisecond): // what a caller that gave up would have taken, many times over
		}
		close(release)
		if err := <-result; err != nil {
			t.Fatalf("write = %v, want its request's outcome (nil)", err)
		}
		if !wrote {
			t.Error("the request's result was not written before write returned")
		}
	})
}

func TestCloseDrainsPendingWrites(t *testing.T) {
	backends(t, func(t *testing.T) {
		ctx := context.Background()
		path := testLocation(t)
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		release, _ := gate(t, s)
		const n = 50
		var dones []<-chan error
		for i := range n {
			if i%5 == 0 { // the priority lane is drained too
				dones = append(dones, submitUrgent(t, s.w, enqueueReq(fmt.Sprint(i))))
				continue
			}
			dones = append(dones, submit(t, s.w, enqueueReq(fmt.Sprint(i))))
		}
		closed := make(chan error, 1)
		go func() { closed <- s.Close() }()
		<-s.w.closing // Close has stopped accepting writes; n are still queued
		if _, err := s.Enqueue(ctx, NewItem{Pipeline: "p", Trigger: "t", Key: "late"}); !errors.Is(err, ErrClosed) {
			t.Errorf("Enqueue during Close = %v, want ErrClosed", err)
		}
		release()
		if err := <-closed; err != nil {
			t.Fatalf("Close: %v", err)
		}
		for i, d := range dones {
			if err := <-d; err != nil {
				t.Errorf("queued request %d = %v", i, err)
			}
		}
		if err := s.SetCursor(ctx, "c", "v"); !errors.Is(err, ErrClosed) {
			t.Errorf("SetCursor after Close = %v, want ErrClosed", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}

		s, err = Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		counts, err := s.InboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[ItemPending] != n {
			t.Errorf("after re-open: %d pending, want %d", counts[ItemPending], n)
		}
	})
}

// recorder notes the order in which write requests ran.
type recorder struct {
	mu  sync.Mutex
	ran []string
}

func (r *recorder) req(name string, then func(*wtx) error) func(*wtx) error {
	return func(tx *wtx) error {
		r.mu.Lock()
		r.ran = append(r.ran, name)
		r.mu.Unlock()
		if then != nil {
			return then(tx)
		}
		return nil
	}
}

func (r *recorder) order() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ran)
}

func submitUrgent(t *testing.T, w *writer, fn func(*wtx) error) <-chan error {
	t.Helper()
	d, err := w.submitReq(context.Background(), &writeReq{ctx: context.Background(), fn: fn, urgent: true, done: make(chan error, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// submit submits fn to w as an ordinary write request.
func submit(t *testing.T, w *writer, fn func(*wtx) error) <-chan error {
	t.Helper()
	d, err := w.submit(context.Background(), fn)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// awaitBatchLog waits until w has logged the batches it has answered: w
// logs a batch after answering its requests, so a request submitted now
// is answered only once that is done.
func awaitBatchLog(t *testing.T, w *writer) {
	t.Helper()
	if err := <-submit(t, w, func(*wtx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// waitAll waits for the requests of dones and reports those that failed.
func waitAll(t *testing.T, dones []<-chan error) {
	t.Helper()
	for i, d := range dones {
		if err := <-d; err != nil {
			t.Errorf("request %d = %v", i, err)
		}
	}
}

func TestUrgentWriteGoesAheadOfQueuedWrites(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		release, _ := gate(t, s)
		var rec recorder
		var dones []<-chan error
		for i := range 5 {
			dones = append(dones, submit(t, s.w, rec.req(fmt.Sprint("settle", i), enqueueReq(fmt.Sprint("s", i)))))
		}
		dones = append(dones, submitUrgent(t, s.w, rec.req("enqueue", enqueueReq("webhook"))))
		release()
		waitAll(t, dones)
		if got := rec.order(); len(got) == 0 || got[0] != "enqueue" {
			t.Errorf("requests ran in the order %v, want the enqueue first", got)
		}
		if items, _ := s.Items(ctx, ItemFilter{}); len(items) != 6 {
			t.Errorf("%d items committed, want 6", len(items))
		}
	})
}

func TestUrgentWriteCutsALongBatch(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		log := &batchLog{}
		s.w.log = slog.New(log)
		s.w.budget = 0 // any batch is long: the cut does not depend on timing
		release, _ := gate(t, s)
		var rec recorder
		var urgent, urgent2 <-chan error
		var urgentErr error
		answeredFirst := false
		var dones []<-chan error
		for i := range 5 {
			fn := rec.req(fmt.Sprint("settle", i), enqueueReq(fmt.Sprint("s", i)))
			switch i {
			case 0:
				// A webhook's enqueue arrives while the batch of
				// settlements runs.
				next := fn
				fn = func(tx *wtx) error {
					urgent = submitUrgent(t, s.w, rec.req("enqueue", enqueueReq("webhook")))
					urgent2 = submitUrgent(t, s.w, rec.req("enqueue2", enqueueReq("webhook2")))
					return next(tx)
				}
			case 2:
				// The enqueues commit with the first settlement after
				// them; by the next, they are answered.
				next := fn
				fn = func(tx *wtx) error {
					select {
					case urgentErr = <-urgent:
						answeredFirst = true
					default:
					}
					return next(tx)
				}
			}
			dones = append(dones, submit(t, s.w, fn))
		}
		release()
		waitAll(t, dones)
		if !answeredFirst {
			urgentErr = <-urgent
		}
		if urgentErr != nil {
			t.Errorf("enqueue = %v", urgentErr)
		}
		if err := <-urgent2; err != nil {
			t.Errorf("second enqueue = %v", err)
		}
		if want := []string{"settle0", "enqueue", "enqueue2", "settle1", "settle2", "settle3", "settle4"}; !slices.Equal(rec.order(), want) {
			t.Errorf("requests ran in the order %v, want %v", rec.order(), want)
		}
		if !answeredFirst {
			t.Error("the enqueue was not committed before the rest of the long batch ran")
		}
		if items, _ := s.Items(ctx, ItemFilter{}); len(items) != 7 {
			t.Errorf("%d items committed, want 7", len(items))
		}
	})
}

func TestBatchWithinBudgetIsNotCut(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		log := &batchLog{}
		s.w.log = slog.New(log)
		s.w.budget = time.Hour
		release, _ := gate(t, s)
		var dones []<-chan error
		for i := range 5 {
			dones = append(dones, submit(t, s.w, enqueueReq(fmt.Sprint("s", i))))
		}
		dones = append(dones, submitUrgent(t, s.w, enqueueReq("webhook")))
		release()
		waitAll(t, dones)
		awaitBatchLog(t, s.w)
		if !slices.Contains(log.Sizes(), 6) {
			t.Errorf("batch sizes %v: the urgent write and the 5 others did not share one transaction", log.Sizes())
		}
	})
}

// On one processor, requests made by goroutines that are all ready to run
// share a commit: the writer lets them run before it commits, rather than
// committing the first request as soon as it is sent.
func TestOnOneProcessorRequestsMadeTogetherShareACommit(t *testing.T) {
	log := &batchLog{}
	s, _ := openTest(t, WithLogger(slog.New(log)))
	awaitBatchLog(t, s.w) // the writer is idle
	before := len(log.Sizes())

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 40
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.write(context.Background(), "test", enqueueReq(fmt.Sprint(i))) // not urgent, as Enqueue is
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	awaitBatchLog(t, s.w)
	sizes := log.Sizes()[before:]
	if sizes[0] < 2 {
		t.Errorf("the first of %d requests made together was committed alone (commits of %v)", n, sizes)
	}
}
