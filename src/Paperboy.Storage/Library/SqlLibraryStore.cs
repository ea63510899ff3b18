using System.Data.Common;
using System.Globalization;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Storage.Community;

namespace Paperboy.Storage.Library;

/// <summary>
/// Members' libraries on either provider: saves, tags, "not interested" marks, collections, and the signals the
/// recommender reads. Each write is one transaction that also notes the member's signals changed. Collection writes
/// begin by touching the collection's row under its owner: another member's id changes nothing, and on PostgreSQL the
/// row lock puts concurrent edits of one list in a line, so positions stay 0, 1, 2, ….
/// </summary>
public sealed class SqlLibraryStore(SqlContext db) : ILibraryStore
{
    private const string CollectionColumns = """
        c.id, c.user_id, u.handle, c.name, c.slug, c.description, c.is_public, c.created_at, c.updated_at,
        (SELECT COUNT(*) FROM collection_items i WHERE i.collection_id = c.id)
        """;

    public async Task<PaperMarks?> SaveAsync(long userId, string paperId, IReadOnlyList<string> addTags, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await SaveOneAsync(conn, tx, userId, paperId, at, ct))
            return null;
        await AddTagsAsync(conn, tx, userId, [paperId], addTags, at, ct);
        await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        var marks = await MarksAsync(conn, tx, userId, [paperId], ct);
        await tx.CommitAsync(ct);
        return marks.Single();
    }

    public async Task<PaperMarks?> SetTagsAsync(long userId, string paperId, IReadOnlyList<string> tags, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await SaveOneAsync(conn, tx, userId, paperId, at, ct))
            return null;
        var keep = tags.Select(LibraryTags.Key).ToHashSet(StringComparer.Ordinal);
        var current = await db.QueryAsync(conn, tx, """
            SELECT t.id, t.tag_key FROM library_paper_tags pt JOIN library_tags t ON t.id = pt.tag_id WHERE pt.user_id = @user AND pt.paper_id = @paper
            """, r => (Id: SqlContext.Long(r.GetValue(0)), Key: r.GetString(1)), ct, ("@user", userId), ("@paper", paperId));
        foreach (var gone in current.Where(c => !keep.Contains(c.Key)))
            await db.ExecuteAsync(conn, tx, "DELETE FROM library_paper_tags WHERE user_id = @user AND paper_id = @paper AND tag_id = @tag", ct,
                ("@user", userId), ("@paper", paperId), ("@tag", gone.Id));
        await AddTagsAsync(conn, tx, userId, [paperId], tags, at, ct);
        await DropUnusedTagsAsync(conn, tx, userId, ct);
        await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        var marks = await MarksAsync(conn, tx, userId, [paperId], ct);
        await tx.CommitAsync(ct);
        return marks.Single();
    }

    public async Task<bool> RemoveTagAsync(long userId, string paperId, string tag, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var removed = await db.ExecuteAsync(conn, tx, """
            DELETE FROM library_paper_tags
            WHERE user_id = @user AND paper_id = @paper AND tag_id IN (SELECT id FROM library_tags WHERE user_id = @user AND tag_key = @key)
            """, ct, ("@user", userId), ("@paper", paperId), ("@key", LibraryTags.Key(tag)));
        if (removed > 0)
        {
            await DropUnusedTagsAsync(conn, tx, userId, ct);
            await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        }
        await tx.CommitAsync(ct);
        return removed > 0;
    }

    public async Task<bool> UnsaveAsync(long userId, string paperId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var removed = await RemoveSaveAsync(conn, tx, userId, paperId, ct);
        if (removed)
            await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        await tx.CommitAsync(ct);
        return removed;
    }

    public async Task<SaveManyResult> SaveManyAsync(long userId, IReadOnlyList<string> paperIds, IReadOnlyList<string> addTags, DateTimeOffset at, CancellationToken ct = default)
    {
        var added = new List<string>();
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var chunk in paperIds.Distinct(StringComparer.Ordinal).Chunk(200))
        {
            var (names, parameters) = InList(chunk);
            // RETURNING lists only the rows inserted: a paper saved before is not "added" again.
            added.AddRange(await db.QueryAsync(conn, tx, $"""
                INSERT INTO library_saves(user_id, paper_id, saved_at)
                SELECT @user, id, @at FROM papers WHERE id IN ({names})
                ON CONFLICT DO NOTHING
                RETURNING paper_id
                """, r => r.GetString(0), ct, [.. parameters, ("@user", userId), ("@at", at)]));
            await db.ExecuteAsync(conn, tx, $"DELETE FROM library_dismissals WHERE user_id = @user AND paper_id IN ({names})", ct, [.. parameters, ("@user", userId)]);
            await AddTagsAsync(conn, tx, userId, chunk, addTags, at, ct);
        }
        if (paperIds.Count > 0)
            await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        await tx.CommitAsync(ct);
        var fresh = added.ToHashSet(StringComparer.Ordinal);
        var known = await KnownAsync(paperIds, ct);
        return new SaveManyResult(added, paperIds.Distinct(StringComparer.Ordinal).Where(id => known.Contains(id) && !fresh.Contains(id)).ToList());
    }

    private async Task<HashSet<string>> KnownAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        await using var conn = await db.Open(ct);
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(200))
        {
            var (names, parameters) = InList(chunk);
            known.UnionWith(await db.QueryAsync(conn, null, $"SELECT id FROM papers WHERE id IN ({names})", r => r.GetString(0), ct, parameters));
        }
        return known;
    }

    public async Task<LibraryPage> GetSavedAsync(long userId, string? tag, int offset, int limit, CancellationToken ct = default)
    {
        var where = "s.user_id = @user" + (tag is null ? "" : """
             AND EXISTS (SELECT 1 FROM library_paper_tags pt JOIN library_tags t ON t.id = pt.tag_id
                        WHERE pt.user_id = s.user_id AND pt.paper_id = s.paper_id AND t.tag_key = @key)
            """);
        var parameters = new List<(string, object?)> { ("@user", userId), ("@limit", limit), ("@offset", offset) };
        if (tag is not null)
            parameters.Add(("@key", LibraryTags.Key(tag)));
        await using var conn = await db.Open(ct);
        var rows = await db.QueryAsync(conn, null, $"""
            SELECT s.saved_at, {db.PaperColumns("p")} FROM library_saves s JOIN papers p ON p.id = s.paper_id
            WHERE {where} ORDER BY s.saved_at DESC, s.paper_id LIMIT @limit OFFSET @offset
            """, r => (At: PaperRows.ReadInstant(r, 0)!.Value, Paper: PaperRows.Read(r, 1)), ct, [.. parameters]);
        var total = SqlContext.Int(await db.ScalarAsync(conn, null, $"SELECT COUNT(*) FROM library_saves s WHERE {where}", ct, [.. parameters]));
        var tags = await TagsOfAsync(conn, null, userId, rows.Select(r => r.Paper.Id).ToList(), ct);
        return new LibraryPage(total, rows.Select(r => new SavedPaper(r.Paper, r.At, tags[r.Paper.Id].ToList())).ToList());
    }

    public async Task<IReadOnlyList<TagCount>> GetTagsAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        var tags = await db.QueryAsync(conn, null, """
            SELECT t.name, COUNT(*) FROM library_tags t JOIN library_paper_tags pt ON pt.tag_id = t.id
            WHERE t.user_id = @user GROUP BY t.id, t.name
            """, r => new TagCount(r.GetString(0), SqlContext.Int(r.GetValue(1))), ct, ("@user", userId));
        return tags.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public async Task<bool> MarkNotInterestedAsync(long userId, string paperId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var marked = await db.ExecuteAsync(conn, tx, """
            INSERT INTO library_dismissals(user_id, paper_id, marked_at)
            SELECT @user, id, @at FROM papers WHERE id = @paper
            ON CONFLICT (user_id, paper_id) DO UPDATE SET marked_at = excluded.marked_at
            """, ct, ("@user", userId), ("@paper", paperId), ("@at", at));
        if (marked == 0)
            return false;
        await RemoveSaveAsync(conn, tx, userId, paperId, ct);
        await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> ClearNotInterestedAsync(long userId, string paperId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var removed = await db.ExecuteAsync(conn, tx, "DELETE FROM library_dismissals WHERE user_id = @user AND paper_id = @paper", ct, ("@user", userId), ("@paper", paperId));
        if (removed > 0)
            await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        await tx.CommitAsync(ct);
        return removed > 0;
    }

    public async Task<IReadOnlyList<(PaperRecord Paper, DateTimeOffset At)>> GetNotInterestedAsync(long userId, int limit, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, $"""
            SELECT d.marked_at, {db.PaperColumns("p")} FROM library_dismissals d JOIN papers p ON p.id = d.paper_id
            WHERE d.user_id = @user ORDER BY d.marked_at DESC, d.paper_id LIMIT @limit
            """, r => (PaperRows.Read(r, 1), PaperRows.ReadInstant(r, 0)!.Value), ct, ("@user", userId), ("@limit", limit));
    }

    public async Task<IReadOnlyList<PaperMarks>> GetMarksAsync(long userId, IReadOnlyList<string> paperIds, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        var marks = new List<PaperMarks>();
        foreach (var chunk in paperIds.Distinct(StringComparer.Ordinal).Chunk(200))
            marks.AddRange((await MarksAsync(conn, null, userId, chunk, ct)).Where(m => m.Saved || m.NotInterested || m.Collections.Count > 0));
        return marks;
    }

    public async Task<Collection> CreateCollectionAsync(long userId, string name, string? description, bool isPublic, DateTimeOffset at, CancellationToken ct = default)
    {
        var slug = Collections.Slug(name);
        await using var conn = await db.Open(ct);
        for (var attempt = 0; ; attempt++)
        {
            var taken = (await db.QueryAsync(conn, null, "SELECT slug FROM collections WHERE user_id = @user AND (slug = @slug OR slug LIKE @prefix)",
                r => r.GetString(0), ct, ("@user", userId), ("@slug", slug), ("@prefix", slug + "-%"))).ToHashSet(StringComparer.Ordinal);
            var free = Enumerable.Range(1, int.MaxValue).Select(n => n == 1 ? slug : $"{slug}-{n.ToString(CultureInfo.InvariantCulture)}").First(s => !taken.Contains(s));
            try
            {
                var id = SqlContext.Long(await db.ScalarAsync(conn, null, """
                    INSERT INTO collections(user_id, slug, name, description, is_public, created_at, updated_at)
                    VALUES (@user, @slug, @name, @description, @public, @at, @at) RETURNING id
                    """, ct, ("@user", userId), ("@slug", free), ("@name", name), ("@description", description), ("@public", isPublic), ("@at", at)));
                return (await GetCollectionAsync(conn, null, id, ct))!;
            }
            catch (DbException ex) when (db.UniqueViolation(ex) is not null && attempt < 5)
            {
                // Another request took the same slug a moment ago: look again.
            }
        }
    }

    public async Task<IReadOnlyList<Collection>> GetCollectionsAsync(long userId, bool publicOnly, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, $"""
            SELECT {CollectionColumns} FROM collections c JOIN users u ON u.id = c.user_id
            WHERE c.user_id = @user {(publicOnly ? "AND c.is_public = @public" : "")}
            ORDER BY c.updated_at DESC, c.id DESC
            """, ReadCollection, ct, ("@user", userId), ("@public", true));
    }

    public async Task<Collection?> FindCollectionAsync(string handle, string slug, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return (await db.QueryAsync(conn, null, $"""
            SELECT {CollectionColumns} FROM collections c JOIN users u ON u.id = c.user_id
            WHERE lower(u.handle) = lower(@handle) AND c.slug = @slug
            """, ReadCollection, ct, ("@handle", handle), ("@slug", slug))).FirstOrDefault();
    }

    private async Task<Collection?> GetCollectionAsync(DbConnection conn, DbTransaction? tx, long id, CancellationToken ct) =>
        (await db.QueryAsync(conn, tx, $"SELECT {CollectionColumns} FROM collections c JOIN users u ON u.id = c.user_id WHERE c.id = @id",
            ReadCollection, ct, ("@id", id))).FirstOrDefault();

    public async Task<IReadOnlyList<CollectionItem>> GetItemsAsync(long collectionId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, $"""
            SELECT i.position, i.note, i.added_at, {db.PaperColumns("p")} FROM collection_items i JOIN papers p ON p.id = i.paper_id
            WHERE i.collection_id = @collection ORDER BY i.position, i.added_at, i.paper_id
            """, r => new CollectionItem(PaperRows.Read(r, 3), SqlContext.Int(r.GetValue(0)), PaperRows.NullableString(r, 1), PaperRows.ReadInstant(r, 2)!.Value),
            ct, ("@collection", collectionId));
    }

    public async Task<Collection?> UpdateCollectionAsync(long userId, long collectionId, string name, string? description, bool isPublic, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        var changed = await db.ExecuteAsync(conn, null, """
            UPDATE collections SET name = @name, description = @description, is_public = @public, updated_at = @at
            WHERE id = @id AND user_id = @user
            """, ct, ("@name", name), ("@description", description), ("@public", isPublic), ("@at", at), ("@id", collectionId), ("@user", userId));
        return changed == 0 ? null : await GetCollectionAsync(conn, null, collectionId, ct);
    }

    public async Task<bool> DeleteCollectionAsync(long userId, long collectionId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await TouchCollectionAsync(conn, tx, userId, collectionId, at, ct))
            return false;
        await db.ExecuteAsync(conn, tx, "DELETE FROM collection_items WHERE collection_id = @id", ct, ("@id", collectionId));
        await db.ExecuteAsync(conn, tx, "DELETE FROM collections WHERE id = @id", ct, ("@id", collectionId));
        await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> AddItemAsync(long userId, long collectionId, string paperId, string? note, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await TouchCollectionAsync(conn, tx, userId, collectionId, at, ct))
            return false;
        // Already there: it keeps its place, and a new note replaces the old one.
        var added = await db.ExecuteAsync(conn, tx, """
            INSERT INTO collection_items(collection_id, paper_id, position, note, added_at)
            SELECT @collection, id, (SELECT COALESCE(MAX(position) + 1, 0) FROM collection_items WHERE collection_id = @collection), @note, @at
            FROM papers WHERE id = @paper
            ON CONFLICT (collection_id, paper_id) DO UPDATE SET note = COALESCE(excluded.note, collection_items.note)
            """, ct, ("@collection", collectionId), ("@paper", paperId), ("@note", note), ("@at", at));
        if (added == 0)
            return false;
        await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> SetNoteAsync(long userId, long collectionId, string paperId, string? note, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await TouchCollectionAsync(conn, tx, userId, collectionId, at, ct))
            return false;
        var changed = await db.ExecuteAsync(conn, tx, "UPDATE collection_items SET note = @note WHERE collection_id = @collection AND paper_id = @paper", ct,
            ("@note", note), ("@collection", collectionId), ("@paper", paperId));
        if (changed == 0)
            return false;
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> MoveItemAsync(long userId, long collectionId, string paperId, int position, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await TouchCollectionAsync(conn, tx, userId, collectionId, at, ct))
            return false;
        var order = await OrderAsync(conn, tx, collectionId, ct);
        if (!order.Remove(paperId))
            return false;
        order.Insert(Math.Clamp(position, 0, order.Count), paperId);
        await WriteOrderAsync(conn, tx, collectionId, order, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> ReorderAsync(long userId, long collectionId, IReadOnlyList<string> paperIds, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await TouchCollectionAsync(conn, tx, userId, collectionId, at, ct))
            return false;
        var order = await OrderAsync(conn, tx, collectionId, ct);
        if (paperIds.Count != order.Count || !paperIds.ToHashSet(StringComparer.Ordinal).SetEquals(order))
            return false;
        await WriteOrderAsync(conn, tx, collectionId, paperIds, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<bool> RemoveItemAsync(long userId, long collectionId, string paperId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (!await TouchCollectionAsync(conn, tx, userId, collectionId, at, ct))
            return false;
        var order = await OrderAsync(conn, tx, collectionId, ct);
        if (!order.Remove(paperId))
            return false;
        await db.ExecuteAsync(conn, tx, "DELETE FROM collection_items WHERE collection_id = @collection AND paper_id = @paper", ct, ("@collection", collectionId), ("@paper", paperId));
        await WriteOrderAsync(conn, tx, collectionId, order, ct);
        await db.TouchSignalsAsync(conn, tx, userId, at, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<IReadOnlyList<LibrarySignal>> GetSignalsAsync(long userId, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        // The source numbers are SignalSource's: Saved, Tagged, Upvoted, Collected, NotInterested.
        var all = await db.QueryAsync(conn, null, """
            SELECT paper_id, 0, saved_at FROM library_saves WHERE user_id = @user
            UNION ALL SELECT paper_id, 1, tagged_at FROM library_paper_tags WHERE user_id = @user
            UNION ALL SELECT paper_id, 2, created_at FROM votes WHERE user_id = @user
            UNION ALL SELECT i.paper_id, 3, i.added_at FROM collection_items i JOIN collections c ON c.id = i.collection_id WHERE c.user_id = @user
            UNION ALL SELECT paper_id, 4, marked_at FROM library_dismissals WHERE user_id = @user
            """, r => new LibrarySignal(r.GetString(0), (SignalSource)SqlContext.Int(r.GetValue(1)), PaperRows.ReadInstant(r, 2)!.Value), ct, ("@user", userId));
        return Signals.LastWins(all);
    }

    public async Task<IReadOnlyList<long>> GetMembersWithChangedSignalsAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        await using var conn = await db.Open(ct);
        return await db.QueryAsync(conn, null, "SELECT user_id FROM signal_changes WHERE changed_at > @since ORDER BY user_id",
            r => SqlContext.Long(r.GetValue(0)), ct, ("@since", since));
    }

    /// <summary>Saves one paper (clearing its "not interested"); false when the paper is unknown.</summary>
    private async Task<bool> SaveOneAsync(DbConnection conn, DbTransaction tx, long userId, string paperId, DateTimeOffset at, CancellationToken ct)
    {
        if (await db.ScalarAsync(conn, tx, "SELECT 1 FROM papers WHERE id = @paper", ct, ("@paper", paperId)) is null)
            return false;
        await db.ExecuteAsync(conn, tx, "INSERT INTO library_saves(user_id, paper_id, saved_at) VALUES (@user, @paper, @at) ON CONFLICT DO NOTHING", ct,
            ("@user", userId), ("@paper", paperId), ("@at", at));
        await db.ExecuteAsync(conn, tx, "DELETE FROM library_dismissals WHERE user_id = @user AND paper_id = @paper", ct, ("@user", userId), ("@paper", paperId));
        return true;
    }

    private async Task<bool> RemoveSaveAsync(DbConnection conn, DbTransaction tx, long userId, string paperId, CancellationToken ct)
    {
        await db.ExecuteAsync(conn, tx, "DELETE FROM library_paper_tags WHERE user_id = @user AND paper_id = @paper", ct, ("@user", userId), ("@paper", paperId));
        var removed = await db.ExecuteAsync(conn, tx, "DELETE FROM library_saves WHERE user_id = @user AND paper_id = @paper", ct, ("@user", userId), ("@paper", paperId));
        await DropUnusedTagsAsync(conn, tx, userId, ct);
        return removed > 0;
    }

    /// <summary>Puts each tag (made when new; an existing one keeps its first spelling) on each of the saved papers.</summary>
    private async Task AddTagsAsync(DbConnection conn, DbTransaction tx, long userId, IReadOnlyList<string> paperIds, IReadOnlyList<string> tags, DateTimeOffset at, CancellationToken ct)
    {
        if (tags.Count == 0 || paperIds.Count == 0)
            return;
        var (names, parameters) = InList(paperIds);
        foreach (var tag in tags)
        {
            await db.ExecuteAsync(conn, tx, "INSERT INTO library_tags(user_id, tag_key, name, created_at) VALUES (@user, @key, @name, @at) ON CONFLICT DO NOTHING", ct,
                ("@user", userId), ("@key", LibraryTags.Key(tag)), ("@name", tag), ("@at", at));
            await db.ExecuteAsync(conn, tx, $"""
                INSERT INTO library_paper_tags(user_id, paper_id, tag_id, tagged_at)
                SELECT s.user_id, s.paper_id, t.id, @at FROM library_saves s JOIN library_tags t ON t.user_id = s.user_id AND t.tag_key = @key
                WHERE s.user_id = @user AND s.paper_id IN ({names})
                ON CONFLICT DO NOTHING
                """, ct, [.. parameters, ("@user", userId), ("@key", LibraryTags.Key(tag)), ("@at", at)]);
        }
    }

    /// <summary>A tag lives while a paper carries it.</summary>
    private Task DropUnusedTagsAsync(DbConnection conn, DbTransaction tx, long userId, CancellationToken ct) =>
        db.ExecuteAsync(conn, tx, "DELETE FROM library_tags WHERE user_id = @user AND NOT EXISTS (SELECT 1 FROM library_paper_tags pt WHERE pt.tag_id = library_tags.id)", ct,
            ("@user", userId));

    private async Task<List<PaperMarks>> MarksAsync(DbConnection conn, DbTransaction? tx, long userId, IReadOnlyList<string> paperIds, CancellationToken ct)
    {
        var (names, parameters) = InList(paperIds);
        (string, object?)[] all = [.. parameters, ("@user", userId)];
        var saved = (await db.QueryAsync(conn, tx, $"SELECT paper_id FROM library_saves WHERE user_id = @user AND paper_id IN ({names})", r => r.GetString(0), ct, all))
            .ToHashSet(StringComparer.Ordinal);
        var dismissed = (await db.QueryAsync(conn, tx, $"SELECT paper_id FROM library_dismissals WHERE user_id = @user AND paper_id IN ({names})", r => r.GetString(0), ct, all))
            .ToHashSet(StringComparer.Ordinal);
        var collections = (await db.QueryAsync(conn, tx, $"""
            SELECT i.paper_id, i.collection_id FROM collection_items i JOIN collections c ON c.id = i.collection_id
            WHERE c.user_id = @user AND i.paper_id IN ({names}) ORDER BY i.collection_id
            """, r => (Paper: r.GetString(0), Collection: SqlContext.Long(r.GetValue(1))), ct, all)).ToLookup(x => x.Paper, x => x.Collection, StringComparer.Ordinal);
        var tags = await TagsOfAsync(conn, tx, userId, paperIds, ct);
        return paperIds.Select(id => new PaperMarks(id, saved.Contains(id), tags[id].ToList(), dismissed.Contains(id), collections[id].ToList())).ToList();
    }

    private async Task<ILookup<string, string>> TagsOfAsync(DbConnection conn, DbTransaction? tx, long userId, IReadOnlyList<string> paperIds, CancellationToken ct)
    {
        if (paperIds.Count == 0)
            return Array.Empty<(string, string)>().ToLookup(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
        var rows = new List<(string Paper, string Tag)>();
        foreach (var chunk in paperIds.Chunk(200))
        {
            var (names, parameters) = InList(chunk);
            rows.AddRange(await db.QueryAsync(conn, tx, $"""
                SELECT pt.paper_id, t.name FROM library_paper_tags pt JOIN library_tags t ON t.id = pt.tag_id
                WHERE pt.user_id = @user AND pt.paper_id IN ({names})
                """, r => (r.GetString(0), r.GetString(1)), ct, [.. parameters, ("@user", userId)]));
        }
        return rows.OrderBy(r => r.Tag, StringComparer.OrdinalIgnoreCase).ToLookup(r => r.Paper, r => r.Tag, StringComparer.Ordinal);
    }

    /// <summary>Touches the collection under its owner (a row lock on PostgreSQL); false when it is not theirs or gone.</summary>
    private async Task<bool> TouchCollectionAsync(DbConnection conn, DbTransaction tx, long userId, long collectionId, DateTimeOffset at, CancellationToken ct) =>
        await db.ExecuteAsync(conn, tx, "UPDATE collections SET updated_at = @at WHERE id = @id AND user_id = @user", ct,
            ("@at", at), ("@id", collectionId), ("@user", userId)) == 1;

    private async Task<List<string>> OrderAsync(DbConnection conn, DbTransaction tx, long collectionId, CancellationToken ct) =>
        await db.QueryAsync(conn, tx, "SELECT paper_id FROM collection_items WHERE collection_id = @collection ORDER BY position, added_at, paper_id",
            r => r.GetString(0), ct, ("@collection", collectionId));

    private async Task WriteOrderAsync(DbConnection conn, DbTransaction tx, long collectionId, IReadOnlyList<string> order, CancellationToken ct)
    {
        for (var i = 0; i < order.Count; i++)
            await db.ExecuteAsync(conn, tx, "UPDATE collection_items SET position = @position WHERE collection_id = @collection AND paper_id = @paper AND position <> @position", ct,
                ("@position", i), ("@collection", collectionId), ("@paper", order[i]));
    }

    private static Collection ReadCollection(DbDataReader r) => new(
        SqlContext.Long(r.GetValue(0)), SqlContext.Long(r.GetValue(1)), r.GetString(2), r.GetString(3), r.GetString(4), PaperRows.NullableString(r, 5),
        SqlContext.Bool(r, 6), PaperRows.ReadInstant(r, 7)!.Value, PaperRows.ReadInstant(r, 8)!.Value, SqlContext.Int(r.GetValue(9)));

    private static (string Names, (string, object?)[] Parameters) InList(IReadOnlyList<string> ids)
    {
        var names = ids.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        return (ids.Count == 0 ? "NULL" : string.Join(", ", names), ids.Select((id, i) => (names[i], (object?)id)).ToArray());
    }
}
