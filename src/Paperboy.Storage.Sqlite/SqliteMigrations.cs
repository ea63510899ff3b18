namespace Paperboy.Storage.Sqlite;

/// <summary>The schema as one ordered list: the schema version is how many of these have run. Append, never edit.</summary>
internal static class SqliteMigrations
{
    public static readonly string[] All =
    [
        // 1: papers, their listing days, categories, older texts and the source records already applied.
        """
        CREATE TABLE papers (
            id                    TEXT PRIMARY KEY,
            version               INTEGER,
            title                 TEXT NOT NULL,
            authors               TEXT NOT NULL,     -- JSON array, in order
            abstract              TEXT NOT NULL,
            categories            TEXT NOT NULL,     -- JSON array, primary first
            comments              TEXT,
            journal_ref           TEXT,
            doi                   TEXT,
            license               TEXT,
            report_no             TEXT,
            arxiv_submitter       TEXT,
            published_on          TEXT,              -- yyyy-MM-dd: first announced
            updated_on            TEXT,
            as_of                 TEXT,              -- date of the newest source record applied
            versions              TEXT NOT NULL,     -- JSON [{V, Created}]
            code_url              TEXT,
            project_url           TEXT,
            upvotes               INTEGER NOT NULL DEFAULT 0,
            num_comments          INTEGER NOT NULL DEFAULT 0,
            submitted_by          TEXT,
            submitted_by_fullname TEXT,
            created_at            TEXT NOT NULL,
            modified_at           TEXT NOT NULL
        );
        CREATE TABLE listings (
            day      TEXT NOT NULL,
            paper_id TEXT NOT NULL REFERENCES papers(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (day, paper_id)
        ) WITHOUT ROWID;
        CREATE INDEX listings_by_paper ON listings(paper_id, day);
        CREATE TABLE paper_categories (
            category TEXT NOT NULL,
            paper_id TEXT NOT NULL REFERENCES papers(id),
            PRIMARY KEY (category, paper_id)
        ) WITHOUT ROWID;
        CREATE INDEX paper_categories_by_paper ON paper_categories(paper_id);
        CREATE TABLE paper_revisions (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            paper_id    TEXT NOT NULL REFERENCES papers(id),
            as_of       TEXT,
            version     INTEGER,
            title       TEXT NOT NULL,
            authors     TEXT NOT NULL,
            abstract    TEXT NOT NULL,
            replaced_at TEXT NOT NULL
        );
        CREATE INDEX paper_revisions_by_paper ON paper_revisions(paper_id, seq);
        CREATE TABLE source_records (
            paper_id TEXT NOT NULL,
            hash     TEXT NOT NULL,
            source   TEXT NOT NULL,
            seen_at  TEXT NOT NULL,
            PRIMARY KEY (paper_id, hash)
        ) WITHOUT ROWID;
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        );
        INSERT INTO meta(key, value) VALUES ('change_stamp', 0);
        """,

        // 2: withdrawn/deleted papers; the cursors and run records of ingestion jobs.
        """
        ALTER TABLE papers ADD COLUMN status TEXT;
        CREATE TABLE ingest_state (
            key        TEXT PRIMARY KEY,
            value      TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,

        // 3: embeddings (derived, but costly: kept so that rebuilds and other nodes reuse them); the change feed
        // that search indexes follow.
        """
        ALTER TABLE papers ADD COLUMN text_hash TEXT;
        CREATE INDEX papers_by_modified ON papers(modified_at, id);
        CREATE TABLE embeddings (
            paper_id   TEXT PRIMARY KEY REFERENCES papers(id),
            model      TEXT NOT NULL,
            text_hash  TEXT,
            vector     BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX embeddings_by_model ON embeddings(model);
        """,

        // 4: ASP.NET Data Protection's keys (sign cookies and antiforgery tokens for every node).
        """
        CREATE TABLE data_protection_keys (
            name       TEXT PRIMARY KEY,
            xml        TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,

        // 5: members and their personal API tokens (hashes only). Email and handle are unique ignoring case.
        """
        CREATE TABLE users (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            email        TEXT NOT NULL,
            handle       TEXT NOT NULL,
            display_name TEXT,
            role         TEXT NOT NULL,
            created_at   TEXT NOT NULL
        );
        CREATE UNIQUE INDEX users_by_email ON users(lower(email));
        CREATE UNIQUE INDEX users_by_handle ON users(lower(handle));
        CREATE TABLE api_tokens (
            hash         TEXT PRIMARY KEY,
            user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at   TEXT NOT NULL
        );
        CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
        """,
    ];
}
