package bigcommerce

// The v3 models (metafields, refunds, catalog, inventory, hooks), written
// from the BigCommerce reference.

// metafield is an order metafield.
type metafield struct {
	ID            int64   `json:"id"`
	PermissionSet string  `json:"permission_set"`
	Namespace     string  `json:"namespace"`
	Key           string  `json:"key"`
	Value         string  `json:"value"`
	Description   string  `json:"description"`
	ResourceID    int64   `json:"resource_id"`
	DateModified  dateISO `json:"date_modified"`
}

// metafieldInput is the body of a metafield create or update.
type metafieldInput struct {
	PermissionSet string `json:"permission_set,omitempty"`
	Namespace     string `json:"namespace,omitempty"`
	Key           string `json:"key,omitempty"`
	Value         string `json:"value"`
	Description   string `json:"description,omitempty"`
}

// refundItem is one item of a refund, refund quote or refund request.
type refundItem struct {
	ItemType        string     `json:"item_type"`
	ItemID          int64      `json:"item_id"`
	Quantity        *int64     `json:"quantity,omitempty"`
	Amount          *amount    `json:"amount,omitempty"`
	RequestedAmount *optAmount `json:"requested_amount,omitempty"`
	Reason          string     `json:"reason,omitempty"`
}

// refundPayment is how (part of) a refund is paid back.
type refundPayment struct {
	ID              int64  `json:"id,omitempty"`
	ProviderID      string `json:"provider_id"`
	Amount          amount `json:"amount"`
	Offline         bool   `json:"offline"`
	IsDeclined      bool   `json:"is_declined,omitempty"`
	DeclinedMessage string `json:"declined_message,omitempty"`
}

// refund is a created refund.
type refund struct {
	ID          int64           `json:"id"`
	OrderID     int64           `json:"order_id"`
	Created     dateISO         `json:"created"`
	Reason      string          `json:"reason"`
	TotalAmount amount          `json:"total_amount"`
	TotalTax    amount          `json:"total_tax"`
	Items       []refundItem    `json:"items"`
	Payments    []refundPayment `json:"payments"`
}

// refundMethodOption is one payment of a way to pay a refund.
type refundMethodOption struct {
	ProviderID          string `json:"provider_id"`
	ProviderDescription string `json:"provider_description"`
	Amount              amount `json:"amount"`
	Offline             bool   `json:"offline"`
	OfflineProvider     bool   `json:"offline_provider"`
	OfflineReason       string `json:"offline_reason"`
}

// refundQuote is the answer to a refund-quote request. The docs' prose
// calls tax_inclusive is_tax_included; both are read.
type refundQuote struct {
	OrderID                int64                  `json:"order_id"`
	TotalRefundAmount      amount                 `json:"total_refund_amount"`
	TotalRefundTaxAmount   amount                 `json:"total_refund_tax_amount"`
	OrderLevelRefundAmount amount                 `json:"order_level_refund_amount"`
	Rounding               amount                 `json:"rounding"`
	Adjustment             amount                 `json:"adjustment"`
	TaxInclusive           *bool                  `json:"tax_inclusive"`
	IsTaxIncluded          *bool                  `json:"is_tax_included"`
	RefundMethods          [][]refundMethodOption `json:"refund_methods"`
}

// refundRequest is the body of a refund quote or refund.
type refundRequest struct {
	Items    []refundItem    `json:"items"`
	Payments []refundPayment `json:"payments,omitempty"`
}

// optionValue is a variant's value of one option.
type optionValue struct {
	Label             string `json:"label"`
	OptionDisplayName string `json:"option_display_name"`
}

// variant is a catalog variant; null measures and prices inherit the product's.
type variant struct {
	ID               int64         `json:"id"`
	ProductID        int64         `json:"product_id"`
	SKU              string        `json:"sku"`
	Price            optAmount     `json:"price"`
	Weight           optAmount     `json:"weight"`
	Width            optAmount     `json:"width"`
	Height           optAmount     `json:"height"`
	Depth            optAmount     `json:"depth"`
	CalculatedPrice  amount        `json:"calculated_price"`
	CalculatedWeight amount        `json:"calculated_weight"`
	InventoryLevel   int64         `json:"inventory_level"`
	BinPickingNumber string        `json:"bin_picking_number"`
	UPC              string        `json:"upc"`
	MPN              string        `json:"mpn"`
	GTIN             string        `json:"gtin"`
	OptionValues     []optionValue `json:"option_values"`
}

// product is a catalog product.
type product struct {
	ID                int64     `json:"id"`
	Name              string    `json:"name"`
	Type              string    `json:"type"`
	SKU               string    `json:"sku"`
	Weight            amount    `json:"weight"`
	Width             amount    `json:"width"`
	Height            amount    `json:"height"`
	Depth             amount    `json:"depth"`
	Price             amount    `json:"price"`
	CostPrice         amount    `json:"cost_price"`
	InventoryLevel    int64     `json:"inventory_level"`
	InventoryTracking string    `json:"inventory_tracking"`
	IsVisible         bool      `json:"is_visible"`
	BinPickingNumber  string    `json:"bin_picking_number"`
	UPC               string    `json:"upc"`
	MPN               string    `json:"mpn"`
	GTIN              string    `json:"gtin"`
	BaseVariantID     *int64    `json:"base_variant_id"`
	DateModified      dateISO   `json:"date_modified"`
	Variants          []variant `json:"variants"`
}

// itemIdentity names an inventory item.
type itemIdentity struct {
	SKU       string `json:"sku"`
	VariantID int64  `json:"variant_id"`
	ProductID int64  `json:"product_id"`
}

// locationItem is an entry of GET /v3/inventory/locations/{id}/items.
type locationItem struct {
	Identity             itemIdentity `json:"identity"`
	AvailableToSell      int64        `json:"available_to_sell"`
	TotalInventoryOnhand int64        `json:"total_inventory_onhand"`
}

// adjustmentItem is one item of an inventory adjustment.
type adjustmentItem struct {
	LocationID int64  `json:"location_id"`
	SKU        string `json:"sku"`
	Quantity   int64  `json:"quantity"`
}

// adjustment is the body of an absolute or relative inventory adjustment.
type adjustment struct {
	Reason string           `json:"reason,omitempty"`
	Items  []adjustmentItem `json:"items"`
}

// hook is a webhook subscription.
type hook struct {
	ID          int64             `json:"id"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
	CreatedAt   int64             `json:"created_at"`
	UpdatedAt   int64             `json:"updated_at"`
}

// hookInput is the body of a hook create or update.
type hookInput struct {
	Scope       string            `json:"scope,omitempty"`
	Destination string            `json:"destination,omitempty"`
	IsActive    *bool             `json:"is_active,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
}

// v3Pagination is meta.pagination of a v3 list.
type v3Pagination struct {
	Total       int `json:"total"`
	Count       int `json:"count"`
	PerPage     int `json:"per_page"`
	CurrentPage int `json:"current_page"`
	TotalPages  int `json:"total_pages"`
	Links       struct {
		Next string `json:"next"`
	} `json:"links"`
}
