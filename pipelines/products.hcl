# Flow 7: BigCommerce products and variants keep ShipStation's products in
# step: name, weight and dimensions (converted from the store's units) and
# bin location, per SKU. ShipStation's API cannot create products: an
# unknown SKU is retried with backoff until an order brings it into
# ShipStation (orders always carry their weights meanwhile).

# The store hashes whose catalogs update ShipStation's products; empty:
# every store's. ShipStation keeps one product per SKU for the account, so
# stores that share a SKU share its product and the last change made in
# any of them wins: list the store whose catalog should decide.
variable "product_stores" {
  type    = list(string)
  default = []
}

pipeline "products" {
  description = "BigCommerce product and SKU changes update ShipStation's products."
  # One instance per enabled BigCommerce store.
  for_each = connection.bigcommerce

  trigger "bigcommerce_webhook" "changed" {
    scopes = ["store/product/created", "store/product/updated", "store/sku/created", "store/sku/updated"]
  }

  trigger "bigcommerce_poll" "sweep" {
    resource = "products"
    schedule = var.reconcile_schedule
  }

  step "store" {
    action = bigcommerce.get_store
  }

  step "products" {
    action = bigcommerce.get_products
    when   = length(var.product_stores) == 0 || contains(var.product_stores, step.store.output.store_hash)
    ids    = distinct(trigger.product_ids)
  }

  # One entry per SKU (get_products' skus): each variant of a product with
  # variants, else the product itself.
  transform "skus" {
    for_each = { for s in flatten([for p in coalesce(step.products.output, []) : p.skus]) : s.sku => s }

    value = {
      name              = each.value.name
      weightOz          = weight_oz(each.value.weight, step.store.output.weight_units)
      length            = length_in(each.value.depth, step.store.output.dimension_units)
      width             = length_in(each.value.width, step.store.output.dimension_units)
      height            = length_in(each.value.height, step.store.output.dimension_units)
      warehouseLocation = each.value.bin_picking_number == "" ? null : each.value.bin_picking_number
    }
  }

  step "update" {
    action   = shipstation.update_product
    for_each = transform.skus
    on_error = "continue"
    sku      = each.key
    product  = each.value
  }
}
