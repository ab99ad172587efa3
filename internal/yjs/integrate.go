package yjs

import (
	"slices"
	"sync"
)

// node is an item or GC struct integrated into a document. Splitting an
// item, as Yjs does when something refers to its middle, makes a second
// node that shares the source struct.
type node struct {
	client, clock, length uint64
	ref                   byte   // content reference of the item
	ascii                 bool   // string content is all ASCII
	body                  []byte // encoded content of the whole item the node is part of
	off                   uint64 // offset of the node's first unit in the item
	gc, deleted           bool
	origin, rightOrigin   ID
	hasOrigin             bool
	hasRightOrigin        bool
	left, right           *node
	parent                *ytype
	parentSub             []byte
	hasSub                bool   // parentSub is set: the item is a map entry
	typ                   *ytype // the type this item creates, if any
	// Marks for the sets of Yjs's conflict resolution, valid when equal to
	// the document's current epochs.
	before, conflict uint64
}

func (n *node) end() uint64 { return n.clock + n.length }

// ytype is a shared type: a sequence of items and, for map entries, the
// current item of each key.
type ytype struct {
	start *node
	keys  map[string]*node
}

// doc is a document built by integrating an update the way Y.applyUpdate
// does on a fresh Y.Doc. It keeps what text extraction needs: the order of
// the items of every type and which of them are deleted. Map overwrites and
// deletion of nested types, which cannot change a root text, are not
// modelled.
type doc struct {
	clients map[uint64]*clientNodes
	roots   map[string]*ytype
	slab    []node
	epoch   uint64
	// The client looked up last, as lookups come in runs of one client.
	lastClient uint64
	last       *clientNodes
	spare      []*clientNodes // emptied, for reuse by the next document
}

// maxSpareClients bounds the per-client memory a pooled document keeps.
const maxSpareClients = 64

// newClient returns empty storage for the nodes of client.
func (d *doc) newClient(client uint64) *clientNodes {
	var c *clientNodes
	if n := len(d.spare); n > 0 {
		c, d.spare = d.spare[n-1], d.spare[:n-1]
	} else {
		c = &clientNodes{}
	}
	d.clients[client] = c
	return c
}

// docPool recycles documents: their node slabs are large, and allocating
// them afresh for every call costs more than the integration itself.
var docPool = sync.Pool{New: func() any {
	return &doc{clients: make(map[uint64]*clientNodes), roots: make(map[string]*ytype)}
}}

// newDoc returns an empty document with room for about structs nodes.
// Release it with free.
func newDoc(structs int) *doc {
	d := docPool.Get().(*doc)
	if want := structs + structs/4 + 8; cap(d.slab) < want {
		d.slab = make([]node, 0, want)
	}
	return d
}

// free empties d, keeping its memory but no references into any update,
// and returns it to the pool.
func (d *doc) free() {
	clear(d.slab)
	d.slab = d.slab[:0]
	for _, c := range d.clients {
		if len(d.spare) < maxSpareClients {
			clear(c.nodes)
			c.nodes, c.clocks = c.nodes[:0], c.clocks[:0]
			d.spare = append(d.spare, c)
		}
	}
	clear(d.clients)
	clear(d.roots)
	d.epoch, d.lastClient, d.last = 0, 0, nil
	docPool.Put(d)
}

func (d *doc) newNode() *node {
	if len(d.slab) == cap(d.slab) {
		d.slab = make([]node, 0, max(64, cap(d.slab)))
	}
	d.slab = d.slab[:len(d.slab)+1]
	return &d.slab[len(d.slab)-1]
}

// clientNodes is the integrated structs of one client in clock order.
type clientNodes struct {
	nodes  []*node
	clocks []uint64 // clocks[i] is nodes[i].clock, searched without touching nodes
}

// nodesOf returns the nodes of client, or nil if it has none.
func (d *doc) nodesOf(client uint64) *clientNodes {
	if d.last != nil && d.lastClient == client {
		return d.last
	}
	c := d.clients[client]
	if c != nil {
		d.lastClient, d.last = client, c
	}
	return c
}

// reserve makes room for n more nodes of client, and some splits.
func (d *doc) reserve(client uint64, n int) {
	c := d.clients[client]
	if c == nil {
		c = d.newClient(client)
	}
	n += n / 8
	c.nodes = slices.Grow(c.nodes, n)
	c.clocks = slices.Grow(c.clocks, n)
}

// add stores n, which must start at its client's state.
func (d *doc) add(n *node) {
	c := d.nodesOf(n.client)
	if c == nil {
		c = d.newClient(n.client)
	}
	c.nodes = append(c.nodes, n)
	c.clocks = append(c.clocks, n.clock)
}

