-- The existing Kaicode frontend's tables, as PROTOCOLS.md describes them.
CREATE TABLE users (
	id       SERIAL PRIMARY KEY,
	name     TEXT,
	username TEXT UNIQUE,
	email    TEXT UNIQUE NOT NULL,
	password TEXT
);
CREATE TABLE sessions (
	id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
	name               TEXT,
	content            BYTEA,
	whiteboard_content BYTEA,
	is_anyone_allowed  BOOLEAN DEFAULT FALSE
);
CREATE TABLE session_to_user_mapping (
	session_id UUID REFERENCES sessions (id) ON DELETE CASCADE,
	user_email TEXT REFERENCES users (email),
	is_admin   BOOLEAN DEFAULT FALSE,
	PRIMARY KEY (session_id, user_email)
);
