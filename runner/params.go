package runner

import "fmt"

// Validator is a kind's parameter struct that checks itself once decoded:
// required fields, ranges, fields that exclude each other. Its errors should
// be [ParamError]s (see [ParamErrorf]), so the spec loader points at the
// parameter's line.
type Validator interface {
	Validate() error
}

// DecodeParams fills v, a pointer to a kind's parameter struct, from the
// check's `with:` block: a check without one has no Decode, which is an empty
// block (v keeps its zero values). When v is a [Validator], DecodeParams then
// returns what its Validate says. Kinds decode their parameters this way
// rather than calling p.Decode themselves, so Params without a Decode (a
// test's) are an empty block rather than a panic.
func DecodeParams(p Params, v any) error {
	if p.Decode != nil {
		if err := p.Decode(v); err != nil {
			return err
		}
	}
	if val, ok := v.(Validator); ok {
		return val.Validate()
	}
	return nil
}

// ParamErrorf returns a [ParamError] for field whose message is built like
// fmt.Sprintf.
func ParamErrorf(field, format string, args ...any) error {
	return &ParamError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// ParamsDeclarer is a [Kind] that declares the struct its `with:` block
// decodes into, so a schema generator reads the kind's parameters from the
// type instead of compiling the kind to find out. [ParamsKind] is one.
type ParamsDeclarer interface {
	// Params returns a pointer to a zero value of the parameter struct.
	Params() any
}

// ParamsKind is a [Kind] whose parameters are a T: Compile decodes the
// check's `with:` block into a fresh T with [DecodeParams] (so it is
// validated when *T is a [Validator]) and hands it to the function. It is a
// [ParamsDeclarer] of T.
type ParamsKind[T any] func(p Params, prm *T) (Checker, error)

var _ ParamsDeclarer = ParamsKind[struct{}](nil)

// Compile decodes the parameters and calls f.
func (f ParamsKind[T]) Compile(p Params) (Checker, error) {
	prm := new(T)
	if err := DecodeParams(p, prm); err != nil {
		return nil, err
	}
	return f(p, prm)
}

// Params returns a new *T.
func (ParamsKind[T]) Params() any { return new(T) }

// DecodesItself is a [Kind] that decodes its own `with:` block (a family
// with a decoding of its own, such as the HTTP family's second, strict pass
// over nested fields) and declares that block as a T, so the schema
// generator reads it from the type. The schema generator still compiles it
// to check that it decodes into a *T.
type DecodesItself[T any] func(p Params) (Checker, error)

var _ ParamsDeclarer = DecodesItself[struct{}](nil)

// Compile calls f, which decodes its parameters itself.
func (f DecodesItself[T]) Compile(p Params) (Checker, error) { return f(p) }

// Params returns a new *T.
func (DecodesItself[T]) Params() any { return new(T) }

// ServicesDeclarer is a [Kind] that declares the exercise services its
// checks read through [Params.Service], so that the spec loader knows a
// service is used even when a check's `with:` block fails to decode first,
// and the schema generator reads each service's block from its type.
type ServicesDeclarer interface {
	// Services maps each service's name (postgres, redis) to a pointer to a
	// zero value of the struct its `services.<name>` block decodes into.
	Services() map[string]any
}

// WithServices returns k declaring that its checks read the named services
// (see [ServicesDeclarer]); the parameters k declares, if it does, stay
// declared.
func WithServices(k Kind, services map[string]any) Kind {
	return usingKind{Kind: k, services: services}
}

type usingKind struct {
	Kind
	services map[string]any
}

func (u usingKind) Services() map[string]any { return u.services }

// Params forwards the wrapped kind's declaration; nil when it has none.
func (u usingKind) Params() any {
	if d, ok := u.Kind.(ParamsDeclarer); ok {
		return d.Params()
	}
	return nil
}
