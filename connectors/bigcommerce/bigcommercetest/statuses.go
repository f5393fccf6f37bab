package bigcommercetest

// Order status ids (reference section 5).
const (
	StatusIncomplete          = 0
	StatusPending             = 1
	StatusShipped             = 2
	StatusPartiallyShipped    = 3
	StatusRefunded            = 4
	StatusCancelled           = 5
	StatusDeclined            = 6
	StatusAwaitingPayment     = 7
	StatusAwaitingPickup      = 8
	StatusAwaitingShipment    = 9
	StatusCompleted           = 10
	StatusAwaitingFulfillment = 11
	StatusManualVerification  = 12
	StatusDisputed            = 13
	StatusPartiallyRefunded   = 14
)

var orderStatuses = []OrderStatus{
	{0, "Incomplete", "Incomplete", "Incomplete", "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.", 0},
	{1, "Pending", "Pending", "Pending", "Customer started the checkout process, but did not complete it.", 1},
	{7, "Awaiting Payment", "Awaiting Payment", "Awaiting Payment", "Customer has completed checkout process, but payment has yet to be confirmed.", 2},
	{11, "Awaiting Fulfillment", "Awaiting Fulfillment", "Awaiting Fulfillment", "Customer has completed the checkout process and payment has been confirmed.", 3},
	{9, "Awaiting Shipment", "Awaiting Shipment", "Awaiting Shipment", "Order has been pulled and packaged, and is awaiting collection from a shipping provider.", 4},
	{8, "Awaiting Pickup", "Awaiting Pickup", "Awaiting Pickup", "Order has been packaged and is awaiting customer pickup from a seller-specified location.", 5},
	{3, "Partially Shipped", "Partially Shipped", "Partially Shipped", "Only some items in the order have been shipped, due to some products being pre-order only or other reasons.", 6},
	{10, "Completed", "Completed", "Completed", "Client has paid for their digital product and their file(s) are available for download.", 7},
	{2, "Shipped", "Shipped", "Shipped", "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.", 8},
	{5, "Cancelled", "Cancelled", "Cancelled", "Seller has cancelled an order, due to a stock inconsistency or other reasons.", 9},
	{6, "Declined", "Declined", "Declined", "Seller has marked the order as declined for lack of manual payment, or other reasons.", 10},
	{4, "Refunded", "Refunded", "Refunded", "Seller has used the Refund action.", 11},
	{13, "Disputed", "Disputed", "Disputed", "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.", 12},
	{12, "Manual Verification Required", "Manual Verification Required", "Manual Verification Required", "Order on hold while some aspect needs to be manually confirmed.", 13},
	{14, "Partially Refunded", "Partially Refunded", "Partially Refunded", "Seller has partially refunded the order.", 14},
}

func statusByID(id int) (OrderStatus, bool) {
	for _, s := range orderStatuses {
		if s.ID == id {
			return s, true
		}
	}
	return OrderStatus{}, false
}

// paymentStatusFor is the payment_status an order in a status shows.
func paymentStatusFor(status int) string {
	switch status {
	case StatusIncomplete, StatusPending, StatusAwaitingPayment:
		return "pending"
	case StatusDeclined:
		return "declined"
	case StatusCancelled:
		return "void"
	case StatusRefunded:
		return "refunded"
	case StatusPartiallyRefunded:
		return "partially refunded"
	}
	return "captured"
}

// setStatus moves an order to a status, keeping the derived fields in step.
func (rec *orderRec) setStatus(id int) {
	st, _ := statusByID(id)
	rec.o.StatusID = id
	rec.o.Status = st.Name
	rec.o.CustomStatus = st.CustomLabel
	rec.o.PaymentStatus = paymentStatusFor(id)
}
