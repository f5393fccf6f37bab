package bigcommercetest

import (
	"fmt"
	"math/rand/v2"
)

var (
	seedAdjectives = []string{"Trail", "Merino", "Alpine", "Coastal", "Urban", "Summit", "Harbor", "Canyon", "Prairie", "Glacier"}
	seedNouns      = []string{"Sock", "Tee", "Hoodie", "Beanie", "Jacket", "Mug", "Tote", "Water Bottle", "Cap", "Scarf"}
	seedSizes      = []string{"S", "M", "L"}
	seedColors     = []string{"Blue", "Black"}
)

// SeedDefault seeds a realistic 60-product catalog (see SeedCatalog).
func (s *Server) SeedDefault() error { return s.SeedCatalog(60) }

// SeedCatalog adds n products, deterministic under Options.Seed: a third
// with Size and Color variants, a third with Size variants, the rest simple
// (one in ten of those untracked); each has a SKU, weight, dimensions and
// stock at location 1, and every fourth is also listed on channel 2.
func (s *Server) SeedCatalog(n int) error {
	rng := rand.New(rand.NewPCG(s.opts.Seed, 0xca7a10))
	for i := range n {
		name := seedAdjectives[i%len(seedAdjectives)] + " " + seedNouns[(i/len(seedAdjectives))%len(seedNouns)]
		if round := i / (len(seedAdjectives) * len(seedNouns)); round > 0 {
			name = fmt.Sprintf("%s %d", name, round+1)
		}
		prefix := s.opts.SKUPrefix
		if prefix == "" {
			prefix = "SKU"
		}
		base := fmt.Sprintf("%s-%04d", prefix, i+1)
		np := NewProduct{
			Name: name, SKU: base,
			Price:            fmt.Sprintf("%d.%02d", 8+rng.IntN(90), []int{0, 50, 95, 99}[rng.IntN(4)]),
			CostPrice:        fmt.Sprintf("%d.00", 3+rng.IntN(10)),
			Weight:           fmt.Sprintf("%d.%d", rng.IntN(40)+1, rng.IntN(10)),
			Width:            fmt.Sprintf("%d", 2+rng.IntN(12)),
			Height:           fmt.Sprintf("%d", 1+rng.IntN(8)),
			Depth:            fmt.Sprintf("%d", 2+rng.IntN(14)),
			BinPickingNumber: fmt.Sprintf("%c-%02d", 'A'+rune(i%6), 1+i%40),
			UPC:              fmt.Sprintf("0%011d", 10000000000+i*7919),
			Channels:         []int{1},
		}
		if i%4 == 3 {
			np.Channels = []int{1, 2}
		}
		switch i % 3 {
		case 0:
			np.Options = []NewOption{{Name: "Size", Values: seedSizes}, {Name: "Color", Values: seedColors}}
			for _, size := range seedSizes {
				for _, color := range seedColors {
					np.Variants = append(np.Variants, NewVariant{SKU: fmt.Sprintf("%s-%s-%s", base, size, color[:3]),
						InventoryLevel: 10 + rng.IntN(90), OptionValues: []string{size, color}})
				}
			}
		case 1:
			np.Options = []NewOption{{Name: "Size", Values: seedSizes}}
			for _, size := range seedSizes {
				v := NewVariant{SKU: base + "-" + size, InventoryLevel: 10 + rng.IntN(90), OptionValues: []string{size}}
				if size == "L" {
					v.Weight = np.Weight + "5"
				}
				np.Variants = append(np.Variants, v)
			}
		default:
			np.InventoryLevel = 20 + rng.IntN(180)
			if i%10 == 8 {
				np.InventoryTracking = "none"
			}
		}
		if _, err := s.AddProduct(np); err != nil {
			return err
		}
	}
	return nil
}
