package mempool

// treap keeps entries in rank order (entry.before) with expected O(log n)
// insert and remove, and walks them from either end: the best for Select, the
// weakest for eviction. Heap priorities are random, drawn by the pool, so no
// choice of ids can unbalance the tree. The links live in the entries
// themselves, which saves an allocation per post.
type treap struct {
	root *entry
}

func (t *treap) insert(e *entry) {
	e.left, e.right = nil, nil
	t.root = insertNode(t.root, e)
}

func insertNode(n, e *entry) *entry {
	if n == nil {
		return e
	}
	if e.before(n) {
		n.left = insertNode(n.left, e)
		if n.left.prio > n.prio {
			l := n.left
			n.left, l.right = l.right, n
			return l
		}
	} else {
		n.right = insertNode(n.right, e)
		if n.right.prio > n.prio {
			r := n.right
			n.right, r.left = r.left, n
			return r
		}
	}
	return n
}

// remove unlinks e, which must be in the tree.
func (t *treap) remove(e *entry) {
	t.root = removeNode(t.root, e)
	e.left, e.right = nil, nil
}

func removeNode(n, e *entry) *entry {
	switch {
	case n == nil:
		return nil
	case n == e:
		return merge(n.left, n.right)
	case e.before(n):
		n.left = removeNode(n.left, e)
	default:
		n.right = removeNode(n.right, e)
	}
	return n
}

// merge joins two treaps where every entry of a ranks before every entry of b.
func merge(a, b *entry) *entry {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		return a
	default:
		b.left = merge(a, b.left)
		return b
	}
}

// ascend calls fn on entries best first until fn returns false.
func (t *treap) ascend(fn func(*entry) bool) {
	var stack []*entry
	n := t.root
	for n != nil || len(stack) > 0 {
		for n != nil {
			stack = append(stack, n)
			n = n.left
		}
		n = stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !fn(n) {
			return
		}
		n = n.right
	}
}

// descend calls fn on entries weakest first until fn returns false.
func (t *treap) descend(fn func(*entry) bool) {
	var stack []*entry
	n := t.root
	for n != nil || len(stack) > 0 {
		for n != nil {
			stack = append(stack, n)
			n = n.right
		}
		n = stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !fn(n) {
			return
		}
		n = n.left
	}
}
