package shipstationtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// writeJSON writes v with the content type ShipStation sends.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"Message":"An error has occurred."}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// v1Message writes the plain ASP.NET error body {"Message": msg}.
func v1Message(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"Message": msg})
}

// v1Invalid writes a 400 model-binding failure for one parameter.
func v1Invalid(w http.ResponseWriter, param, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"Message":    "The request is invalid.",
		"ModelState": map[string][]string{param: {msg}},
	})
}

// v1Exception writes the 500 body of an unhandled server exception, which
// ShipStation also returns for requests it cannot act on.
func v1Exception(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusInternalServerError, map[string]string{
		"Message":          "An error has occurred.",
		"ExceptionMessage": msg,
		"ExceptionType":    "System.InvalidOperationException",
		"StackTrace":       "   at SS.OpenApi.Controllers",
	})
}

func v1NotFoundRoute(w http.ResponseWriter, r *http.Request) {
	v1Message(w, http.StatusNotFound, fmt.Sprintf("No HTTP resource was found that matches the request URI '%s'.", r.URL.String()))
}

func v1BadMethod(w http.ResponseWriter, r *http.Request) {
	v1Message(w, http.StatusMethodNotAllowed, fmt.Sprintf("The requested resource does not support http method '%s'.", r.Method))
}

func writeTooManyV1(w http.ResponseWriter) {
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "Too Many Requests"})
}

// v2 error vocabulary.
const (
	v2TypeValidation = "validation"
	v2TypeSecurity   = "security"
	v2TypeSystem     = "system"
	v2TypeBusiness   = "business_rules"
)

type v2ErrorItem struct {
	ErrorSource string `json:"error_source"`
	ErrorType   string `json:"error_type"`
	ErrorCode   string `json:"error_code"`
	Message     string `json:"message"`
}

type v2ErrorBody struct {
	RequestID string        `json:"request_id"`
	Errors    []v2ErrorItem `json:"errors"`
}

// v2Error writes the v2 error envelope with one error.
func (s *Server) v2Error(w http.ResponseWriter, status int, typ, code, msg string) {
	writeJSON(w, status, v2ErrorBody{
		RequestID: s.newUUID(),
		Errors:    []v2ErrorItem{{ErrorSource: "ShipStation", ErrorType: typ, ErrorCode: code, Message: msg}},
	})
}
