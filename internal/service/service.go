// Package service is the single choke point of Atrium: one method per
// operation, each of which authorizes the caller with the policy engine,
// validates the request against the domain rules, and commits the change
// together with its audit event in one transaction. Every protocol adapter
// (AWS APIs, SCIM, the web console, the CLI) calls these methods.
package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/authz"
	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/keys"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/store"
)

// Config holds the dependencies of a Service.
type Config struct {
	Store      store.Store
	Keys       *keys.Keyring
	Authorizer authz.Authorizer
	Logger     *slog.Logger
	Region     string
	// Now is the clock; defaults to time.Now.
	Now func() time.Time
	// IDs makes identifiers; its zero value uses crypto/rand.
	IDs arn.Generator
	// DurableAudit makes every audit event wait for the disk. Otherwise the
	// events of calls that change nothing (reads, failures, denials) are
	// committed with store.WriteRelaxed: in order and in the chain, but a
	// power loss may lose those of its last moment.
	DurableAudit bool
}

// Service implements every operation.
type Service struct {
	store  store.Store
	keys   *keys.Keyring
	authz  authz.Authorizer
	log    *slog.Logger
	region string
	now    func() time.Time
	ids    arn.Generator
	// writeEvent commits the audit events of calls that change nothing.
	writeEvent func(context.Context, func(store.Tx) error) error
	// instances caches instances by id (an instance's identity store never
	// changes): id → *org.Instance.
	instances sync.Map
	// keyCache holds recently looked-up access keys: id → *cachedKey.
	keyCache sync.Map
	// scimTokens holds recently read SCIM tokens: id → *cachedSCIMToken.
	scimTokens sync.Map
	// authLimits rate-limits failed authentications per source address.
	authLimits authLimits
	// index is the effective-access index of this node.
	index *accessIndex
}

// New checks cfg and makes a Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("service: Config.Store is required")
	case cfg.Keys == nil:
		return nil, errors.New("service: Config.Keys is required")
	case cfg.Authorizer == nil:
		return nil, errors.New("service: Config.Authorizer is required")
	case cfg.Region == "":
		return nil, errors.New("service: Config.Region is required")
	}
	s := &Service{store: cfg.Store, keys: cfg.Keys, authz: cfg.Authorizer, log: cfg.Logger, region: cfg.Region, now: cfg.Now, ids: cfg.IDs}
	if s.now == nil {
		s.now = time.Now
	}
	s.writeEvent = s.store.WriteRelaxed
	if cfg.DurableAudit {
		s.writeEvent = s.store.Write
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.index = newAccessIndex(cfg.Store, s.log)
	s.store = &feedStore{Store: cfg.Store, index: s.index, now: s.now}
	return s, nil
}

// Region is the region the service answers for.
func (s *Service) Region() string { return s.region }

// op describes one operation for authorization and audit.
type op struct {
	source   string // eventSource, e.g. "identitystore.amazonaws.com"
	name     string // eventName, e.g. "CreateUser"
	action   string // IAM action, e.g. "identitystore:CreateUser"
	readOnly bool
}

func (o op) String() string { return "service." + o.name }

// Event sources of the services Atrium implements.
const (
	SourceIdentityStore = "identitystore.amazonaws.com"
	SourceSSO           = "sso.amazonaws.com"
)

func identityStoreOp(name string, readOnly bool) op {
	return op{source: SourceIdentityStore, name: name, action: "identitystore:" + name, readOnly: readOnly}
}

func ssoOp(name string, readOnly bool) op {
	return op{source: SourceSSO, name: name, action: "sso:" + name, readOnly: readOnly}
}

// call is one running operation.
type call struct {
	op         op
	caller     *reqctx.Caller
	principal  *credentials.Principal
	instanceID string
	accountID  string // recipient account
	resource   string
	response   any // recorded as responseElements for mutations
}

// begin authenticates and authorizes: it returns the call, or an error that
// has already been audited.
func (s *Service) begin(ctx context.Context, o op, resource string) (*call, error) {
	c := &call{op: o, caller: reqctx.CallerFrom(ctx), resource: resource}
	if c.caller == nil {
		err := errs.E(errs.Unauthenticated, o.String(), "The request is not signed.")
		return nil, s.finish(ctx, c, err)
	}
	c.instanceID = c.caller.InstanceID
	c.accountID = c.caller.AccountID
	p, err := s.principalOf(ctx, c.caller)
	if err != nil {
		return nil, s.finish(ctx, c, err)
	}
	c.principal = p
	d := s.authz.Authorize(ctx, authz.Request{Principal: p, Action: o.action, Resource: resource, Context: requestContext(ctx, c.caller)})
	if !d.Allowed {
		err := errs.Errorf(errs.Denied, o.String(), "User: %s is not authorized to perform: %s on resource: %s", c.caller.ARN, o.action, resource)
		if d.Reason == "explicitDeny" {
			err.Msg += " with an explicit deny"
		}
		return nil, s.finish(ctx, c, err)
	}
	return c, nil
}

