package fakekit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A lost answer is a write the vendor made: the handler ran to the end,
// yet the client sees no complete answer.
func TestLostAnswerCommitsTheWriteAndLosesTheAnswer(t *testing.T) {
	var writes atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writes.Add(1)
		}
		WriteJSON(w, http.StatusCreated, map[string]string{"id": "1", "padding": strings.Repeat("x", 64)})
	})
	in := NewInjector(7)
	in.Set(Faults{LostAnswerRate: 1})
	srv := httptest.NewServer(in.Wrap(handler, Responders{}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	const n = 20
	dropped, cut := 0, 0
	for range n {
		resp, err := client.Post(srv.URL+"/orders", "application/json", strings.NewReader(`{}`))
		if err != nil {
			dropped++
			continue
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Fatalf("a write's answer arrived whole (status %d)", resp.StatusCode)
		}
		cut++
	}
	if got := writes.Load(); got != n {
		t.Errorf("the vendor made %d writes, want %d: every lost answer is a write made", got, n)
	}
	if dropped == 0 || cut == 0 {
		t.Errorf("%d answers dropped and %d cut: want both kinds", dropped, cut)
	}

	// Reads are never lost.
	resp, err := client.Get(srv.URL + "/orders")
	if err != nil {
		t.Fatalf("a read was lost: %v", err)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Errorf("a read's body was cut: %v", err)
	}
	resp.Body.Close()
}

// LoseAnswers loses exactly the next n successful writes' answers: the
// writes are made, failed writes and reads do not count, and the writes
// after them are answered.
func TestLoseAnswersLosesTheNextSuccessfulWrites(t *testing.T) {
	var writes atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/refused" {
			WriteJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "no"})
			return
		}
		if r.Method == http.MethodPost {
			writes.Add(1)
		}
		WriteJSON(w, http.StatusCreated, map[string]string{"id": "1"})
	})
	in := NewInjector(7)
	in.LoseAnswers(2)
	srv := httptest.NewServer(in.Wrap(handler, Responders{}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	post := func(path string) (int, error) {
		resp, err := client.Post(srv.URL+path, "application/json", strings.NewReader(`{}`))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return resp.StatusCode, err
	}

	// A refused write keeps its answer and does not use up a loss.
	if code, err := post("/refused"); err != nil || code != http.StatusUnprocessableEntity {
		t.Fatalf("a refused write: %d %v, want its 422", code, err)
	}
	if resp, err := client.Get(srv.URL + "/orders"); err != nil {
		t.Fatalf("a read was lost: %v", err)
	} else {
		resp.Body.Close()
	}
	lost := 0
	for range 5 {
		if _, err := post("/orders"); err != nil {
			lost++
		}
	}
	if lost != 2 {
		t.Errorf("%d answers lost, want 2", lost)
	}
	if got := writes.Load(); got != 5 {
		t.Errorf("the vendor made %d writes, want 5: a lost answer is a write made", got)
	}
}
