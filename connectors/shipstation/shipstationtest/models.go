package shipstationtest

// The v1 wire models. Field names and nullability follow the reference;
// pointer fields are nullable and always written (ShipStation writes nulls
// explicitly rather than omitting them).

// Address is a ship-to, bill-to or warehouse address.
type Address struct {
	Name            string  `json:"name"`
	Company         *string `json:"company"`
	Street1         *string `json:"street1"`
	Street2         *string `json:"street2"`
	Street3         *string `json:"street3"`
	City            *string `json:"city"`
	State           *string `json:"state"`
	PostalCode      *string `json:"postalCode"`
	Country         *string `json:"country"`
	Phone           *string `json:"phone"`
	Residential     *bool   `json:"residential"`
	AddressVerified *string `json:"addressVerified"`
}

// Weight is a weight with its unit: pounds, ounces or grams.
type Weight struct {
	Value float64 `json:"value"`
	Units string  `json:"units"`
}

// Dimensions are a parcel's size in inches or centimeters.
type Dimensions struct {
	Length float64 `json:"length"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Units  string  `json:"units"`
}

// ItemOption is one option of an order line, such as Size: Large.
type ItemOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// InsuranceOptions says whether and how a shipment is insured.
type InsuranceOptions struct {
	Provider       *string `json:"provider"`
	InsureShipment bool    `json:"insureShipment"`
	InsuredValue   Money   `json:"insuredValue"`
}

// CustomsItem is one line of a customs declaration.
type CustomsItem struct {
	CustomsItemID        int64  `json:"customsItemId"`
	Description          string `json:"description"`
	Quantity             int    `json:"quantity"`
	Value                Money  `json:"value"`
	HarmonizedTariffCode string `json:"harmonizedTariffCode"`
	CountryOfOrigin      string `json:"countryOfOrigin"`
}

// InternationalOptions carry the customs declaration.
type InternationalOptions struct {
	Contents     *string       `json:"contents"`
	CustomsItems []CustomsItem `json:"customsItems"`
	NonDelivery  *string       `json:"nonDelivery"`
}

// AdvancedOptions hold the store, warehouse and custom fields of an order.
type AdvancedOptions struct {
	WarehouseID       *int64  `json:"warehouseId"`
	NonMachinable     bool    `json:"nonMachinable"`
	SaturdayDelivery  bool    `json:"saturdayDelivery"`
	ContainsAlcohol   bool    `json:"containsAlcohol"`
	MergedOrSplit     bool    `json:"mergedOrSplit"`
	MergedIDs         []int64 `json:"mergedIds"`
	ParentID          *int64  `json:"parentId"`
	StoreID           *int64  `json:"storeId"`
	CustomField1      *string `json:"customField1"`
	CustomField2      *string `json:"customField2"`
	CustomField3      *string `json:"customField3"`
	Source            *string `json:"source"`
	BillToParty       *string `json:"billToParty"`
	BillToAccount     *string `json:"billToAccount"`
	BillToPostalCode  *string `json:"billToPostalCode"`
	BillToCountryCode *string `json:"billToCountryCode"`
}

// OrderItem is one line of an order.
type OrderItem struct {
	OrderItemID       int64        `json:"orderItemId"`
	LineItemKey       *string      `json:"lineItemKey"`
	SKU               string       `json:"sku"`
	Name              string       `json:"name"`
	ImageURL          *string      `json:"imageUrl"`
	Weight            *Weight      `json:"weight"`
	Quantity          int          `json:"quantity"`
	UnitPrice         Money        `json:"unitPrice"`
	TaxAmount         *Money       `json:"taxAmount"`
	ShippingAmount    *Money       `json:"shippingAmount"`
	WarehouseLocation *string      `json:"warehouseLocation"`
	Options           []ItemOption `json:"options"`
	ProductID         *int64       `json:"productId"`
	FulfillmentSKU    *string      `json:"fulfillmentSku"`
	Adjustment        bool         `json:"adjustment"`
	UPC               *string      `json:"upc"`
	CreateDate        *Time        `json:"createDate"`
	ModifyDate        *Time        `json:"modifyDate"`
}

// Order is a v1 order.
type Order struct {
	OrderID                  int64                 `json:"orderId"`
	OrderNumber              string                `json:"orderNumber"`
	OrderKey                 string                `json:"orderKey"`
	OrderDate                *OrderTime            `json:"orderDate"`
	CreateDate               *OrderTime            `json:"createDate"`
	ModifyDate               *OrderTime            `json:"modifyDate"`
	PaymentDate              *OrderTime            `json:"paymentDate"`
	ShipByDate               *OrderTime            `json:"shipByDate"`
	OrderStatus              string                `json:"orderStatus"`
	CustomerID               *int64                `json:"customerId"`
	CustomerUsername         *string               `json:"customerUsername"`
	CustomerEmail            *string               `json:"customerEmail"`
	BillTo                   *Address              `json:"billTo"`
	ShipTo                   *Address              `json:"shipTo"`
	Items                    []OrderItem           `json:"items"`
	OrderTotal               Money                 `json:"orderTotal"`
	AmountPaid               Money                 `json:"amountPaid"`
	TaxAmount                Money                 `json:"taxAmount"`
	ShippingAmount           Money                 `json:"shippingAmount"`
	CustomerNotes            *string               `json:"customerNotes"`
	InternalNotes            *string               `json:"internalNotes"`
	Gift                     bool                  `json:"gift"`
	GiftMessage              *string               `json:"giftMessage"`
	PaymentMethod            *string               `json:"paymentMethod"`
	RequestedShippingService *string               `json:"requestedShippingService"`
	CarrierCode              *string               `json:"carrierCode"`
	ServiceCode              *string               `json:"serviceCode"`
	PackageCode              *string               `json:"packageCode"`
	Confirmation             *string               `json:"confirmation"`
	ShipDate                 *Date                 `json:"shipDate"`
	HoldUntilDate            *Date                 `json:"holdUntilDate"`
	Weight                   *Weight               `json:"weight"`
	Dimensions               *Dimensions           `json:"dimensions"`
	InsuranceOptions         *InsuranceOptions     `json:"insuranceOptions"`
	InternationalOptions     *InternationalOptions `json:"internationalOptions"`
	AdvancedOptions          *AdvancedOptions      `json:"advancedOptions"`
	TagIDs                   []int64               `json:"tagIds"`
	UserID                   *string               `json:"userId"`
	ExternallyFulfilled      bool                  `json:"externallyFulfilled"`
	ExternallyFulfilledBy    *string               `json:"externallyFulfilledBy"`
}

// Shipment is a label bought in ShipStation (outbound or return).
type Shipment struct {
	ShipmentID          int64             `json:"shipmentId"`
	OrderID             *int64            `json:"orderId"`
	OrderKey            *string           `json:"orderKey"`
	UserID              *string           `json:"userId"`
	CustomerEmail       *string           `json:"customerEmail"`
	OrderNumber         *string           `json:"orderNumber"`
	CreateDate          Time              `json:"createDate"`
	ShipDate            Date              `json:"shipDate"`
	ShipmentCost        Money             `json:"shipmentCost"`
	InsuranceCost       Money             `json:"insuranceCost"`
	TrackingNumber      string            `json:"trackingNumber"`
	IsReturnLabel       bool              `json:"isReturnLabel"`
	BatchNumber         *string           `json:"batchNumber"`
	CarrierCode         string            `json:"carrierCode"`
	ServiceCode         string            `json:"serviceCode"`
	PackageCode         *string           `json:"packageCode"`
	Confirmation        *string           `json:"confirmation"`
	WarehouseID         *int64            `json:"warehouseId"`
	Voided              bool              `json:"voided"`
	VoidDate            *Time             `json:"voidDate"`
	MarketplaceNotified bool              `json:"marketplaceNotified"`
	NotifyErrorMessage  *string           `json:"notifyErrorMessage"`
	ShipTo              *Address          `json:"shipTo"`
	Weight              *Weight           `json:"weight"`
	Dimensions          *Dimensions       `json:"dimensions"`
	InsuranceOptions    *InsuranceOptions `json:"insuranceOptions"`
	AdvancedOptions     *AdvancedOptions  `json:"advancedOptions"`
	ShipmentItems       []ShipmentItem    `json:"shipmentItems"`
	LabelData           *string           `json:"labelData"`
	FormData            *string           `json:"formData"`
}

// ShipmentItem is the part of an order line that a shipment carries.
type ShipmentItem struct {
	OrderItemID       int64        `json:"orderItemId"`
	LineItemKey       *string      `json:"lineItemKey"`
	SKU               string       `json:"sku"`
	Name              string       `json:"name"`
	ImageURL          *string      `json:"imageUrl"`
	Weight            *Weight      `json:"weight"`
	Quantity          int          `json:"quantity"`
	UnitPrice         Money        `json:"unitPrice"`
	TaxAmount         *Money       `json:"taxAmount"`
	ShippingAmount    *Money       `json:"shippingAmount"`
	WarehouseLocation *string      `json:"warehouseLocation"`
	Options           []ItemOption `json:"options"`
	ProductID         *int64       `json:"productId"`
	FulfillmentSKU    *string      `json:"fulfillmentSku"`
	Adjustment        bool         `json:"adjustment"`
	UPC               *string      `json:"upc"`
}

// Fulfillment records an order marked shipped without a ShipStation label.
type Fulfillment struct {
	FulfillmentID           int64    `json:"fulfillmentId"`
	OrderID                 int64    `json:"orderId"`
	OrderNumber             string   `json:"orderNumber"`
	UserID                  *string  `json:"userId"`
	CustomerEmail           *string  `json:"customerEmail"`
	TrackingNumber          *string  `json:"trackingNumber"`
	CreateDate              Time     `json:"createDate"`
	ShipDate                Time     `json:"shipDate"`
	VoidDate                *Time    `json:"voidDate"`
	DeliveryDate            *Time    `json:"deliveryDate"`
	CarrierCode             string   `json:"carrierCode"`
	FulfillmentProviderCode *string  `json:"fulfillmentProviderCode"`
	FulfillmentServiceCode  *string  `json:"fulfillmentServiceCode"`
	FulfillmentFee          Money    `json:"fulfillmentFee"`
	VoidRequested           bool     `json:"voidRequested"`
	Voided                  bool     `json:"voided"`
	MarketplaceNotified     bool     `json:"marketplaceNotified"`
	NotifyErrorMessage      *string  `json:"notifyErrorMessage"`
	ShipTo                  *Address `json:"shipTo"`
}

// ProductCategory is a product's category.
type ProductCategory struct {
	CategoryID int64  `json:"categoryId"`
	Name       string `json:"name"`
}

// ProductTag is a tag as listed on a product.
type ProductTag struct {
	TagID int64  `json:"tagId"`
	Name  string `json:"name"`
}

// Product is a v1 product record.
type Product struct {
	Aliases                 []any            `json:"aliases"`
	ProductID               int64            `json:"productId"`
	SKU                     string           `json:"sku"`
	Name                    string           `json:"name"`
	Price                   *Money           `json:"price"`
	DefaultCost             *Money           `json:"defaultCost"`
	Length                  *float64         `json:"length"`
	Width                   *float64         `json:"width"`
	Height                  *float64         `json:"height"`
	WeightOz                *float64         `json:"weightOz"`
	InternalNotes           *string          `json:"internalNotes"`
	FulfillmentSKU          *string          `json:"fulfillmentSku"`
	CreateDate              *Time            `json:"createDate"`
	ModifyDate              *Time            `json:"modifyDate"`
	Active                  bool             `json:"active"`
	ProductCategory         *ProductCategory `json:"productCategory"`
	ProductType             *string          `json:"productType"`
	WarehouseLocation       *string          `json:"warehouseLocation"`
	DefaultCarrierCode      *string          `json:"defaultCarrierCode"`
	DefaultServiceCode      *string          `json:"defaultServiceCode"`
	DefaultPackageCode      *string          `json:"defaultPackageCode"`
	DefaultIntlCarrierCode  *string          `json:"defaultIntlCarrierCode"`
	DefaultIntlServiceCode  *string          `json:"defaultIntlServiceCode"`
	DefaultIntlPackageCode  *string          `json:"defaultIntlPackageCode"`
	DefaultConfirmation     *string          `json:"defaultConfirmation"`
	DefaultIntlConfirmation *string          `json:"defaultIntlConfirmation"`
	CustomsDescription      *string          `json:"customsDescription"`
	CustomsValue            *Money           `json:"customsValue"`
	CustomsTariffNo         *string          `json:"customsTariffNo"`
	CustomsCountryCode      *string          `json:"customsCountryCode"`
	NoCustoms               *bool            `json:"noCustoms"`
	Tags                    []ProductTag     `json:"tags"`
	UPC                     *string          `json:"upc"`
	ThumbnailURL            *string          `json:"thumbnailURL"`
}

// Warehouse is a ship-from location.
type Warehouse struct {
	WarehouseID   int64    `json:"warehouseId"`
	WarehouseName string   `json:"warehouseName"`
	OriginAddress *Address `json:"originAddress"`
	ReturnAddress *Address `json:"returnAddress"`
	CreateDate    *Time    `json:"createDate"`
	IsDefault     bool     `json:"isDefault"`
}

// Store is a selling channel in ShipStation; marketplaceId 0 is a manual store.
type Store struct {
	StoreID            int64   `json:"storeId"`
	StoreName          string  `json:"storeName"`
	MarketplaceID      int64   `json:"marketplaceId"`
	MarketplaceName    string  `json:"marketplaceName"`
	AccountName        *string `json:"accountName"`
	Email              *string `json:"email"`
	IntegrationURL     *string `json:"integrationUrl"`
	Active             bool    `json:"active"`
	CompanyName        string  `json:"companyName"`
	Phone              string  `json:"phone"`
	PublicEmail        string  `json:"publicEmail"`
	Website            string  `json:"website"`
	RefreshDate        *Time   `json:"refreshDate"`
	LastRefreshAttempt *Time   `json:"lastRefreshAttempt"`
	CreateDate         *Time   `json:"createDate"`
	ModifyDate         *Time   `json:"modifyDate"`
	AutoRefresh        bool    `json:"autoRefresh"`
}

// Tag is an order tag; tags are created in the UI only.
type Tag struct {
	TagID int64  `json:"tagId"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// Carrier is a carrier account connected to ShipStation.
type Carrier struct {
	Name                  string  `json:"name"`
	Code                  string  `json:"code"`
	AccountNumber         *string `json:"accountNumber"`
	RequiresFundedAccount bool    `json:"requiresFundedAccount"`
	Balance               Money   `json:"balance"`
	Nickname              *string `json:"nickname"`
	ShippingProviderID    int64   `json:"shippingProviderId"`
	Primary               bool    `json:"primary"`
	// Services and Packages are served by /carriers/listservices and
	// /carriers/listpackages, not in the carrier object itself.
	Services []CarrierService `json:"-"`
	Packages []CarrierService `json:"-"`
}

// CarrierService is a carrier's service or package type.
type CarrierService struct {
	CarrierCode   string `json:"carrierCode"`
	Code          string `json:"code"`
	Name          string `json:"name"`
	Domestic      bool   `json:"domestic"`
	International bool   `json:"international"`
}

// Webhook is a v1 webhook subscription as listed by GET /webhooks, in the
// PascalCase the API uses for this one object.
type Webhook struct {
	IsLabelAPIHook   bool   `json:"IsLabelAPIHook"`
	WebHookID        int64  `json:"WebHookID"`
	SellerID         int64  `json:"SellerID"`
	StoreID          *int64 `json:"StoreID"`
	HookType         string `json:"HookType"`
	MessageFormat    string `json:"MessageFormat"`
	URL              string `json:"Url"`
	Name             string `json:"Name"`
	BulkCopyBatchID  *int64 `json:"BulkCopyBatchID"`
	BulkCopyRecordID *int64 `json:"BulkCopyRecordID"`
	Active           bool   `json:"Active"`
	WebhookLogs      []any  `json:"WebhookLogs"`
	Seller           any    `json:"Seller"`
	Store            any    `json:"Store"`
}
