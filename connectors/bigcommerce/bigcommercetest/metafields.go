package bigcommercetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// metafieldsPerOrder is the documented cap per order per client id.
const metafieldsPerOrder = 250

var permissionSets = map[string]bool{"app_only": true, "read": true, "write": true,
	"read_and_sf_access": true, "write_and_sf_access": true}

type metafieldInput struct {
	PermissionSet *string `json:"permission_set"`
	Namespace     *string `json:"namespace"`
	Key           *string `json:"key"`
	Value         *string `json:"value"`
	Description   *string `json:"description"`
}

// metafieldProblems checks a metafield after an input was applied.
func metafieldProblems(m *Metafield) map[string]string {
	errs := map[string]string{}
	if !permissionSets[m.PermissionSet] {
		errs["permission_set"] = "permission_set must be one of app_only, read, write, read_and_sf_access, write_and_sf_access"
	}
	if n := utf8.RuneCountInString(m.Namespace); n < 1 || n > 64 {
		errs["namespace"] = "namespace must be 1 to 64 characters"
	}
	if n := utf8.RuneCountInString(m.Key); n < 1 || n > 64 {
		errs["key"] = "key must be 1 to 64 characters"
	}
	if n := utf8.RuneCountInString(m.Value); n < 1 || n > 65535 {
		errs["value"] = "value must be 1 to 65535 characters"
	}
	if utf8.RuneCountInString(m.Description) > 255 {
		errs["description"] = "description may be at most 255 characters"
	}
	return errs
}

func (in metafieldInput) apply(m *Metafield) {
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&m.PermissionSet, in.PermissionSet}, {&m.Namespace, in.Namespace}, {&m.Key, in.Key}, {&m.Value, in.Value}, {&m.Description, in.Description}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
}

func metafieldEvent(scope string, m *Metafield) event {
	return event{scope: scope, data: map[string]any{"metafield_id": m.ID, "resource_id": strconv.Itoa(m.ResourceID)}}
}

// clash reports whether another metafield of the order has the same
// namespace and key (all share this fake's single client id).
func (rec *orderRec) clash(m *Metafield) bool {
	for _, o := range rec.metas {
		if o.ID != m.ID && o.Namespace == m.Namespace && o.Key == m.Key {
			return true
		}
	}
	return false
}

func (s *Server) createMetafield(w http.ResponseWriter, r *http.Request) {
	var in metafieldInput
	if err := decodeBody(r, &in); err != nil {
		badBodyV3(w, err)
		return
	}
	s.mu.Lock()
	rec := s.orderFor(w, r, true)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	now := s.now()
	m := &Metafield{ResourceType: "order", ResourceID: rec.o.ID, DateCreated: DateISO{now}, DateModified: DateISO{now},
		OwnerClientID: s.opts.ClientID}
	in.apply(m)
	if errs := metafieldProblems(m); len(errs) > 0 {
		s.mu.Unlock()
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", errs)
		return
	}
	if rec.clash(m) {
		s.mu.Unlock()
		writeV3Error(w, http.StatusConflict, fmt.Sprintf("Metafield with key %q already exists in namespace %q for this order", m.Key, m.Namespace), nil)
		return
	}
	if len(rec.metas) >= metafieldsPerOrder {
		s.mu.Unlock()
		writeV3Error(w, http.StatusUnprocessableEntity, fmt.Sprintf("An order can have at most %d metafields per client", metafieldsPerOrder), nil)
		return
	}
	m.ID = s.st.nextID("metafield")
	rec.metas = append(rec.metas, m)
	out := *m
	s.mu.Unlock()
	s.emit([]event{metafieldEvent("store/order/metafield/created", &out)})
	writeV3(w, http.StatusOK, out) // the spec answers 200, not 201
}

func (s *Server) listMetafields(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	keys, hasKeys := queryStrings(q, "key:in")
	spaces, hasSpaces := queryStrings(q, "namespace:in")
	s.mu.Lock()
	rec := s.orderFor(w, r, true)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	var out []Metafield
	for _, m := range rec.metas {
		switch {
		case q.Has("key") && m.Key != q.Get("key"),
			q.Has("namespace") && m.Namespace != q.Get("namespace"),
			hasKeys && !keys[strings.ToLower(m.Key)],
			hasSpaces && !spaces[strings.ToLower(m.Namespace)]:
			continue
		}
		out = append(out, *m)
	}
	s.mu.Unlock()
	if q.Get("direction") == "desc" {
		sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	}
	writeV3Page(w, out, p)
}

// metafieldFor finds the metafield named in the path; it answers 404 itself.
func (s *Server) metafieldFor(w http.ResponseWriter, r *http.Request) (*orderRec, int, *Metafield) {
	rec := s.orderFor(w, r, true)
	if rec == nil {
		return nil, -1, nil
	}
	mid, _ := pathID(r, "mid")
	for i, m := range rec.metas {
		if m.ID == mid {
			return rec, i, m
		}
	}
	writeV3Error(w, http.StatusNotFound, fmt.Sprintf("Metafield with id %s not found", r.PathValue("mid")), nil)
	return nil, -1, nil
}

func (s *Server) getMetafield(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, m := s.metafieldFor(w, r); m != nil {
		writeV3(w, http.StatusOK, *m)
	}
}

func (s *Server) updateMetafield(w http.ResponseWriter, r *http.Request) {
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		badBodyV3(w, err)
		return
	}
	for _, k := range []string{"id", "resource_id", "resource_type", "owner_client_id", "date_created", "date_modified"} {
		if _, ok := raw[k]; ok {
			writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{k: "read-only field"})
			return
		}
	}
	var in metafieldInput
	if err := json.Unmarshal(mustJSON(raw), &in); err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{"body": err.Error()})
		return
	}
	s.mu.Lock()
	rec, _, m := s.metafieldFor(w, r)
	if m == nil {
		s.mu.Unlock()
		return
	}
	next := *m
	in.apply(&next)
	if errs := metafieldProblems(&next); len(errs) > 0 {
		s.mu.Unlock()
		writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", errs)
		return
	}
	if rec.clash(&next) {
		s.mu.Unlock()
		writeV3Error(w, http.StatusConflict, fmt.Sprintf("Metafield with key %q already exists in namespace %q for this order", next.Key, next.Namespace), nil)
		return
	}
	next.DateModified = DateISO{s.now()}
	*m = next
	s.mu.Unlock()
	s.emit([]event{metafieldEvent("store/order/metafield/updated", &next)})
	writeV3(w, http.StatusOK, next)
}

func (s *Server) deleteMetafield(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rec, i, m := s.metafieldFor(w, r)
	if m == nil {
		s.mu.Unlock()
		return
	}
	gone := *m
	rec.metas = append(rec.metas[:i:i], rec.metas[i+1:]...)
	s.mu.Unlock()
	s.emit([]event{metafieldEvent("store/order/metafield/deleted", &gone)})
	w.WriteHeader(http.StatusNoContent)
}
