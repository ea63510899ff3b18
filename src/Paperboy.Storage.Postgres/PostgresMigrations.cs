namespace Paperboy.Storage.Postgres;

/// <summary>
/// The schema as one ordered list: the schema version is how many of these have run. Append, never edit.
/// Tables are created unqualified, in the connection's current schema (the first of its search_path).
/// Text keys use the "C" collation so they sort byte-wise, as SQLite does, and their indexes serve those sorts.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The advisory lock every migration transaction takes, so that nodes starting together queue.</summary>
    public const long LockKey = 0x7061_7065_7262_6f79; // "paperboy"

    public static readonly string[] All =
    [
        // 1: papers, their listing days, categories, older texts and the source records already applied.
        """
        CREATE TABLE papers (
            id                    text COLLATE "C" PRIMARY KEY,
            version               integer,
            title                 text NOT NULL,
            authors               jsonb NOT NULL,    -- array, in order
            abstract              text NOT NULL,
            categories            jsonb NOT NULL,    -- array, primary first
            comments              text,
            journal_ref           text,
            doi                   text,
            license               text,
            report_no             text,
            arxiv_submitter       text,
            published_on          date,              -- first announced
            updated_on            date,
            as_of                 date,              -- date of the newest source record applied
            versions              jsonb NOT NULL,    -- [{V, Created}]
            code_url              text,
            project_url           text,
            upvotes               integer NOT NULL DEFAULT 0,
            num_comments          integer NOT NULL DEFAULT 0,
            submitted_by          text,
            submitted_by_fullname text,
            created_at            timestamptz NOT NULL,
            modified_at           timestamptz NOT NULL
        );
        CREATE TABLE listings (
            day      date NOT NULL,
            paper_id text COLLATE "C" NOT NULL REFERENCES papers(id),
            position integer NOT NULL,
            PRIMARY KEY (day, paper_id)
        );
        CREATE INDEX listings_by_paper ON listings(paper_id, day);
        CREATE TABLE paper_categories (
            category text COLLATE "C" NOT NULL,
            paper_id text COLLATE "C" NOT NULL REFERENCES papers(id),
            PRIMARY KEY (category, paper_id)
        );
        CREATE INDEX paper_categories_by_paper ON paper_categories(paper_id);
        CREATE TABLE paper_revisions (
            seq         bigserial PRIMARY KEY,
            paper_id    text COLLATE "C" NOT NULL REFERENCES papers(id),
            as_of       date,
            version     integer,
            title       text NOT NULL,
            authors     jsonb NOT NULL,
            abstract    text NOT NULL,
            replaced_at timestamptz NOT NULL
        );
        CREATE INDEX paper_revisions_by_paper ON paper_revisions(paper_id, seq);
        CREATE TABLE source_records (
            paper_id text COLLATE "C" NOT NULL,
            hash     text COLLATE "C" NOT NULL,
            source   text NOT NULL,
            seen_at  timestamptz NOT NULL,
            PRIMARY KEY (paper_id, hash)
        );
        CREATE TABLE meta (
            key   text PRIMARY KEY,
            value bigint NOT NULL
        );
        INSERT INTO meta(key, value) VALUES ('change_stamp', 0);
        """,

        // 2: withdrawn/deleted papers; the cursors and run records of ingestion jobs.
        """
        ALTER TABLE papers ADD COLUMN status text;
        CREATE TABLE ingest_state (
            key        text COLLATE "C" PRIMARY KEY,
            value      text NOT NULL,
            updated_at timestamptz NOT NULL
        );
        """,

        // 3: embeddings (derived, but costly: kept so that rebuilds and other nodes reuse them); the change feed
        // that search indexes follow.
        """
        ALTER TABLE papers ADD COLUMN text_hash text;
        CREATE INDEX papers_by_modified ON papers(modified_at, id);
        CREATE TABLE embeddings (
            paper_id   text COLLATE "C" PRIMARY KEY REFERENCES papers(id),
            model      text NOT NULL,
            text_hash  text,
            vector     bytea NOT NULL,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX embeddings_by_model ON embeddings(model);
        """,

        // 4: ASP.NET Data Protection's keys (sign cookies and antiforgery tokens for every node).
        """
        CREATE TABLE data_protection_keys (
            name       text COLLATE "C" PRIMARY KEY,
            xml        text NOT NULL,
            created_at timestamptz NOT NULL
        );
        """,

        // 5: members and their personal API tokens (hashes only). Email and handle are unique ignoring case.
        """
        CREATE TABLE users (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            email        text NOT NULL,
            handle       text NOT NULL,
            display_name text,
            role         text NOT NULL,
            created_at   timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX users_by_email ON users(lower(email));
        CREATE UNIQUE INDEX users_by_handle ON users(lower(handle));
        CREATE TABLE api_tokens (
            hash         text COLLATE "C" PRIMARY KEY,
            user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at   timestamptz NOT NULL
        );
        CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
        """,

        // 6: the community. Papers featured on the Daily (the day, the instant, the member) and their local counts
        // (kept by the vote and comment statements in the same transaction: never read-modify-write); sign-in links
        // (hashes only), the mail outbox, votes, comments, reports and the moderators' audit log. Papers imported
        // with a submitter (Hugging Face's daily_papers) were featured on their listing day.
        """
        ALTER TABLE papers ADD COLUMN daily_day date;
        ALTER TABLE papers ADD COLUMN submitted_on_daily_at timestamptz;
        ALTER TABLE papers ADD COLUMN submitted_by_user_id bigint REFERENCES users(id) ON DELETE SET NULL;
        ALTER TABLE papers ADD COLUMN local_upvotes integer NOT NULL DEFAULT 0;
        ALTER TABLE papers ADD COLUMN local_comments integer NOT NULL DEFAULT 0;
        UPDATE papers SET daily_day = (SELECT MIN(day) FROM listings l WHERE l.paper_id = papers.id) WHERE submitted_by IS NOT NULL;
        CREATE INDEX papers_by_daily_day ON papers(daily_day) WHERE daily_day IS NOT NULL;
        CREATE INDEX papers_by_submitter ON papers(submitted_by_user_id) WHERE submitted_by_user_id IS NOT NULL;
        ALTER TABLE users ADD COLUMN banned_at timestamptz;
        ALTER TABLE users ADD COLUMN ban_reason text;
        ALTER TABLE users ADD COLUMN votes_public boolean NOT NULL DEFAULT false;
        CREATE TABLE sign_in_links (
            hash       text COLLATE "C" PRIMARY KEY,
            email      text NOT NULL,
            purpose    text NOT NULL,               -- sign-in | email-change
            user_id    bigint REFERENCES users(id) ON DELETE CASCADE,
            return_url text,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at    timestamptz
        );
        CREATE INDEX sign_in_links_by_expiry ON sign_in_links(expires_at);
        CREATE TABLE outbox (
            id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind            text NOT NULL,
            dedupe_key      text UNIQUE,
            recipient       text NOT NULL,
            subject         text NOT NULL,
            text_body       text NOT NULL,
            html_body       text,
            created_at      timestamptz NOT NULL,
            attempts        integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz NOT NULL,
            claimed_by      text,
            claimed_until   timestamptz,
            sent_at         timestamptz,
            failed_at       timestamptz,
            last_error      text
        );
        CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
        CREATE TABLE votes (
            paper_id   text COLLATE "C" NOT NULL REFERENCES papers(id),
            user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (paper_id, user_id)
        );
        CREATE INDEX votes_by_user ON votes(user_id, created_at);
        CREATE TABLE comments (
            id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            paper_id   text COLLATE "C" NOT NULL REFERENCES papers(id),
            user_id    bigint REFERENCES users(id) ON DELETE SET NULL,
            parent_id  bigint REFERENCES comments(id),
            body       text NOT NULL,
            created_at timestamptz NOT NULL,
            edited_at  timestamptz,
            deleted_at timestamptz,
            hidden_at  timestamptz
        );
        CREATE INDEX comments_by_paper ON comments(paper_id, id);
        CREATE INDEX comments_by_user ON comments(user_id, id);
        CREATE TABLE comment_reports (
            comment_id  bigint NOT NULL REFERENCES comments(id),
            user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            reason      text NOT NULL,
            created_at  timestamptz NOT NULL,
            resolved_at timestamptz,
            PRIMARY KEY (comment_id, user_id)
        );
        CREATE TABLE audit_log (
            id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at       timestamptz NOT NULL,
            actor_id bigint,
            action   text NOT NULL,
            target   text NOT NULL,
            detail   text
        );
        """,

        // 7: subscriptions to digests (double opt-in: choices wait in pending_choices until the emailed link confirms
        // them), the leases singleton jobs take, and extra headers on outbox messages (List-Unsubscribe, List-Id).
        """
        CREATE TABLE subscriptions (
            id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            email           text NOT NULL,
            user_id         bigint REFERENCES users(id) ON DELETE SET NULL,
            choices         text NOT NULL,      -- JSON: frequency, hour, time zone, trending, categories, searches, authors, papers
            pending_choices text,               -- JSON waiting for the confirmation link
            confirm_hash    text,               -- SHA-256 of the confirmation link's secret; cleared when used
            created_at      timestamptz NOT NULL,
            confirmed_at    timestamptz,
            unsubscribed_at timestamptz,
            suspended_at    timestamptz,
            bounces         integer NOT NULL DEFAULT 0,
            digest_since    timestamptz,               -- the next digest covers what came after this
            last_period     text                -- the last period a digest was made for: d:2026-12-04, w:2026-W49
        );
        CREATE UNIQUE INDEX subscriptions_by_email ON subscriptions(lower(email));
        CREATE TABLE job_leases (
            name       text COLLATE "C" PRIMARY KEY,
            owner      text NOT NULL,
            expires_at timestamptz NOT NULL
        );
        ALTER TABLE outbox ADD COLUMN headers text;
        """,

        // 8: an outbox message's content in a table of its own. Claims and marks change a few small columns; with the
        // bodies (tens of KB for a digest) in the same row, SQLite rewrote them on every claim and mark.
        """
        CREATE TABLE outbox_content (
            outbox_id bigint PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
            text_body text NOT NULL,
            html_body text,
            headers   text
        );
        INSERT INTO outbox_content(outbox_id, text_body, html_body, headers) SELECT id, text_body, html_body, headers FROM outbox;
        ALTER TABLE outbox DROP COLUMN text_body;
        ALTER TABLE outbox DROP COLUMN html_body;
        ALTER TABLE outbox DROP COLUMN headers;
        """,

        // 9: what each subscriber's last digest saw of their followed papers' code links (JSON id -> URL, "" for none),
        // so the next digest can say "code repository added".
        """
        ALTER TABLE subscriptions ADD COLUMN followed_code text;
        """,

        // 10: members' libraries: saved papers with tags (a member's own, unique ignoring case by their lower-case
        // key), "not interested" marks, collections (ordered, a note per paper), and when each member's recommender
        // signals last changed (the nightly retrain asks whose changed). Deleting a member deletes it all.
        """
        CREATE TABLE library_saves (
            user_id  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            paper_id text COLLATE "C" NOT NULL REFERENCES papers(id),
            saved_at timestamptz NOT NULL,
            PRIMARY KEY (user_id, paper_id)
        );
        CREATE INDEX library_saves_by_time ON library_saves(user_id, saved_at);
        CREATE TABLE library_tags (
            id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            tag_key    text NOT NULL,      -- the name in lower case
            name       text NOT NULL,      -- as first written
            created_at timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX library_tags_by_key ON library_tags(user_id, tag_key);
        CREATE TABLE library_paper_tags (
            user_id   bigint NOT NULL,
            paper_id  text COLLATE "C" NOT NULL,
            tag_id    bigint NOT NULL REFERENCES library_tags(id) ON DELETE CASCADE,
            tagged_at timestamptz NOT NULL,
            PRIMARY KEY (user_id, paper_id, tag_id),
            FOREIGN KEY (user_id, paper_id) REFERENCES library_saves(user_id, paper_id) ON DELETE CASCADE
        );
        CREATE INDEX library_paper_tags_by_tag ON library_paper_tags(tag_id);
        CREATE TABLE library_dismissals (
            user_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            paper_id  text COLLATE "C" NOT NULL REFERENCES papers(id),
            marked_at timestamptz NOT NULL,
            PRIMARY KEY (user_id, paper_id)
        );
        CREATE TABLE collections (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            slug        text COLLATE "C" NOT NULL,
            name        text NOT NULL,
            description text,
            is_public   boolean NOT NULL DEFAULT false,
            created_at  timestamptz NOT NULL,
            updated_at  timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX collections_by_slug ON collections(user_id, slug);
        CREATE TABLE collection_items (
            collection_id bigint NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            paper_id      text COLLATE "C" NOT NULL REFERENCES papers(id),
            position      integer NOT NULL,    -- 0, 1, 2, ... in the owner's order
            note          text,
            added_at      timestamptz NOT NULL,
            PRIMARY KEY (collection_id, paper_id)
        );
        CREATE INDEX collection_items_by_position ON collection_items(collection_id, position);
        CREATE INDEX collection_items_by_paper ON collection_items(paper_id);
        CREATE TABLE signal_changes (
            user_id    bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            changed_at timestamptz NOT NULL
        );
        CREATE INDEX signal_changes_by_time ON signal_changes(changed_at);
        """,

        // 11: the key each member's private feed tokens carry (For you, one per tag); a reset replaces it.
        """
        CREATE TABLE feed_keys (
            user_id    bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            feed_key   text NOT NULL,
            created_at timestamptz NOT NULL
        );
        """,

        // 12: the categories a member picked to start "For you" with (its list falls back to them until they save).
        """
        CREATE TABLE member_categories (
            user_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            category  text COLLATE "C" NOT NULL,
            chosen_at timestamptz NOT NULL,
            PRIMARY KEY (user_id, category)
        );
        """,

        // 13: the nightly pass's For you lists: per member the window it ranked, when, the signals' change instant it
        // saw (a later change makes it stale), and the top papers with score and why (JSON: nearest saved papers, terms).
        """
        CREATE TABLE recommend_lists (
            user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            window_to   text NOT NULL,      -- yyyy-MM-dd
            days        integer NOT NULL,
            computed_at timestamptz NOT NULL,
            signals_at  timestamptz NOT NULL,
            candidates  integer NOT NULL,
            positives   integer NOT NULL,
            negatives   integer NOT NULL
        );
        CREATE TABLE recommend_items (
            user_id  bigint NOT NULL REFERENCES recommend_lists(user_id) ON DELETE CASCADE,
            rank     integer NOT NULL,
            paper_id text COLLATE "C" NOT NULL,
            score    double precision NOT NULL,
            reason   text NOT NULL,
            PRIMARY KEY (user_id, rank)
        );
        """,

        // 14: a message's finished MIME bytes, when its producer made them as it queued it (a digest: the sender then
        // sends them as they are), and the pending messages by id, so a claim walks those instead of every sent one.
        """
        ALTER TABLE outbox_content ADD COLUMN mime bytea;
        CREATE INDEX outbox_pending ON outbox(id) WHERE sent_at IS NULL AND failed_at IS NULL;
        """,
    ];
}
