package ovhsim

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an OVH error answer: status plus
// {"class": "Client::BadRequest", "message": "...", "errorCode": "..."}.
// go-ovh reads class and message into *ovh.APIError.
type apiError struct {
	status    int
	class     string
	message   string
	errorCode string
}

type apiErrorJSON struct {
	Class     string `json:"class"`
	Message   string `json:"message"`
	ErrorCode string `json:"errorCode,omitempty"`
	HTTPCode  string `json:"httpCode,omitempty"`
}

func errReply(e *apiError) *reply {
	body := apiErrorJSON{Class: e.class, Message: e.message, ErrorCode: e.errorCode}
	if e.errorCode != "" {
		// OVH's authentication errors carry the HTTP code too.
		body.HTTPCode = fmt.Sprintf("%d %s", e.status, http.StatusText(e.status))
	}
	b, _ := json.Marshal(body)
	return &reply{status: e.status, body: b}
}

func classFor(status int) string {
	switch status {
	case 400:
		return "Client::BadRequest"
	case 401:
		return "Client::Unauthorized"
	case 403:
		return "Client::Forbidden"
	case 404:
		return "Client::NotFound"
	case 405:
		return "Client::MethodNotAllowed"
	case 409:
		return "Client::Conflict"
	case 429:
		return "Client::TooManyRequests"
	case 502:
		return "Server::BadGateway"
	case 503:
		return "Server::ServiceUnavailable"
	case 504:
		return "Server::GatewayTimeout"
	}
	if status >= 500 {
		return "Server::InternalServerError"
	}
	return "Client::BadRequest"
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: 400, class: "Client::BadRequest", message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{status: 404, class: "Client::NotFound", message: fmt.Sprintf(format, args...)}
}

func forbidden(code, format string, args ...any) *apiError {
	return &apiError{status: 403, class: "Client::Forbidden", message: fmt.Sprintf(format, args...), errorCode: code}
}

func errInvalidURL() *apiError {
	return notFound("Got an invalid (or empty) URL")
}

func errObjectNotFound(kind, id any) *apiError {
	return notFound("The requested object (%s = %v) does not exist", kind, id)
}
