package roomsync

// busLanguage is the bus event type the sync server publishes on a room's
// topic when its language changes, so the room's connections on every node
// receive it. Data is the client's language message, sent on as it is.
// Run status and output reach the room as the job events of package jobs.
const busLanguage = "sync.language"
