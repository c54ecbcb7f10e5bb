// Package collections holds a stack and a queue.
package collections

// Stack is a last-in, first-out collection. The zero value is an empty stack.
type Stack[T any] struct {
	// your fields here
}

// Push puts v on top of the stack.
func (s *Stack[T]) Push(v T) {}

// Pop removes and returns the top value; ok is false when the stack is empty.
func (s *Stack[T]) Pop() (v T, ok bool) { return v, false }

// Peek returns the top value without removing it; ok is false when empty.
func (s *Stack[T]) Peek() (v T, ok bool) { return v, false }

// Len is the number of values on the stack.
func (s *Stack[T]) Len() int { return 0 }

// Queue is a first-in, first-out collection. The zero value is an empty queue.
type Queue[T any] struct {
	// your fields here
}

// Enqueue adds v at the back of the queue.
func (q *Queue[T]) Enqueue(v T) {}

// Dequeue removes and returns the front value; ok is false when the queue is empty.
func (q *Queue[T]) Dequeue() (v T, ok bool) { return v, false }

// Len is the number of values in the queue.
func (q *Queue[T]) Len() int { return 0 }
