package store

// schemaVersion is the layout this code reads and writes. A file of a newer
// version is refused; older versions would be migrated here when there are
// any.
const schemaVersion = 1

// schema creates a fresh store. Hashes and ids are 32-byte blobs; heights
// and times integers.
//
// blocks holds every header the node accepted, on any branch; connected
// marks the best chain, so at most one connected block per height (the
// partial unique index) and the tip is the highest connected block. Bodies
// live in their own table so a scan of the headers (ForEachHeader, at every
// start) reads small rows only.
//
// posts holds each pending or confirmed post once, in the binary encoding
// of block bodies; block is NULL while it is pending. Posts seen only in a
// side branch are not here: they are in that block's body.
const schema = `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE blocks (
	id        INTEGER PRIMARY KEY,
	hash      BLOB NOT NULL UNIQUE,
	prev      BLOB NOT NULL,
	height    INTEGER NOT NULL,
	header    BLOB NOT NULL,
	has_body  INTEGER NOT NULL DEFAULT 0,
	connected INTEGER NOT NULL DEFAULT 0,
	miner     BLOB,
	reward    INTEGER
);
CREATE INDEX blocks_height ON blocks(height);
CREATE UNIQUE INDEX blocks_main ON blocks(height) WHERE connected = 1;
CREATE INDEX blocks_miner ON blocks(miner) WHERE connected = 1;

CREATE TABLE bodies (
	block INTEGER PRIMARY KEY REFERENCES blocks(id),
	data  BLOB NOT NULL
);

CREATE TABLE posts (
	rid        INTEGER PRIMARY KEY,
	id         BLOB NOT NULL UNIQUE,
	pubkey     BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	kind       INTEGER NOT NULL,
	event      BLOB NOT NULL,
	received   INTEGER,
	block      INTEGER REFERENCES blocks(id),
	idx        INTEGER
);
CREATE INDEX posts_time ON posts(created_at DESC, id);
CREATE INDEX posts_author ON posts(pubkey, created_at DESC);
CREATE INDEX posts_kind ON posts(kind, created_at DESC);
CREATE INDEX posts_block ON posts(block) WHERE block IS NOT NULL;
CREATE INDEX posts_pending ON posts(received) WHERE block IS NULL;

CREATE TABLE tags (
	name  TEXT NOT NULL,
	value TEXT NOT NULL,
	post  INTEGER NOT NULL REFERENCES posts(rid) ON DELETE CASCADE,
	PRIMARY KEY (name, value, post)
) WITHOUT ROWID;
CREATE INDEX tags_post ON tags(post);
`
