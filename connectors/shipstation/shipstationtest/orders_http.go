package shipstationtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxBulkOrders is the createorders ceiling per request.
const maxBulkOrders = 100

// readBody reads a JSON body and reports whether it is an array.
func readBody(r *http.Request) ([]byte, bool, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, false, fmt.Errorf("read body: %w", err)
	}
	b = bytes.TrimSpace(b)
	return b, len(b) > 0 && b[0] == '[', nil
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request, _ []string) {
	b, isArray, err := readBody(r)
	if err != nil || len(b) == 0 {
		v1Invalid(w, "apiOrder", "The request body is required.")
		return
	}
	if isArray {
		v1Invalid(w, "apiOrder", "Cannot deserialize the current JSON array (e.g. [1,2,3]) into type 'SS.OpenApi.Models.Orders.Order' because the type requires a JSON object (e.g. {\"name\":\"value\"}) to deserialize correctly.")
		return
	}
	var in Order
	if err := json.Unmarshal(b, &in); err != nil {
		v1Invalid(w, "apiOrder", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.upsertLocked(in, s.now())
	switch {
	case errors.Is(err, errLocked) && s.opts.LockedOrders == LockReject:
		v1Message(w, http.StatusBadRequest, "The order could not be saved: "+err.Error()+".")
		return
	case errors.Is(err, errLocked):
		// The documented silent no-op: the unchanged order comes back.
	case err != nil:
		v1Invalid(w, "apiOrder", "The order could not be saved: "+err.Error()+".")
		return
	}
	if res.notify {
		s.fireOrdersLocked([]*Order{&res.rec.order})
	}
	writeJSON(w, http.StatusOK, &res.rec.order)
}

// bulkResult is one entry of the createorders answer.
type bulkResult struct {
	OrderID      int64   `json:"orderId"`
	OrderNumber  string  `json:"orderNumber"`
	OrderKey     string  `json:"orderKey"`
	Success      bool    `json:"success"`
	ErrorMessage *string `json:"errorMessage"`
}

func (s *Server) createOrders(w http.ResponseWriter, r *http.Request, _ []string) {
	b, isArray, err := readBody(r)
	if err != nil || len(b) == 0 {
		v1Invalid(w, "apiOrders", "The request body is required.")
		return
	}
	if !isArray {
		v1Invalid(w, "apiOrders", "Cannot deserialize the current JSON object (e.g. {\"name\":\"value\"}) into type 'System.Collections.Generic.List`1[SS.OpenApi.Models.Orders.Order]' because the type requires a JSON array (e.g. [1,2,3]) to deserialize correctly.")
		return
	}
	var in []Order
	if err := json.Unmarshal(b, &in); err != nil {
		v1Invalid(w, "apiOrders", err.Error())
		return
	}
	if len(in) > maxBulkOrders {
		v1Invalid(w, "apiOrders", fmt.Sprintf("A maximum of %d orders may be created or updated per request; %d were sent.", maxBulkOrders, len(in)))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := struct {
		HasErrors bool         `json:"hasErrors"`
		Results   []bulkResult `json:"results"`
	}{Results: make([]bulkResult, 0, len(in))}
	var notify []*Order
	for _, o := range in {
		res, err := s.upsertLocked(o, now)
		br := bulkResult{OrderNumber: o.OrderNumber, OrderKey: o.OrderKey, Success: err == nil}
		if res.rec != nil {
			br.OrderID, br.OrderKey = res.rec.order.OrderID, res.rec.order.OrderKey
		}
		if errors.Is(err, errLocked) && s.opts.LockedOrders == LockSilent {
			br.Success = true
		} else if err != nil {
			br.ErrorMessage = strPtr("The order could not be saved: " + err.Error() + ".")
			out.HasErrors = true
		}
		if err == nil && res.notify {
			notify = append(notify, &res.rec.order)
		}
		out.Results = append(out.Results, br)
	}
	if len(notify) > 0 {
		s.fireOrdersLocked(notify)
	}
	writeJSON(w, http.StatusOK, out)
}

// orderParam parses the {orderId} path parameter.
func orderParam(w http.ResponseWriter, r *http.Request, raw string) (int64, bool) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		v1NotFoundRoute(w, r)
		return 0, false
	}
	return id, true
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request, p []string) {
	id, ok := orderParam(w, r, p[0])
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(id)
	if rec == nil {
		v1Message(w, http.StatusNotFound, fmt.Sprintf("Order %d was not found.", id))
		return
	}
	writeJSON(w, http.StatusOK, &rec.order)
}

func (s *Server) deleteOrder(w http.ResponseWriter, r *http.Request, p []string) {
	id, ok := orderParam(w, r, p[0])
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(id)
	if rec == nil {
		v1Message(w, http.StatusNotFound, fmt.Sprintf("Order %d was not found.", id))
		return
	}
	rec.deleted = true
	rec.order.ModifyDate = orderTimePtr(s.now())
	if s.opts.FreeDeletedKeys {
		delete(s.byKey, rec.order.OrderKey) // the key may be used again by a new order
	}
	s.trackHoldLocked(rec)
	writeJSON(w, http.StatusOK, actionResult{true, "The requested order has been deleted."})
}

// actionResult is the {"success","message"} body of small order actions.
type actionResult struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// decodeAction decodes an action body, answering 400 on failure.
func decodeAction(w http.ResponseWriter, r *http.Request, param string, v any) bool {
	b, _, err := readBody(r)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		v1Invalid(w, param, "The request body is invalid: "+err.Error())
		return false
	}
	return true
}

