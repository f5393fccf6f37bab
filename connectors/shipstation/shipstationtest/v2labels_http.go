package shipstationtest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// v2LabelsDefaultPageSize is the spec's page size of GET /v2/labels (and,
// here, of GET /v2/shipments).
const v2LabelsDefaultPageSize = 25

func (s *Server) v2CreateLabel(w http.ResponseWriter, r *http.Request, _ []string) {
	var req V2LabelRequest
	if err := decodeJSON(r, &req); err != nil {
		s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "request_body_required", "The request body is not valid JSON: "+err.Error())
		return
	}
	s.mu.Lock()
	rec, fail := s.createV2LabelLocked(&req)
	var out V2Label
	if rec != nil {
		out = rec.label
	}
	s.mu.Unlock()
	if fail != nil {
		s.v2Error(w, fail.status, fail.typ, fail.code, fail.text)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) v2CreateReturnLabel(w http.ResponseWriter, r *http.Request, p []string) {
	var req V2LabelRequest
	if err := decodeJSON(r, &req); err != nil {
		s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "request_body_required", "The request body is not valid JSON: "+err.Error())
		return
	}
	req.Shipment = nil
	s.mu.Lock()
	rec, fail := s.returnLabelLocked(p[0], &req)
	var out V2Label
	if rec != nil {
		out = rec.label
	}
	s.mu.Unlock()
	switch {
	case fail != nil && fail.status == http.StatusNotFound:
		writeRaw(w, http.StatusNotFound, nil) // the spec's empty 404
	case fail != nil:
		s.v2Error(w, fail.status, fail.typ, fail.code, fail.text)
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func (s *Server) v2GetLabel(w http.ResponseWriter, _ *http.Request, p []string) {
	s.mu.Lock()
	rec := s.v2Labels[p[0]]
	var out V2Label
	if rec != nil {
		out = rec.label
	}
	s.mu.Unlock()
	if rec == nil {
		writeRaw(w, http.StatusNotFound, nil) // the spec's empty 404
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) v2TrackLabel(w http.ResponseWriter, _ *http.Request, p []string) {
	s.mu.Lock()
	rec := s.v2Labels[p[0]]
	var out V2Tracking
	if rec != nil {
		out = copyTracking(&rec.tracking)
	}
	s.mu.Unlock()
	if rec == nil {
		s.v2Error(w, http.StatusNotFound, v2TypeValidation, "invalid_identifier", "label_id "+p[0]+" was not found.")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) v2VoidLabel(w http.ResponseWriter, _ *http.Request, p []string) {
	approved, msg, err := s.VoidV2Label(p[0])
	if err != nil {
		s.v2Error(w, http.StatusNotFound, v2TypeValidation, "invalid_identifier", "label_id "+p[0]+" was not found.")
		return
	}
	body := map[string]any{"approved": approved, "message": msg}
	if !approved {
		body["reason_code"] = "label_already_used"
		if strings.Contains(msg, "voided") {
			body["reason_code"] = "label_already_voided"
		}
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) v2GetShipment(w http.ResponseWriter, _ *http.Request, p []string) {
	s.mu.Lock()
	var out *V2Shipment
	if sh := s.v2Shipments[p[0]]; sh != nil {
		c := *sh
		out = &c
	}
	s.mu.Unlock()
	if out == nil {
		s.v2Error(w, http.StatusNotFound, v2TypeValidation, "invalid_identifier", "shipment_id "+p[0]+" was not found.")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// v2ListLabels is GET /v2/labels: filters, newest first unless sort_dir=asc.
func (s *Server) v2ListLabels(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	f, ok := s.v2ListFilter(w, q, "label_status", "processing", "completed", "error", "voided")
	if !ok {
		return
	}
	sortBy, dir := q.Get("sort_by"), q.Get("sort_dir")
	if sortBy != "" && sortBy != "created_at" && sortBy != "modified_at" {
		s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "invalid_field_value", "sort_by must be created_at or modified_at.")
		return
	}
	if dir != "" && dir != "asc" && dir != "desc" {
		s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "invalid_field_value", "sort_dir must be asc or desc.")
		return
	}
	eq := func(name, v string) bool { want := q.Get(name); return want == "" || want == v }
	s.mu.Lock()
	var recs []*v2LabelRec
	for _, id := range s.v2LabelIDs {
		rec := s.v2Labels[id]
		l := &rec.label
		wh := ""
		if sh := s.v2Shipments[l.ShipmentID]; sh != nil && sh.WarehouseID != nil {
			wh = *sh.WarehouseID
		}
		if !f.has(l.Status, l.CreatedAt.Time) || !eq("service_code", l.ServiceCode) || !eq("carrier_id", l.CarrierID) ||
			!eq("tracking_number", l.TrackingNumber) || !eq("batch_id", l.BatchID) || !eq("shipment_id", l.ShipmentID) ||
			!eq("warehouse_id", wh) {
			continue
		}
		recs = append(recs, rec)
	}
	key := func(rec *v2LabelRec) time.Time {
		if sortBy == "modified_at" {
			return rec.modifiedAt
		}
		return rec.label.CreatedAt.Time
	}
	slices.SortStableFunc(recs, func(a, b *v2LabelRec) int {
		if dir == "asc" {
			return key(a).Compare(key(b))
		}
		return key(b).Compare(key(a))
	})
	all := make([]V2Label, len(recs))
	for i, rec := range recs {
		all[i] = rec.label
	}
	s.mu.Unlock()
	writeV2List(s, w, r, "labels", all, f.pg)
}

// simTrackV2 is POST /_sim/v2/labels/{label_id}/track with
// {"status_code": "DE", "status_detail_code": "..."}.
func (s *Server) simTrackV2(w http.ResponseWriter, r *http.Request, p []string) {
	var req struct {
		StatusCode       string `json:"status_code"`
		StatusDetailCode string `json:"status_detail_code"`
	}
	if !simBody(w, r, &req) {
		return
	}
	t, err := s.TrackV2Label(p[0], strings.ToUpper(req.StatusCode), req.StatusDetailCode)
	if err != nil {
		status := http.StatusBadRequest
		if strings.Contains(err.Error(), "not found") {
			status = http.StatusNotFound
		}
		simError(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// v2ListShipments is GET /v2/shipments with the filters tote and tests use:
// shipment_number, external_shipment_id, shipment_status and a created_at
// range; newest first unless sort_dir=asc.
func (s *Server) v2ListShipments(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	f, ok := s.v2ListFilter(w, q, "shipment_status", "pending", "processing", "label_purchased", "cancelled")
	if !ok {
		return
	}
	eq := func(name string, v *string) bool { want := q.Get(name); return want == "" || (v != nil && *v == want) }
	s.mu.Lock()
	var all []V2Shipment
	for _, sh := range s.v2Shipments {
		if !f.has(sh.ShipmentStatus, sh.CreatedAt.Time) ||
			!eq("shipment_number", sh.ShipmentNumber) || !eq("external_shipment_id", sh.ExternalShipmentID) {
			continue
		}
		all = append(all, *sh)
	}
	s.mu.Unlock()
	asc := q.Get("sort_dir") == "asc"
	slices.SortFunc(all, func(a, b V2Shipment) int {
		c := a.CreatedAt.Compare(b.CreatedAt.Time)
		if c == 0 {
			c = strings.Compare(a.ShipmentID, b.ShipmentID)
		}
		if asc {
			return c
		}
		return -c
	})
	writeV2List(s, w, r, "shipments", all, f.pg)
}

// v2Filter is what the lists of labels and of shipments share: the page,
// a status filter and a created_at range.
type v2Filter struct {
	pg       page
	status   string
	from, to time.Time
}

// v2ListFilter reads page and page_size (v2LabelsDefaultPageSize when not
// asked), the status filter named param (one of statuses), and
// created_at_start and created_at_end; ok is false once it has answered 400.
func (s *Server) v2ListFilter(w http.ResponseWriter, q url.Values, param string, statuses ...string) (f v2Filter, ok bool) {
	if f.pg, ok = s.v2Page(w, q); !ok {
		return f, false
	}
	if q.Get("page_size") == "" && q.Get("limit") == "" {
		f.pg.size = v2LabelsDefaultPageSize
	}
	f.status = q.Get(param)
	if f.status != "" && !slices.Contains(statuses, f.status) {
		last := len(statuses) - 1
		s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "invalid_field_value",
			param+" must be "+strings.Join(statuses[:last], ", ")+" or "+statuses[last]+".")
		return f, false
	}
	for _, r := range []struct {
		name string
		dst  *time.Time
	}{{"created_at_start", &f.from}, {"created_at_end", &f.to}} {
		if v := q.Get(r.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "invalid_field_value", r.name+" must be an ISO 8601 date-time.")
				return f, false
			}
			*r.dst = t
		}
	}
	return f, true
}

// has reports whether an item of this status, created at created, passes
// the status filter and the created_at range.
func (f *v2Filter) has(status string, created time.Time) bool {
	return (f.status == "" || status == f.status) &&
		(f.from.IsZero() || !created.Before(f.from)) && (f.to.IsZero() || !created.After(f.to))
}
