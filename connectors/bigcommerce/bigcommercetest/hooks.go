package bigcommercetest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// knownScopes are the event scopes the fake can fire or accepts for
// subscription; a trailing /* subscribes to a family.
var knownScopes = map[string]bool{
	"store/order/created": true, "store/order/updated": true, "store/order/archived": true,
	"store/order/statusUpdated": true, "store/order/message/created": true, "store/order/refund/created": true,
	"store/order/transaction/created": true, "store/order/transaction/updated": true,
	"store/order/metafield/created": true, "store/order/metafield/updated": true, "store/order/metafield/deleted": true,
	"store/shipment/created": true, "store/shipment/updated": true, "store/shipment/deleted": true,
	"store/product/created": true, "store/product/updated": true, "store/product/deleted": true,
	"store/product/inventory/updated": true, "store/product/inventory/order/updated": true,
	"store/sku/created": true, "store/sku/updated": true, "store/sku/deleted": true,
	"store/sku/inventory/updated": true, "store/sku/inventory/order/updated": true,
	"store/inventory/location/created": true, "store/inventory/location/updated": true,
	"store/app/uninstalled": true,
}

func validScope(scope string) bool {
	if knownScopes[scope] || strings.HasPrefix(scope, "store/channel/") {
		return true
	}
	prefix, ok := strings.CutSuffix(scope, "/*")
	if !ok {
		return false
	}
	for k := range knownScopes {
		if strings.HasPrefix(k, prefix+"/") {
			return true
		}
	}
	return false
}

// checkDestination applies BigCommerce's https-on-443 rule, relaxed to any
// scheme and port on loopback hosts when AllowHTTPWebhooks is set.
func (s *Server) checkDestination(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || u.Host == "" {
		return "destination must be an absolute URL"
	}
	host := u.Hostname()
	loopback := host == "localhost"
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		loopback = true
	}
	if s.opts.AllowHTTPWebhooks && loopback && (u.Scheme == "http" || u.Scheme == "https") {
		return ""
	}
	if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") {
		return "destination must use https on port 443"
	}
	return ""
}

type hookInput struct {
	Scope       *string            `json:"scope"`
	Destination *string            `json:"destination"`
	IsActive    *bool              `json:"is_active"`
	Headers     *map[string]string `json:"headers"`
}

// checkHookLocked validates a hook as it would be after a write.
func (s *Server) checkHookLocked(h *Hook) (int, string, map[string]string) {
	if !validScope(h.Scope) {
		return http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{"scope": fmt.Sprintf("%q is not a valid webhook scope", h.Scope)}
	}
	if msg := s.checkDestination(h.Destination); msg != "" {
		return http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{"destination": msg}
	}
	perScope := 0
	for _, id := range s.st.hookIDs {
		o := s.st.hooks[id]
		if o == nil || o.ID == h.ID || o.Scope != h.Scope {
			continue
		}
		perScope++
		if o.Destination == h.Destination {
			return s.opts.DuplicateHookStatus, "A webhook with this scope and destination already exists", map[string]string{"destination": "duplicate"}
		}
	}
	if perScope >= 10 {
		return http.StatusUnprocessableEntity, "At most 10 webhooks may subscribe to one scope", map[string]string{"scope": "limit reached"}
	}
	return 0, "", nil
}

func (s *Server) createHook(w http.ResponseWriter, r *http.Request) {
	var in hookInput
	if err := decodeBody(r, &in); err != nil {
		badBodyV3(w, err)
		return
	}
	if in.Scope == nil || in.Destination == nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{"scope": "scope and destination are required"})
		return
	}
	now := s.clock.Now().Unix()
	h := &Hook{ClientID: s.opts.ClientID, StoreHash: s.opts.StoreHash, Scope: *in.Scope, Destination: *in.Destination,
		IsActive: true, Headers: map[string]string{}, CreatedAt: now, UpdatedAt: now}
	if in.IsActive != nil {
		h.IsActive = *in.IsActive
	}
	if in.Headers != nil && *in.Headers != nil {
		h.Headers = *in.Headers
	}
	s.mu.Lock()
	if status, title, errs := s.checkHookLocked(h); status != 0 {
		s.mu.Unlock()
		writeV3Error(w, status, title, errs)
		return
	}
	h.ID = s.st.nextID("hook")
	s.st.hooks[h.ID] = h
	s.st.hookIDs = append(s.st.hookIDs, h.ID)
	out := copyHook(h)
	s.mu.Unlock()
	writeV3(w, http.StatusOK, out) // the spec answers 200 on create
}

func copyHook(h *Hook) Hook {
	c := *h
	c.Headers = make(map[string]string, len(h.Headers))
	for k, v := range h.Headers {
		c.Headers[k] = v
	}
	return c
}

func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	var out []Hook
	for _, id := range s.st.hookIDs {
		h := s.st.hooks[id]
		switch {
		case h == nil,
			q.Has("is_active") && fmt.Sprint(h.IsActive) != q.Get("is_active"),
			q.Has("scope") && h.Scope != q.Get("scope"),
			q.Has("destination") && h.Destination != q.Get("destination"):
			continue
		}
		out = append(out, copyHook(h))
	}
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

// hookFor finds the hook named in the path; it answers 404 itself.
func (s *Server) hookFor(w http.ResponseWriter, r *http.Request) *Hook {
	id, _ := pathID(r, "hid")
	h := s.st.hooks[id]
	if h == nil {
		writeV3Error(w, http.StatusNotFound, fmt.Sprintf("Webhook with id [%s] not found", r.PathValue("hid")), nil)
	}
	return h
}

func (s *Server) getHook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.hookFor(w, r); h != nil {
		writeV3(w, http.StatusOK, copyHook(h))
	}
}

func (s *Server) updateHook(w http.ResponseWriter, r *http.Request) {
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		badBodyV3(w, err)
		return
	}
	var in hookInput
	if err := json.Unmarshal(mustJSON(raw), &in); err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{"body": err.Error()})
		return
	}
	if in.Scope == nil && in.Destination == nil && in.IsActive == nil && in.Headers == nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{"body": "send at least one of scope, destination, is_active, headers"})
		return
	}
	s.mu.Lock()
	h := s.hookFor(w, r)
	if h == nil {
		s.mu.Unlock()
		return
	}
	next := copyHook(h)
	if in.Scope != nil {
		next.Scope = *in.Scope
	}
	if in.Destination != nil {
		next.Destination = *in.Destination
	}
	if in.IsActive != nil {
		next.IsActive = *in.IsActive
	}
	if in.Headers != nil {
		next.Headers = *in.Headers
		if next.Headers == nil {
			next.Headers = map[string]string{}
		}
	}
	if status, title, errs := s.checkHookLocked(&next); status != 0 {
		s.mu.Unlock()
		writeV3Error(w, status, title, errs)
		return
	}
	next.UpdatedAt = s.clock.Now().Unix()
	*h = next
	out := copyHook(h)
	s.mu.Unlock()
	writeV3(w, http.StatusOK, out)
}

// deleteHook answers 200 with the deleted hook, not 204.
func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.hookFor(w, r)
	if h == nil {
		s.mu.Unlock()
		return
	}
	out := copyHook(h)
	delete(s.st.hooks, h.ID)
	for i, id := range s.st.hookIDs {
		if id == h.ID {
			s.st.hookIDs = append(s.st.hookIDs[:i:i], s.st.hookIDs[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	writeV3(w, http.StatusOK, out)
}