// state returns the clock after the last integrated struct of client.
func (d *doc) state(client uint64) uint64 {
	c := d.nodesOf(client)
	if c == nil || len(c.nodes) == 0 {
		return 0
	}
	return c.nodes[len(c.nodes)-1].end()
}

// find returns the index of the node holding id in its client's nodes.
func (d *doc) find(id ID) (int, bool) {
	c := d.nodesOf(id.Client)
	if c == nil || len(c.nodes) == 0 {
		return 0, false
	}
	n := len(c.nodes)
	if id.Clock >= c.nodes[n-1].end() {
		return n, false
	}
	// Most references are to the newest struct of a client.
	if c.clocks[n-1] <= id.Clock {
		return n - 1, true
	}
	// The last node whose clock is at most id.Clock; nodes are contiguous.
	lo, hi := 0, n-1
	for lo < hi {
		mid := int(uint(lo+hi+1) >> 1)
		if c.clocks[mid] <= id.Clock {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, c.clocks[lo] <= id.Clock
}

func (d *doc) getItem(id ID) (*node, error) {
	i, ok := d.find(id)
	if !ok {
		return nil, invalid("reference to unknown struct %d:%d", id.Client, id.Clock)
	}
	return d.nodesOf(id.Client).nodes[i], nil
}

// split cuts n, at index i of its client's nodes, after diff units and
// returns the right part, as Yjs's splitItem does.
func (d *doc) split(n *node, i int, diff uint64) *node {
	r := d.newNode()
	*r = node{
		client: n.client, clock: n.clock + diff, length: n.length - diff,
		ref: n.ref, ascii: n.ascii, body: n.body, off: n.off + diff, deleted: n.deleted,
		origin: ID{Client: n.client, Clock: n.clock + diff - 1}, hasOrigin: true,
		rightOrigin: n.rightOrigin, hasRightOrigin: n.hasRightOrigin,
		left: n, right: n.right, parent: n.parent, parentSub: n.parentSub, hasSub: n.hasSub,
	}
	n.right = r
	if r.right != nil {
		r.right.left = r
	} else if r.hasSub {
		r.parent.keys[string(r.parentSub)] = r
	}
	n.length = diff
	c := d.nodesOf(n.client)
	c.nodes = slices.Insert(c.nodes, i+1, r)
	c.clocks = slices.Insert(c.clocks, i+1, r.clock)
	return r
}

// cleanEnd returns the node ending with id, splitting one if needed.
func (d *doc) cleanEnd(id ID) (*node, error) {
	i, ok := d.find(id)
	if !ok {
		return nil, invalid("origin %d:%d is unknown", id.Client, id.Clock)
	}
	n := d.nodesOf(id.Client).nodes[i]
	if id.Clock != n.end()-1 && !n.gc {
		d.split(n, i, id.Clock-n.clock+1)
	}
	return n, nil
}

// cleanStart returns the node starting with id, splitting one if needed.
func (d *doc) cleanStart(id ID) (*node, error) {
	i, ok := d.find(id)
	if !ok {
		return nil, invalid("right origin %d:%d is unknown", id.Client, id.Clock)
	}
	n := d.nodesOf(id.Client).nodes[i]
	if n.clock < id.Clock && !n.gc {
		return d.split(n, i, id.Clock-n.clock), nil
	}
	return n, nil
}

// missing returns a client whose struct s needs and the document lacks.
func (d *doc) missing(s *structRec) (uint64, bool) {
	if s.hasOrigin && s.origin.Client != s.client && s.origin.Clock >= d.state(s.origin.Client) {
		return s.origin.Client, true
	}
	if s.hasRightOrigin && s.rightOrigin.Client != s.client && s.rightOrigin.Clock >= d.state(s.rightOrigin.Client) {
		return s.rightOrigin.Client, true
	}
	if s.parentKind == parentItem && s.parentID.Client != s.client && s.parentID.Clock >= d.state(s.parentID.Client) {
		return s.parentID.Client, true
	}
	return 0, false
}

func (d *doc) root(name []byte) *ytype {
	t, ok := d.roots[string(name)]
	if !ok {
		t = &ytype{}
		d.roots[string(name)] = t
	}
	return t
}

// addGC stores a GC struct.
func (d *doc) addGC(client, clock, length uint64) {
	n := d.newNode()
	*n = node{client: client, clock: clock, length: length, gc: true, deleted: true}
	d.add(n)
}

// integrate integrates a struct whose dependencies are all present, as
// Yjs's Item.integrate does with offset 0.
func (d *doc) integrate(s *structRec) error {
	if s.kind == kindGC {
		d.addGC(s.client, s.clock, s.length)
		return nil
	}
	var left, right *node
	var err error
	if s.hasOrigin {
		if left, err = d.cleanEnd(s.origin); err != nil {
			return err
		}
	}
	if s.hasRightOrigin {
		// Usually the right origin is still the left one's neighbour.
		if left != nil && left.right != nil && left.right.client == s.rightOrigin.Client && left.right.clock == s.rightOrigin.Clock {
			right = left.right
		} else if right, err = d.cleanStart(s.rightOrigin); err != nil {
			return err
		}
	}
	var parent *ytype
	var parentSub []byte
	var hasSub bool
	switch {
	case (left != nil && left.gc) || (right != nil && right.gc):
	case s.parentKind == parentNone && left != nil:
		parent, parentSub, hasSub = left.parent, left.parentSub, left.hasSub
	case s.parentKind == parentNone:
		parent, parentSub, hasSub = right.parent, right.parentSub, right.hasSub
	case s.parentKind == parentRoot:
		parent, parentSub, hasSub = d.root(s.parentName), s.parentSub, s.hasParentSub
	default:
		p, err := d.getItem(s.parentID)
		if err != nil {
			return err
		}
		// A parent that is not a type leaves Yjs with an undefined parent,
		// and so with a GC struct, as for a garbage-collected parent.
		parent, parentSub, hasSub = p.typ, s.parentSub, s.hasParentSub
	}
	if parent == nil {
		d.addGC(s.client, s.clock, s.length)
		return nil
	}
	n := d.newNode()
	*n = node{
		client: s.client, clock: s.clock, length: s.length,
		ref: s.ref, ascii: s.ascii, body: s.body,
		deleted: s.ref == refDeleted, hasOrigin: left != nil, hasRightOrigin: right != nil,
		parent: parent, parentSub: parentSub, hasSub: hasSub,
	}
	if left != nil {
		n.origin = ID{Client: left.client, Clock: left.end() - 1}
	}
	if right != nil {
		n.rightOrigin = ID{Client: right.client, Clock: right.clock}
	}
	if s.ref == refType {
		n.typ = &ytype{}
	}
	if hasSub && parent.keys == nil {
		parent.keys = make(map[string]*node)
	}
	if err := d.place(n, left, right); err != nil {
		return err
	}
	d.add(n)
	return nil
}

// place finds n's position between left and right with Yjs's conflict
// resolution and links it in.
func (d *doc) place(n, left, right *node) error {
	if (left == nil && (right == nil || right.left != nil)) || (left != nil && left.right != right) {
		var o *node
		switch {
		case left != nil:
			o = left.right
		case n.hasSub:
			o = n.parent.keys[string(n.parentSub)]
			for o != nil && o.left != nil {
				o = o.left
			}
		default:
			o = n.parent.start
		}
		d.epoch++
		before := d.epoch
		d.epoch++
		conflict := d.epoch
		for o != nil && o != right {
			o.before, o.conflict = before, conflict
			if sameOrigin(n.hasOrigin, n.origin, o.hasOrigin, o.origin) {
				if o.client < n.client {
					left = o
					d.epoch++
					conflict = d.epoch
				} else if sameOrigin(n.hasRightOrigin, n.rightOrigin, o.hasRightOrigin, o.rightOrigin) {
					break
				}
			} else if o.hasOrigin {
				oo, err := d.getItem(o.origin)
				if err != nil {
					return err
				}
				if oo.before != before {
					break
				}
				if oo.conflict != conflict {
					left = o
					d.epoch++
					conflict = d.epoch
				}
			} else {
				break
			}
			o = o.right
		}
	}
	n.left = left
	if left != nil {
		n.right = left.right
		left.right = n
	} else if n.hasSub {
		r := n.parent.keys[string(n.parentSub)]
		for r != nil && r.left != nil {
			r = r.left
		}
		n.right = r
	} else {
		n.right = n.parent.start
		n.parent.start = n
	}
	if n.right != nil {
		n.right.left = n
	} else if n.hasSub {
		n.parent.keys[string(n.parentSub)] = n
	}
	return nil
}

func sameOrigin(hasA bool, a ID, hasB bool, b ID) bool {
	return hasA == hasB && (!hasA || a == b)
}

// applyDeleteSet marks the integrated parts of ds deleted, splitting items
// at the range boundaries as Yjs does.
func (d *doc) applyDeleteSet(ds []deleteRange) {
	for _, r := range ds {
		state := d.state(r.client)
		if r.clock >= state {
			continue
		}
		end := min(r.clock+r.length, state)
		i, _ := d.find(ID{Client: r.client, Clock: r.clock})
		c := d.nodesOf(r.client)
		if n := c.nodes[i]; !n.deleted && n.clock < r.clock {
			d.split(n, i, r.clock-n.clock)
			i++
		}
		for ; i < len(c.nodes); i++ {
			n := c.nodes[i]
			if n.clock >= end {
				break
			}
			if !n.deleted {
				if end < n.end() {
					d.split(n, i, end-n.clock)
				}
				n.deleted = true
			}
		}
	}
}
