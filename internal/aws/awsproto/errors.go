package awsproto

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
)

// kindCodes maps an error kind to the AWS exception of the JSON services
// that Atrium implements (sso-admin, identitystore) and its HTTP status.
var kindCodes = map[errs.Kind]struct {
	code   string
	status int
}{
	errs.Invalid:         {"ValidationException", 400},
	errs.NotFound:        {"ResourceNotFoundException", 404},
	errs.Conflict:        {"ConflictException", 409},
	errs.Denied:          {"AccessDeniedException", 403},
	errs.Unauthenticated: {"UnrecognizedClientException", 403},
	errs.Throttled:       {"ThrottlingException", 429},
	errs.QuotaExceeded:   {"ServiceQuotaExceededException", 402},
	errs.Unavailable:     {"InternalServerException", 500},
	errs.Internal:        {"InternalServerException", 500},
}

// codeStatus is the HTTP status of codes that refine a kind.
var codeStatus = map[string]int{
	"MissingAuthenticationTokenException": 403,
	"UnrecognizedClientException":         403,
	"InvalidSignatureException":           403,
	"SignatureDoesNotMatch":               403,
	"IncompleteSignatureException":        400,
	"SerializationException":              400,
	"UnknownOperationException":           400,
	"RequestEntityTooLargeException":      413,

	// organizations: its exceptions, with the statuses AWS gives them
	"InvalidInputException":                  400,
	"MalformedPolicyDocumentException":       400,
	"AWSOrganizationsNotInUseException":      404,
	"AccountNotFoundException":               404,
	"ParentNotFoundException":                404,
	"SourceParentNotFoundException":          404,
	"DestinationParentNotFoundException":     404,
	"OrganizationalUnitNotFoundException":    404,
	"ChildNotFoundException":                 404,
	"TargetNotFoundException":                404,
	"PolicyNotFoundException":                404,
	"RootNotFoundException":                  404,
	"CreateAccountStatusNotFoundException":   404,
	"PolicyNotAttachedException":             404,
	"DuplicateOrganizationalUnitException":   409,
	"DuplicateAccountException":              409,
	"DuplicatePolicyException":               409,
	"DuplicatePolicyAttachmentException":     409,
	"OrganizationalUnitNotEmptyException":    409,
	"PolicyInUseException":                   409,
	"PolicyTypeAlreadyEnabledException":      409,
	"PolicyTypeNotEnabledException":          409,
	"AccountAlreadyClosedException":          409,
	"MasterCannotLeaveOrganizationException": 409,
	"ConcurrentModificationException":        409,
	"ConstraintViolationException":           409,
	"TooManyRequestsException":               429,
	"ServiceException":                       500,
}

// ErrorCode returns the AWS error code and HTTP status of err.
func ErrorCode(e *errs.Error) (string, int) {
	if e.Code != "" {
		if st, ok := codeStatus[e.Code]; ok {
			return e.Code, st
		}
		return e.Code, kindCodes[e.Kind].status
	}
	kc := kindCodes[e.Kind]
	return kc.code, kc.status
}

// WriteJSONError writes e as an awsJson error: the code in both __type and
// x-amzn-ErrorType, the public message, and the detail fields the model
// declares. It returns the code. Internal errors are logged here, once.
func WriteJSONError(ctx context.Context, w http.ResponseWriter, log *slog.Logger, e *errs.Error) string {
	code, status := ErrorCode(e)
	if e.Kind == errs.Internal || e.Kind == errs.Unavailable {
		log.ErrorContext(ctx, "request failed", "error", e.Error(), "code", code)
	} else {
		log.DebugContext(ctx, "request refused", "error", e.Error(), "code", code)
	}
	body := map[string]any{"__type": code, "Message": errs.Public(e)}
	for k, v := range e.Fields {
		body[k] = v
	}
	if id := reqctx.RequestFrom(ctx).ID; id != "" {
		body["RequestId"] = id
	}
	if status == 500 || status == 429 {
		body["RetryAfterSeconds"] = 1
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-ErrorType", code)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return code
}
