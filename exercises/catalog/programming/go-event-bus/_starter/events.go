// Package events is a small publish/subscribe event bus (the observer pattern).
package events

// Event is something that happened.
type Event struct {
	Topic   string
	Payload string
}

// Handler receives events.
type Handler interface {
	Handle(e Event)
}

// HandlerFunc lets a plain function be a Handler.
type HandlerFunc func(e Event)

// Handle calls f(e).
func (f HandlerFunc) Handle(e Event) { f(e) }

// Bus delivers published events to the handlers subscribed to their topic.
type Bus struct{}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{} }

// Subscribe registers h for topic ("*" for every topic) and returns a
// function that removes this subscription; calling it again does nothing.
func (b *Bus) Subscribe(topic string, h Handler) (unsubscribe func()) { return func() {} }

// Publish delivers e to the handlers of its topic, in subscription order,
// then to the "*" handlers, and returns how many handlers it called.
func (b *Bus) Publish(e Event) int { return 0 }
