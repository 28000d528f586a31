package store

// schemaVersion is the layout this code reads and writes. A file of a newer
// version is refused; an older one is migrated when it is opened.
const schemaVersion = 2

// migrations[v] takes a file from version v to v+1, in the transaction
// that opens it.
var migrations = map[int]string{
	// 1 → 2: fewer indexes to maintain per post (block connects went from
	// about 94 to 69 µs of CPU a post): no index on posts.block
	// (DisconnectBlock updates by id), none on tags.post (RemovePending
	// deletes a post's tags by their key, so tags needs no foreign key to
	// cascade), and kind 1, nearly every post, left out of the kind index.
	1: `
DROP INDEX posts_block;
DROP INDEX posts_kind;
CREATE INDEX posts_kind ON posts(kind, created_at DESC) WHERE kind != 1;
CREATE TABLE tags2 (
	name  TEXT NOT NULL,
	value TEXT NOT NULL,
	post  INTEGER NOT NULL,
	PRIMARY KEY (name, value, post)
) WITHOUT ROWID;
INSERT INTO tags2(name, value, post) SELECT name, value, post FROM tags;
DROP TABLE tags;
ALTER TABLE tags2 RENAME TO tags;
UPDATE meta SET value = '2' WHERE key = 'schema';
`,
}

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
// side branch are not here: they are in that block's body. Kind 1 posts
// (nearly all) are left out of the kind index: a scan by time finds them.
//
// tags holds the first value of each single-letter tag; the code keeps it in
// step with posts (no foreign key: cascading would need another index).
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
CREATE INDEX posts_kind ON posts(kind, created_at DESC) WHERE kind != 1;
CREATE INDEX posts_pending ON posts(received) WHERE block IS NULL;

CREATE TABLE tags (
	name  TEXT NOT NULL,
	value TEXT NOT NULL,
	post  INTEGER NOT NULL,
	PRIMARY KEY (name, value, post)
) WITHOUT ROWID;
`
