package shipstationtest

import (
	"net/http"
	"strings"
)

// routeFunc handles one route; params holds the path segments matched by {}.
type routeFunc func(w http.ResponseWriter, r *http.Request, params []string)

type route struct {
	method string
	segs   []string
	h      routeFunc
}

// router matches paths case-insensitively, as ShipStation's ASP.NET
// front end does, with "{}" matching any one segment. Routes are tried in
// the order they were added, so literal segments go before wildcards.
type router struct {
	routes    []route
	notFound  func(w http.ResponseWriter, r *http.Request)
	badMethod func(w http.ResponseWriter, r *http.Request)
}

func (rt *router) handle(method, pattern string, h routeFunc) {
	rt.routes = append(rt.routes, route{method: method, segs: splitPath(pattern), h: h})
}

func splitPath(p string) []string {
	p = strings.Trim(strings.ToLower(p), "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.Path)
	pathMatched := false
	for _, rte := range rt.routes {
		params, ok := match(rte.segs, segs, r.URL.Path)
		if !ok {
			continue
		}
		pathMatched = true
		if rte.method == r.Method {
			rte.h(w, r, params)
			return
		}
	}
	if pathMatched {
		rt.badMethod(w, r)
		return
	}
	rt.notFound(w, r)
}

// match compares lower-cased segments; captured parameters keep the case of
// the original path.
func match(pattern, segs []string, rawPath string) ([]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params []string
	orig := splitOriginal(rawPath)
	for i, p := range pattern {
		if p == "{}" {
			params = append(params, orig[i])
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
}

func splitOriginal(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