func requestContext(ctx context.Context, c *reqctx.Caller) map[string][]string {
	r := reqctx.RequestFrom(ctx)
	m := map[string][]string{
		"aws:username":         {c.UserName},
		"aws:userid":           {c.PrincipalID},
		"aws:principalarn":     {c.ARN},
		"aws:principalaccount": {c.AccountID},
		"aws:requestedregion":  {r.Region},
		"aws:securetransport":  {"false"},
	}
	if r.SourceIP != "" {
		m["aws:sourceip"] = []string{r.SourceIP}
	}
	if r.UserAgent != "" {
		m["aws:useragent"] = []string{r.UserAgent}
	}
	return m
}

// read runs a read-only operation: fn in a read transaction, then its audit
// event. If the event cannot be written the call fails.
func (s *Service) read(ctx context.Context, c *call, fn func(tx store.Tx) error) error {
	err := s.store.Read(ctx, fn)
	return s.finish(ctx, c, mapStoreErr(c.op, err))
}

// lookup runs a read-only operation that reads a few rows: fn and its
// audit event in one transaction, the event's (see finish), where write
// transactions run one at a time (SQLite: the writer's, whose page cache
// stays warm, where a read transaction of its own would begin, lock and
// read its pages anew after every write). Elsewhere, and for a listing,
// which reads many rows and would hold up the writes, read runs fn in a
// read transaction, which sees one state throughout. When fn fails in the
// store, not in the domain, its failure is audited in a transaction of its
// own.
func (s *Service) lookup(ctx context.Context, c *call, fn func(tx store.Tx) error) error {
	if !s.store.SerialWrites() {
		return s.read(ctx, c, fn)
	}
	now := s.now().UTC()
	e := s.prepare(ctx, c, now)
	var ferr error
	err := s.writeEvent(ctx, func(tx store.Tx) error {
		ferr = mapStoreErr(c.op, fn(tx))
		if ferr != nil && errs.KindOf(ferr) == errs.Internal {
			return ferr
		}
		return s.putEvent(ctx, tx, c, e, now, ferr)
	})
	if err == nil {
		return ferr
	}
	// The store failed fn, or the event or the commit failed (fn may not
	// have run: the call was cancelled while it waited): the outcome is
	// audited on its own, as read does.
	if ferr == nil {
		ferr = mapStoreErr(c.op, err)
	}
	return s.finish(ctx, c, ferr)
}

// readRows runs fn with lookup when it reads a few rows (few), with read
// when it may read many.
func (s *Service) readRows(ctx context.Context, c *call, few bool, fn func(tx store.Tx) error) error {
	if few {
		return s.lookup(ctx, c, fn)
	}
	return s.read(ctx, c, fn)
}

// write runs a mutation: fn and its audit event in one transaction. A
// failed mutation is audited in a transaction of its own.
func (s *Service) write(ctx context.Context, c *call, fn func(tx store.Tx, now time.Time) error) error {
	now := s.now().UTC()
	// The event is prepared before the transaction: on SQLite, every
	// write waits while one runs.
	e := s.prepare(ctx, c, now)
	var ferr error
	err := s.store.Write(ctx, func(tx store.Tx) error {
		if ferr = fn(tx, now); ferr != nil {
			return ferr
		}
		return s.putEvent(ctx, tx, c, e, now, nil)
	})
	if err == nil {
		return nil
	}
	if ferr == nil { // the audit write or the commit failed
		s.log.ErrorContext(ctx, "committing a change with its audit event failed", "op", c.op.name, "error", err)
		return errs.Wrap(c.op.String(), err)
	}
	return s.finish(ctx, c, mapStoreErr(c.op, ferr))
}

