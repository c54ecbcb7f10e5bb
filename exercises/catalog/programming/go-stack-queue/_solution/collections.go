// Package collections holds a stack and a queue.
package collections

// Stack is a last-in, first-out collection. The zero value is an empty stack.
type Stack[T any] struct {
	items []T
}

// Push puts v on top of the stack.
func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }

// Pop removes and returns the top value; ok is false when the stack is empty.
func (s *Stack[T]) Pop() (v T, ok bool) {
	if len(s.items) == 0 {
		return v, false
	}
	v = s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, true
}

// Peek returns the top value without removing it; ok is false when empty.
func (s *Stack[T]) Peek() (v T, ok bool) {
	if len(s.items) == 0 {
		return v, false
	}
	return s.items[len(s.items)-1], true
}

// Len is the number of values on the stack.
func (s *Stack[T]) Len() int { return len(s.items) }

// Queue is a first-in, first-out collection. The zero value is an empty queue.
type Queue[T any] struct {
	items []T
	head  int
}

// Enqueue adds v at the back of the queue.
func (q *Queue[T]) Enqueue(v T) { q.items = append(q.items, v) }

// Dequeue removes and returns the front value; ok is false when the queue is empty.
func (q *Queue[T]) Dequeue() (v T, ok bool) {
	if q.head == len(q.items) {
		return v, false
	}
	v = q.items[q.head]
	var zero T
	q.items[q.head] = zero
	q.head++
	if q.head == len(q.items) { // empty again: reuse the slice from the start
		q.items, q.head = q.items[:0], 0
	}
	return v, true
}

// Len is the number of values in the queue.
func (q *Queue[T]) Len() int { return len(q.items) - q.head }
