package yjs

// maxClock bounds clients, clocks and lengths: Yjs keeps them in JavaScript
// numbers, exact only up to 2^53-1.
const maxClock = 1<<53 - 1

// ID names one unit of content: the client that created it and that
// client's clock when it did.
type ID struct {
	Client uint64
	Clock  uint64
}

// structKind distinguishes the three kinds of struct in an update.
type structKind uint8

const (
	kindItem structKind = iota
	kindGC              // content was garbage-collected; only its length is known
	kindSkip            // a gap: the update holds nothing for these clocks
)

// Content references, the low five bits of an item's info byte.
const (
	refGC      = 0
	refDeleted = 1
	refJSON    = 2
	refBinary  = 3
	refString  = 4
	refEmbed   = 5
	refFormat  = 6
	refType    = 7
	refAny     = 8
	refDoc     = 9
	refSkip    = 10
)

// Bits of an item's info byte.
const (
	infoOrigin      = 0x80
	infoRightOrigin = 0x40
	infoParentSub   = 0x20
	infoContent     = 0x1f
)

// Parent kinds of an item, which an update spells out only when the item
// has neither origin nor right origin.
const (
	parentNone = iota // inherited from the origin or right origin
	parentRoot        // a root type, named by parentName
	parentItem        // the type created by item parentID
)

// structRec is one decoded struct. Byte slices alias the update they were
// decoded from; the item content is kept in its encoded form, so copying an
// item into another update never re-encodes its content.
type structRec struct {
	client, clock, length uint64
	kind                  structKind
	ref                   byte // content reference of an item
	hasOrigin             bool
	hasRightOrigin        bool
	hasParentSub          bool
	parentKind            uint8
	ascii                 bool // string content is all ASCII, so UTF-16 and byte offsets agree
	origin, rightOrigin   ID
	parentID              ID
	parentName            []byte
	parentSub             []byte
	body                  []byte // encoded content, without the info byte
}

func (s *structRec) end() uint64 { return s.clock + s.length }

// block is a run of structs of one client with consecutive clocks, as an
// update stores them.
type block struct {
	client  uint64
	structs []structRec
}

// deleteRange is a range of deleted clocks of one client.
type deleteRange struct {
	client, clock, length uint64
}

// update is a decoded update. Its delete set is kept in the order the
// update lists it.
type update struct {
	blocks  []block
	deletes []deleteRange
}