// finish audits the outcome of a call that did not commit its own event:
// reads, failures and denials. Their events change nothing else, so unless
// DurableAudit is set they do not wait for the disk (see Config). It
// returns err, or the audit failure.
func (s *Service) finish(ctx context.Context, c *call, err error) error {
	now := s.now().UTC()
	e := s.prepare(ctx, c, now)
	werr := s.writeEvent(ctx, func(tx store.Tx) error { return s.putEvent(ctx, tx, c, e, now, err) })
	if werr != nil {
		s.log.ErrorContext(ctx, "writing an audit event failed", "op", c.op.name, "error", werr)
		if err == nil {
			return errs.Wrap(c.op.String(), werr)
		}
	}
	return err
}

// event returns the audit event of a call at now, without its outcome.
func (s *Service) event(ctx context.Context, c *call, now time.Time) audit.Event {
	r := reqctx.RequestFrom(ctx)
	source := c.op.source
	if r.Source != "" {
		source = r.Source
	}
	return audit.Event{
		EventVersion:       audit.EventVersion,
		EventTime:          audit.FormatTime(now),
		EventSource:        source,
		EventName:          c.op.name,
		AWSRegion:          s.region,
		SourceIPAddress:    r.SourceIP,
		UserAgent:          r.UserAgent,
		RequestParameters:  audit.RedactJSON(r.Params), // null when there are none
		ResponseElements:   json.RawMessage("null"),
		RequestID:          r.ID,
		EventID:            s.ids.UUID(),
		ReadOnly:           c.op.readOnly,
		EventType:          audit.TypeAPICall,
		ManagementEvent:    true,
		EventCategory:      "Management",
		RecipientAccountID: c.accountID,
		UserIdentity:       identity(c.caller),
	}
}

// prepared is a call's audit event, encoded before its transaction, so
// that what runs in it (on SQLite, in the writer's turn, while every other
// write waits) only adds the outcome.
type prepared struct {
	e audit.Event
	// pre and post are e encoded up to its responseElements' value and
	// after it (nil when that failed): a success's event is pre, the
	// response, post.
	pre, post []byte
}

// responseAt marks, in an encoded event without an error, where its
// responseElements' value goes: the last such text, as requestParameters,
// which comes first, may hold it too, and the fields after it are strings,
// booleans and numbers.
var responseAt = []byte(`,"responseElements":null,"requestID":`)

// prepare returns the audit event of a call at now, encoded but for its
// outcome.
func (s *Service) prepare(ctx context.Context, c *call, now time.Time) prepared {
	return prepareEvent(s.event(ctx, c, now))
}

// prepareEvent encodes e, which has neither response nor error yet.
func prepareEvent(e audit.Event) prepared {
	p := prepared{e: e}
	data, err := json.Marshal(e)
	if i := bytes.LastIndex(data, responseAt); err == nil && i >= 0 {
		at := i + len(`,"responseElements":`)
		p.pre, p.post = data[:at], data[at+len("null"):]
	}
	return p
}

// encode returns p's event with its outcome: resp (JSON, redacted) when
// the call succeeded, its failure otherwise.
func (p prepared) encode(resp json.RawMessage, failure error) ([]byte, error) {
	if failure == nil && p.pre != nil {
		data := make([]byte, 0, len(p.pre)+len(resp)+len(p.post))
		return append(append(append(data, p.pre...), resp...), p.post...), nil
	}
	e := p.e
	e.ResponseElements = resp
	if failure != nil {
		e.ErrorCode, e.ErrorMessage = errorCode(failure), errs.Public(failure)
	}
	return json.Marshal(e)
}

// putEvent completes p with the call's outcome and appends it to the audit
// trail in tx.
func (s *Service) putEvent(ctx context.Context, tx store.Tx, c *call, p prepared, now time.Time, failure error) error {
	resp := json.RawMessage("null")
	if failure == nil && !c.op.readOnly && c.response != nil {
		resp = audit.Redact(c.response)
	}
	data, err := p.encode(resp, failure)
	if err != nil {
		return err
	}
	_, err = tx.AppendAudit(ctx, s.keys.AuditKey(), c.instanceID, now, c.op.name, data)
	return err
}

// unattended is an audit event without a caller's request: Atrium acting
// on its own ("AWSService", as CloudTrail records an AwsServiceEvent) or an
// operator at a node's console ("Operator").
type unattended struct {
	instanceID string
	accountID  string // the recipient account; empty: the instance's owner
	identity   string // "AWSService" or "Operator"
	source     string
	name       string
	params     any // nil: none
	resp       any
}

