package yjs

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// blockCursor reads the structs of one client block of a validated update
// on demand, so integration needs no record of every struct.
type blockCursor struct {
	d             lib0.Decoder
	client, clock uint64
	left          int // structs not read yet
}

// next reads the next struct into s.
func (c *blockCursor) next(s *structRec) error {
	if err := readStructAt(&c.d, s, c.client, c.clock); err != nil {
		return err
	}
	c.clock += s.length
	c.left--
	return nil
}

// scanUpdate validates update and returns a cursor for each of its client
// blocks, and its delete set.
func scanUpdate(update []byte) ([]blockCursor, []deleteRange, error) {
	d := lib0.NewDecoder(update)
	n, err := d.ReadCount(3)
	if err != nil {
		return nil, nil, wrapInvalid("number of clients", err)
	}
	cursors := make([]blockCursor, 0, n)
	var s structRec
	for i := range n {
		structs, client, clock, err := readBlockHeader(d)
		if err != nil {
			return nil, nil, fmt.Errorf("client block %d: %w", i, err)
		}
		cursors = append(cursors, blockCursor{d: *d, client: client, clock: clock, left: structs})
		for k := range structs {
			if err := readStructAt(d, &s, client, clock); err != nil {
				return nil, nil, fmt.Errorf("struct %d of client %d: %w", k, client, err)
			}
			clock += s.length
		}
	}
	ds, err := readDeleteSet(d)
	if err != nil {
		return nil, nil, err
	}
	if d.Remaining() != 0 {
		return nil, nil, invalid("%d trailing bytes", d.Remaining())
	}
	return cursors, ds, nil
}

// integrateBlocks integrates the structs of an update in the order Yjs's
// integrateStructs does: highest client first, switching to the client of a
// missing dependency when the update has it. Structs whose dependencies are
// missing stay out, with every later struct of their client.
func (d *doc) integrateBlocks(blocks []blockCursor) error {
	refs := make(map[uint64]*blockCursor, len(blocks))
	for i := range blocks {
		refs[blocks[i].client] = &blocks[i] // like Yjs, the last block of a client wins
	}
	ids := make([]uint64, 0, len(refs))
	for c := range refs {
		ids = append(ids, c)
	}
	slices.SortFunc(ids, cmp.Compare[uint64])
	nextTarget := func() *blockCursor {
		for len(ids) > 0 {
			if t := refs[ids[len(ids)-1]]; t.left > 0 {
				return t
			}
			ids = ids[:len(ids)-1]
		}
		return nil
	}
	cur := nextTarget()
	if cur == nil {
		return nil
	}
	var stack []structRec
	stackToRest := func() {
		for _, s := range stack {
			if t, ok := refs[s.client]; ok {
				t.left = 0
				delete(refs, s.client)
			}
			ids = slices.DeleteFunc(ids, func(c uint64) bool { return c == s.client })
		}
		stack = stack[:0]
	}
	var head structRec
	if err := cur.next(&head); err != nil {
		return err
	}
	for {
		if head.kind != kindSkip {
			state := d.state(head.client)
			if state < head.clock {
				stack = append(stack, head)
				stackToRest()
			} else if c, ok := d.missing(&head); ok {
				stack = append(stack, head)
				if t, ok := refs[c]; ok && t.left > 0 {
					if err := t.next(&head); err != nil {
						return err
					}
					continue
				}
				stackToRest()
			} else if state == head.clock {
				if err := d.integrate(&head); err != nil {
					return err
				}
			}
		}
		switch {
		case len(stack) > 0:
			head = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		case cur.left > 0:
			if err := cur.next(&head); err != nil {
				return err
			}
		default:
			if cur = nextTarget(); cur == nil {
				return nil
			}
			if err := cur.next(&head); err != nil {
				return err
			}
		}
	}
}