func (s *Server) holdUntil(w http.ResponseWriter, r *http.Request, _ []string) {
	var body struct {
		OrderID       int64 `json:"orderId"`
		HoldUntilDate *Date `json:"holdUntilDate"`
	}
	if !decodeAction(w, r, "holdUntilModel", &body) {
		return
	}
	if body.HoldUntilDate == nil {
		v1Invalid(w, "holdUntilModel.holdUntilDate", "The holdUntilDate field is required.")
		return
	}
	if err := s.Hold(body.OrderID, body.HoldUntilDate.Time); err != nil {
		v1Message(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, actionResult{true, "Order held successfully."})
}

func (s *Server) restoreFromHold(w http.ResponseWriter, r *http.Request, _ []string) {
	var body struct {
		OrderID int64 `json:"orderId"`
	}
	if !decodeAction(w, r, "restoreModel", &body) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(body.OrderID)
	if rec == nil {
		v1Message(w, http.StatusBadRequest, fmt.Sprintf("Order %d was not found.", body.OrderID))
		return
	}
	if rec.order.OrderStatus != StatusOnHold {
		writeJSON(w, http.StatusOK, actionResult{false, "The order is not on hold."})
		return
	}
	rec.order.OrderStatus = StatusAwaitingShipment
	rec.order.HoldUntilDate = nil
	rec.order.ModifyDate = orderTimePtr(s.now())
	s.trackHoldLocked(rec)
	writeJSON(w, http.StatusOK, actionResult{true, "Order restored successfully."})
}

type tagBody struct {
	OrderID int64 `json:"orderId"`
	TagID   int64 `json:"tagId"`
}

func (s *Server) addTag(w http.ResponseWriter, r *http.Request, _ []string) {
	var body tagBody
	if !decodeAction(w, r, "addTagModel", &body) {
		return
	}
	if err := s.tagOrder(body.OrderID, body.TagID, true); err != nil {
		v1Message(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, actionResult{true, "Tag added successfully."})
}

func (s *Server) removeTag(w http.ResponseWriter, r *http.Request, _ []string) {
	var body tagBody
	if !decodeAction(w, r, "removeTagModel", &body) {
		return
	}
	if err := s.tagOrder(body.OrderID, body.TagID, false); err != nil {
		v1Message(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, actionResult{true, "Tag removed successfully."})
}

func (s *Server) markAsShipped(w http.ResponseWriter, r *http.Request, _ []string) {
	var body struct {
		OrderID            int64   `json:"orderId"`
		CarrierCode        string  `json:"carrierCode"`
		ShipDate           *Date   `json:"shipDate"`
		TrackingNumber     *string `json:"trackingNumber"`
		NotifyCustomer     bool    `json:"notifyCustomer"`
		NotifySalesChannel bool    `json:"notifySalesChannel"`
	}
	if !decodeAction(w, r, "markAsShippedModel", &body) {
		return
	}
	if body.CarrierCode == "" {
		v1Invalid(w, "markAsShippedModel.carrierCode", "The carrierCode field is required.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(body.OrderID)
	if rec == nil {
		v1Message(w, http.StatusBadRequest, fmt.Sprintf("Order %d was not found.", body.OrderID))
		return
	}
	if rec.order.OrderStatus == StatusCancelled {
		v1Message(w, http.StatusBadRequest, "A cancelled order cannot be marked as shipped.")
		return
	}
	var ship *time.Time
	if body.ShipDate != nil {
		ship = &body.ShipDate.Time
	}
	s.markShippedLocked(rec, body.CarrierCode, body.TrackingNumber, ship)
	writeJSON(w, http.StatusOK, map[string]any{"orderId": rec.order.OrderID, "orderNumber": rec.order.OrderNumber})
}

// markShippedLocked records a fulfillment for an order and marks it
// shipped, as POST /orders/markasshipped does (no webhook fires).
func (s *Server) markShippedLocked(rec *orderRec, carrier string, tracking *string, shipDate *time.Time) {
	now := s.now()
	ship := pacificMidnight(now)
	if shipDate != nil {
		ship = *shipDate
	}
	o := &rec.order
	s.fulfillments = append(s.fulfillments, &Fulfillment{
		FulfillmentID:  next(&s.seq.fulfillment),
		OrderID:        o.OrderID,
		OrderNumber:    o.OrderNumber,
		UserID:         o.UserID,
		CustomerEmail:  o.CustomerEmail,
		TrackingNumber: tracking,
		CreateDate:     Time{now},
		ShipDate:       Time{ship},
		CarrierCode:    carrier,
		ShipTo:         o.ShipTo,
	})
	o.OrderStatus = StatusShipped
	o.ShipDate = datePtr(ship)
	o.HoldUntilDate = nil
	o.ModifyDate = orderTimePtr(now)
	s.trackHoldLocked(rec)
}