// appendUnattended appends u to the audit chain in tx.
func (s *Service) appendUnattended(ctx context.Context, tx store.Tx, u unattended, now time.Time) error {
	if u.accountID == "" {
		if in, err := tx.GetInstance(ctx, u.instanceID); err == nil {
			u.accountID = in.OwnerAccountID
		}
	}
	ev := audit.Event{
		EventVersion: audit.EventVersion, EventTime: audit.FormatTime(now), EventSource: u.source, EventName: u.name,
		AWSRegion: s.region, EventID: s.ids.UUID(), EventType: audit.TypeServiceEvt, ManagementEvent: true, EventCategory: "Management",
		RecipientAccountID: u.accountID, UserIdentity: audit.UserIdentity{Type: u.identity},
		RequestParameters: audit.Redact(u.params), ResponseElements: audit.Redact(u.resp),
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = tx.AppendAudit(ctx, s.keys.AuditKey(), u.instanceID, now, u.name, data)
	return err
}

func identity(c *reqctx.Caller) audit.UserIdentity {
	if c == nil {
		return audit.UserIdentity{Type: "Unknown"}
	}
	return audit.UserIdentity{Type: c.Type, PrincipalID: c.PrincipalID, ARN: c.ARN, AccountID: c.AccountID,
		AccessKeyID: c.AccessKeyID, UserName: c.UserName, SessionID: c.SessionID}
}

// errorCode names a failure for the audit record, as AWS names it where it can.
func errorCode(err error) string {
	e := errs.As(err)
	if e.Code != "" {
		return e.Code
	}
	switch e.Kind {
	case errs.Invalid:
		return "ValidationException"
	case errs.NotFound:
		return "ResourceNotFoundException"
	case errs.Conflict:
		return "ConflictException"
	case errs.Denied:
		return "AccessDeniedException"
	case errs.Unauthenticated:
		return "UnrecognizedClientException"
	case errs.Throttled:
		return "ThrottlingException"
	case errs.QuotaExceeded:
		return "ServiceQuotaExceededException"
	}
	return "InternalServerException"
}

// mapStoreErr turns storage sentinels that escaped a method into domain
// errors; methods map the ones they expect themselves.
func mapStoreErr(o op, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrConflict):
		return errs.E(errs.Conflict, o.String(), "The request conflicts with the current state of the resource.").With("Reason", "UNIQUENESS_CONSTRAINT_VIOLATION")
	case errors.Is(err, store.ErrNotFound):
		return errs.E(errs.NotFound, o.String(), "The resource was not found.")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &errs.Error{Kind: errs.Unavailable, Op: o.String(), Msg: "The request was cancelled.", Err: err}
	}
	return errs.Wrap(o.String(), err)
}

// RecordRejected audits a request that an adapter refused before it reached
// an operation (bad signature, malformed body, unknown operation).
func (s *Service) RecordRejected(ctx context.Context, source, name string, readOnly bool, failure error) {
	if errs.KindOf(failure) == errs.Unauthenticated {
		s.noteAuthFailure(ctx)
	}
	c := &call{op: op{source: source, name: name, readOnly: readOnly}, caller: reqctx.CallerFrom(ctx)}
	if c.caller != nil {
		c.instanceID, c.accountID = c.caller.InstanceID, c.caller.AccountID
	}
	_ = s.finish(ctx, c, failure)
}

// principalOf returns the principal whose policies decide the caller's
// requests: a stored principal for an access key, or the built-in SCIM
// provisioning principal of the token's instance.
func (s *Service) principalOf(ctx context.Context, c *reqctx.Caller) (*credentials.Principal, error) {
	if c.Credential == reqctx.CredentialSCIMToken {
		return &credentials.Principal{ID: c.PrincipalID, InstanceID: c.InstanceID, AccountID: c.AccountID, Name: c.UserName,
			ARN: c.ARN, Policies: []string{scimPolicy}}, nil
	}
	if p := s.cachedPrincipal(c.AccessKeyID, c.PrincipalID); p != nil {
		return p, nil
	}
	return s.principal(ctx, c.PrincipalID)
}

func (s *Service) principal(ctx context.Context, id string) (*credentials.Principal, error) {
	var p *credentials.Principal
	err := s.store.Read(ctx, func(tx store.Tx) (err error) {
		p, err = tx.GetPrincipal(ctx, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, errs.E(errs.Unauthenticated, "service.principal", "The security token included in the request is invalid.")
	}
	if err != nil {
		return nil, errs.Wrap("service.principal", fmt.Errorf("loading principal: %w", err))
	}
	return p, nil
}
