package shipstationtest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// productForItemLocked links an order line to the product with its SKU,
// creating the record when the SKU is new: the only way products come into
// being through the API.
func (s *Server) productForItemLocked(it *OrderItem, now time.Time) *int64 {
	if it.SKU == "" || it.Adjustment {
		return nil
	}
	if id, ok := s.bySKU[it.SKU]; ok {
		return int64Ptr(id)
	}
	price := it.UnitPrice
	p := &Product{
		ProductID:  next(&s.seq.product),
		SKU:        it.SKU,
		Name:       it.Name,
		Price:      &price,
		CreateDate: timePtr(now),
		ModifyDate: timePtr(now),
		Active:     true,
		UPC:        it.UPC,
	}
	if it.Weight != nil {
		oz := ounces(*it.Weight)
		p.WeightOz = &oz
	}
	s.putProductLocked(p)
	return int64Ptr(p.ProductID)
}

func (s *Server) putProductLocked(p *Product) {
	if old := s.products[p.ProductID]; old != nil && s.bySKU[old.SKU] == p.ProductID {
		delete(s.bySKU, old.SKU)
	} else if old == nil {
		s.productIDs = append(s.productIDs, p.ProductID)
	}
	s.products[p.ProductID] = p
	s.bySKU[p.SKU] = p.ProductID
}

func (s *Server) skuMatches(sku, filter string) bool {
	switch s.opts.ProductSKUMatch {
	case SKUExact:
		return sku == filter
	case SKUPrefix:
		return hasPrefixFold(sku, filter)
	default:
		return containsFold(sku, filter)
	}
}

// listProducts answers GET /products.
func (s *Server) listProducts(w http.ResponseWriter, r *http.Request, _ []string) {
	p := queryOf(r)
	var (
		categoryID, tagID   int64
		hasCategory, hasTag bool
		showInactive        bool
		created             dateRange
		err                 error
	)
	if categoryID, hasCategory, err = p.int64("productcategoryid"); err == nil {
		if tagID, hasTag, err = p.int64("tagid"); err == nil {
			if showInactive, _, err = p.bool("showinactive"); err == nil {
				created, err = p.dateRange("", s.opts.HonorDateOffsets) // startDate / endDate
			}
		}
	}
	if err != nil {
		writeParamError(w, err)
		return
	}
	pg, err := s.pageOf(p)
	if err != nil {
		writeParamError(w, err)
		return
	}
	sku, name, productType, upc := p.get("sku"), p.get("name"), p.get("producttypeid"), p.get("upc")
	sortBy := strings.ToLower(p.get("sortby"))
	desc := sortDesc(p)

	s.mu.Lock()
	var found []Product
	for _, id := range s.productIDs {
		pr := s.products[id]
		switch {
		case !showInactive && !pr.Active,
			sku != "" && !s.skuMatches(pr.SKU, sku),
			name != "" && !containsFold(pr.Name, name),
			upc != "" && deref(pr.UPC) != upc,
			productType != "" && deref(pr.ProductType) != productType,
			hasCategory && (pr.ProductCategory == nil || pr.ProductCategory.CategoryID != categoryID),
			hasTag && !slices.ContainsFunc(pr.Tags, func(t ProductTag) bool { return t.TagID == tagID }),
			!created.holds(&pr.CreateDate.Time):
			continue
		}
		found = append(found, *pr)
	}
	s.mu.Unlock()
	slices.SortStableFunc(found, func(a, b Product) int {
		c := 0
		switch sortBy {
		case "sku":
			c = strings.Compare(a.SKU, b.SKU)
		case "modifydate":
			c = a.ModifyDate.Compare(b.ModifyDate.Time)
		case "createdate":
			c = a.CreateDate.Compare(b.CreateDate.Time)
		}
		if c == 0 {
			c = cmp.Compare(a.ProductID, b.ProductID)
		}
		if desc {
			c = -c
		}
		return c
	})
	items, total, pages := paginate(found, pg)
	writeJSON(w, http.StatusOK, struct {
		Products []Product `json:"products"`
		Total    int       `json:"total"`
		Page     int       `json:"page"`
		Pages    int       `json:"pages"`
	}{items, total, pg.number, pages})
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request, p []string) {
	id, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil {
		v1NotFoundRoute(w, r)
		return
	}
	s.mu.Lock()
	pr := s.products[id]
	var out Product
	if pr != nil {
		out = *pr
	}
	s.mu.Unlock()
	if pr == nil {
		v1Message(w, http.StatusNotFound, fmt.Sprintf("Product %d was not found.", id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// putProduct answers PUT /products/{id}: a full replace, so every field not
// sent is cleared. createDate stays; modifyDate moves.
func (s *Server) putProduct(w http.ResponseWriter, r *http.Request, p []string) {
	id, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil {
		v1NotFoundRoute(w, r)
		return
	}
	var in Product
	if err := decodeJSON(r, &in); err != nil {
		v1Invalid(w, "product", err.Error())
		return
	}
	if strings.TrimSpace(in.SKU) == "" || strings.TrimSpace(in.Name) == "" {
		v1Invalid(w, "product", "The sku and name fields are required.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.products[id]
	if old == nil {
		v1Message(w, http.StatusNotFound, fmt.Sprintf("Product %d was not found.", id))
		return
	}
	if other, ok := s.bySKU[in.SKU]; ok && other != id {
		v1Message(w, http.StatusBadRequest, fmt.Sprintf("SKU %q is already used by product %d.", in.SKU, other))
		return
	}
	in.ProductID = id
	in.CreateDate = old.CreateDate
	in.ModifyDate = timePtr(s.now())
	s.putProductLocked(&in)
	s.productPut[id]++
	writeJSON(w, http.StatusOK, actionResult{true, "The requested product has been updated"})
}
