variable "base" {
  type    = string
  default = "http://127.0.0.1:9999"
}

connection "http" "api" {
  base_url = var.base
  headers  = { Authorization = "Bearer ${secret("API_TOKEN", "tok-123456")}" }
}

pipeline "copy" {
  step "fetch" {
    action = http.get
    url    = "/source"
  }

  transform "records" {
    for_each = { for r in step.fetch.output.body : tostring(r.id) => r }
    value    = { name = upper(each.value.name), n = each.value.n }
  }

  step "store" {
    action   = http.put
    for_each = transform.records
    url      = "/records/${each.key}"
    body     = each.value
  }
}
