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

        // 6: the community. Papers featured on the Daily (the day, the instant, the member) and their local counts
        // (kept by the vote and comment statements in the same transaction: never read-modify-write); sign-in links
        // (hashes only), the mail outbox, votes, comments, reports and the moderators' audit log. Papers imported
        // with a submitter (Hugging Face's daily_papers) were featured on their listing day.
        """
        ALTER TABLE papers ADD COLUMN daily_day TEXT;
        ALTER TABLE papers ADD COLUMN submitted_on_daily_at TEXT;
        ALTER TABLE papers ADD COLUMN submitted_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
        ALTER TABLE papers ADD COLUMN local_upvotes INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE papers ADD COLUMN local_comments INTEGER NOT NULL DEFAULT 0;
        UPDATE papers SET daily_day = (SELECT MIN(day) FROM listings l WHERE l.paper_id = papers.id) WHERE submitted_by IS NOT NULL;
        CREATE INDEX papers_by_daily_day ON papers(daily_day) WHERE daily_day IS NOT NULL;
        CREATE INDEX papers_by_submitter ON papers(submitted_by_user_id) WHERE submitted_by_user_id IS NOT NULL;
        ALTER TABLE users ADD COLUMN banned_at TEXT;
        ALTER TABLE users ADD COLUMN ban_reason TEXT;
        ALTER TABLE users ADD COLUMN votes_public INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE sign_in_links (
            hash       TEXT PRIMARY KEY,
            email      TEXT NOT NULL,
            purpose    TEXT NOT NULL,               -- sign-in | email-change
            user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
            return_url TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at    TEXT
        );
        CREATE INDEX sign_in_links_by_expiry ON sign_in_links(expires_at);
        CREATE TABLE outbox (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            kind            TEXT NOT NULL,
            dedupe_key      TEXT UNIQUE,
            recipient       TEXT NOT NULL,
            subject         TEXT NOT NULL,
            text_body       TEXT NOT NULL,
            html_body       TEXT,
            created_at      TEXT NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            claimed_by      TEXT,
            claimed_until   TEXT,
            sent_at         TEXT,
            failed_at       TEXT,
            last_error      TEXT
        );
        CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
        CREATE TABLE votes (
            paper_id   TEXT NOT NULL REFERENCES papers(id),
            user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            PRIMARY KEY (paper_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX votes_by_user ON votes(user_id, created_at);
        CREATE TABLE comments (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            paper_id   TEXT NOT NULL REFERENCES papers(id),
            user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
            parent_id  INTEGER REFERENCES comments(id),
            body       TEXT NOT NULL,
            created_at TEXT NOT NULL,
            edited_at  TEXT,
            deleted_at TEXT,
            hidden_at  TEXT
        );
        CREATE INDEX comments_by_paper ON comments(paper_id, id);
        CREATE INDEX comments_by_user ON comments(user_id, id);
        CREATE TABLE comment_reports (
            comment_id  INTEGER NOT NULL REFERENCES comments(id),
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            reason      TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            resolved_at TEXT,
            PRIMARY KEY (comment_id, user_id)
        );
        CREATE TABLE audit_log (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            at       TEXT NOT NULL,
            actor_id INTEGER,
            action   TEXT NOT NULL,
            target   TEXT NOT NULL,
            detail   TEXT
        );
        """,

        // 7: subscriptions to digests (double opt-in: choices wait in pending_choices until the emailed link confirms
        // them), the leases singleton jobs take, and extra headers on outbox messages (List-Unsubscribe, List-Id).
        """
        CREATE TABLE subscriptions (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            email           TEXT NOT NULL,
            user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
            choices         TEXT NOT NULL,      -- JSON: frequency, hour, time zone, trending, categories, searches, authors, papers
            pending_choices TEXT,               -- JSON waiting for the confirmation link
            confirm_hash    TEXT,               -- SHA-256 of the confirmation link's secret; cleared when used
            created_at      TEXT NOT NULL,
            confirmed_at    TEXT,
            unsubscribed_at TEXT,
            suspended_at    TEXT,
            bounces         INTEGER NOT NULL DEFAULT 0,
            digest_since    TEXT,               -- the next digest covers what came after this
            last_period     TEXT                -- the last period a digest was made for: d:2026-12-04, w:2026-W49
        );
        CREATE UNIQUE INDEX subscriptions_by_email ON subscriptions(lower(email));
        CREATE TABLE job_leases (
            name       TEXT PRIMARY KEY,
            owner      TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        ALTER TABLE outbox ADD COLUMN headers TEXT;
        """,

        // 8: an outbox message's content in a table of its own. Claims and marks change a few small columns; with the
        // bodies (tens of KB for a digest) in the same row, SQLite rewrote them on every claim and mark.
        """
        CREATE TABLE outbox_content (
            outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
            text_body TEXT NOT NULL,
            html_body TEXT,
            headers   TEXT
        );
        INSERT INTO outbox_content(outbox_id, text_body, html_body, headers) SELECT id, text_body, html_body, headers FROM outbox;
        ALTER TABLE outbox DROP COLUMN text_body;
        ALTER TABLE outbox DROP COLUMN html_body;
        ALTER TABLE outbox DROP COLUMN headers;
        """,

        // 9: what each subscriber's last digest saw of their followed papers' code links (JSON id -> URL, "" for none),
        // so the next digest can say "code repository added".
        """
        ALTER TABLE subscriptions ADD COLUMN followed_code TEXT;
        """,

        // 10: members' libraries: saved papers with tags (a member's own, unique ignoring case by their lower-case
        // key), "not interested" marks, collections (ordered, a note per paper), and when each member's recommender
        // signals last changed (the nightly retrain asks whose changed). Deleting a member deletes it all.
        """
        CREATE TABLE library_saves (
            user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            paper_id TEXT NOT NULL REFERENCES papers(id),
            saved_at TEXT NOT NULL,
            PRIMARY KEY (user_id, paper_id)
        ) WITHOUT ROWID;
        CREATE INDEX library_saves_by_time ON library_saves(user_id, saved_at);
        CREATE TABLE library_tags (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            tag_key    TEXT NOT NULL,      -- the name in lower case
            name       TEXT NOT NULL,      -- as first written
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX library_tags_by_key ON library_tags(user_id, tag_key);
        CREATE TABLE library_paper_tags (
            user_id   INTEGER NOT NULL,
            paper_id  TEXT NOT NULL,
            tag_id    INTEGER NOT NULL REFERENCES library_tags(id) ON DELETE CASCADE,
            tagged_at TEXT NOT NULL,
            PRIMARY KEY (user_id, paper_id, tag_id),
            FOREIGN KEY (user_id, paper_id) REFERENCES library_saves(user_id, paper_id) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE INDEX library_paper_tags_by_tag ON library_paper_tags(tag_id);
        CREATE TABLE library_dismissals (
            user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            paper_id  TEXT NOT NULL REFERENCES papers(id),
            marked_at TEXT NOT NULL,
            PRIMARY KEY (user_id, paper_id)
        ) WITHOUT ROWID;
        CREATE TABLE collections (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            slug        TEXT NOT NULL,
            name        TEXT NOT NULL,
            description TEXT,
            is_public   INTEGER NOT NULL DEFAULT 0,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        CREATE UNIQUE INDEX collections_by_slug ON collections(user_id, slug);
        CREATE TABLE collection_items (
            collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            paper_id      TEXT NOT NULL REFERENCES papers(id),
            position      INTEGER NOT NULL,    -- 0, 1, 2, ... in the owner's order
            note          TEXT,
            added_at      TEXT NOT NULL,
            PRIMARY KEY (collection_id, paper_id)
        ) WITHOUT ROWID;
        CREATE INDEX collection_items_by_position ON collection_items(collection_id, position);
        CREATE INDEX collection_items_by_paper ON collection_items(paper_id);
        CREATE TABLE signal_changes (
            user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX signal_changes_by_time ON signal_changes(changed_at);
        """,

        // 11: the key each member's private feed tokens carry (For you, one per tag); a reset replaces it.
        """
        CREATE TABLE feed_keys (
            user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            feed_key   TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,

        // 12: the categories a member picked to start "For you" with (its list falls back to them until they save).
        """
        CREATE TABLE member_categories (
            user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            category  TEXT NOT NULL,
            chosen_at TEXT NOT NULL,
            PRIMARY KEY (user_id, category)
        ) WITHOUT ROWID;
        """,

        // 13: the nightly pass's For you lists: per member the window it ranked, when, the signals' change instant it
        // saw (a later change makes it stale), and the top papers with score and why (JSON: nearest saved papers, terms).
        """
        CREATE TABLE recommend_lists (
            user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            window_to   TEXT NOT NULL,      -- yyyy-MM-dd
            days        INTEGER NOT NULL,
            computed_at TEXT NOT NULL,
            signals_at  TEXT NOT NULL,
            candidates  INTEGER NOT NULL,
            positives   INTEGER NOT NULL,
            negatives   INTEGER NOT NULL
        );
        CREATE TABLE recommend_items (
            user_id  INTEGER NOT NULL REFERENCES recommend_lists(user_id) ON DELETE CASCADE,
            rank     INTEGER NOT NULL,
            paper_id TEXT NOT NULL,
            score    REAL NOT NULL,
            reason   TEXT NOT NULL,
            PRIMARY KEY (user_id, rank)
        ) WITHOUT ROWID;
        """,

        // 14: a message's finished MIME bytes, when its producer made them as it queued it (a digest: the sender then
        // sends them as they are), and the pending messages by id, so a claim walks those instead of every sent one.
        """
        ALTER TABLE outbox_content ADD COLUMN mime BLOB;
        CREATE INDEX outbox_pending ON outbox(id) WHERE sent_at IS NULL AND failed_at IS NULL;
        """,
    ];
}
