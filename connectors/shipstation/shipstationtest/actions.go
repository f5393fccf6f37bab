package shipstationtest

import (
	"fmt"
	"slices"
	"time"
)

// Hold puts an open order on hold until the Pacific calendar day of until,
// as /orders/holduntil and a person in the UI do. The order returns to
// awaiting_shipment on that day.
func (s *Server) Hold(orderID int64, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(orderID)
	if rec == nil {
		return fmt.Errorf("order %d was not found", orderID)
	}
	if !isOpen(rec.order.OrderStatus) {
		return fmt.Errorf("order %d is %s and cannot be put on hold", orderID, rec.order.OrderStatus)
	}
	rec.order.OrderStatus = StatusOnHold
	rec.order.HoldUntilDate = datePtr(until)
	rec.order.ModifyDate = orderTimePtr(s.now())
	s.trackHoldLocked(rec)
	return nil
}

// Cancel cancels an open order, as a person in the UI does.
func (s *Server) Cancel(orderID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(orderID)
	if rec == nil {
		return fmt.Errorf("order %d was not found", orderID)
	}
	if !isOpen(rec.order.OrderStatus) {
		return fmt.Errorf("order %d is %s and cannot be cancelled", orderID, rec.order.OrderStatus)
	}
	rec.order.OrderStatus = StatusCancelled
	rec.order.HoldUntilDate = nil
	rec.order.ModifyDate = orderTimePtr(s.now())
	s.trackHoldLocked(rec)
	return nil
}

// TagOrder adds the tag named name to an order, as a person in the UI does.
func (s *Server) TagOrder(orderID int64, name string) error {
	s.mu.Lock()
	t := s.tagByName(name)
	s.mu.Unlock()
	if t == nil {
		return fmt.Errorf("tag %q does not exist", name)
	}
	return s.tagOrder(orderID, t.TagID, true)
}

// tagOrder adds or removes a tag; tags are allowed on orders of any status.
func (s *Server) tagOrder(orderID, tagID int64, add bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.liveOrder(orderID)
	if rec == nil {
		return fmt.Errorf("order %d was not found", orderID)
	}
	if s.tagByID(tagID) == nil {
		return fmt.Errorf("tag %d was not found", tagID)
	}
	s.tagLocked(rec, tagID, add)
	return nil
}

func (s *Server) tagLocked(rec *orderRec, tagID int64, add bool) {
	o := &rec.order
	has := slices.Contains(o.TagIDs, tagID)
	switch {
	case add && !has:
		o.TagIDs = append(slices.Clone(o.TagIDs), tagID)
	case !add && has:
		o.TagIDs = slices.DeleteFunc(slices.Clone(o.TagIDs), func(id int64) bool { return id == tagID })
		if len(o.TagIDs) == 0 {
			o.TagIDs = nil // ShipStation writes null, not [], for no tags
		}
	default:
		return
	}
	if s.opts.TagsMoveModifyDate {
		o.ModifyDate = orderTimePtr(s.now())
	}
}
