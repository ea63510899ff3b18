using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Paperboy.Core.Search.FullText;

/// <summary>
/// A BM25 full-text index of papers (Lucene.Net): title, abstract and authors are searched, categories and the
/// published day filter. Changes (<see cref="Upsert"/>, <see cref="Delete"/>, <see cref="Clear"/>) become visible to
/// <see cref="Search"/> and <see cref="Count"/> at the next <see cref="Commit"/>, all at once: searchers only ever see
/// committed states. Every member is thread-safe; searches run concurrently with writes.
/// </summary>
public sealed class FullTextIndex : IDisposable
{
    private const int MaxLimit = 10_000;

    private readonly LuceneDirectory _directory;
    private readonly Analyzer _textAnalyzer;
    private readonly Analyzer _nameAnalyzer;
    private readonly Analyzer _indexAnalyzer;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly System.Threading.Lock _writeGate = new();
    private bool _disposed;

    /// <summary>Opens the index in <paramref name="directory"/>, creating the folder and an empty index when missing.</summary>
    public FullTextIndex(string directory, FullTextOptions? options = null)
        : this(OpenFolder(directory), options)
    {
    }

    private FullTextIndex(LuceneDirectory directory, FullTextOptions? options)
    {
        Options = options ?? FullTextOptions.Default;
        _directory = directory;
        _textAnalyzer = new PaperAnalyzer(Options.Analysis);
        _nameAnalyzer = new NameAnalyzer();
        _indexAnalyzer = new PerFieldAnalyzerWrapper(_textAnalyzer, new Dictionary<string, Analyzer> { [FullTextFields.Authors] = _nameAnalyzer });
        var similarity = new BM25Similarity(Options.K1, Options.B);
        try
        {
            var config = new IndexWriterConfig(PaperAnalyzer.Version, _indexAnalyzer)
            {
                OpenMode = OpenMode.CREATE_OR_APPEND,
                Similarity = similarity,
            };
            _writer = new IndexWriter(_directory, config);
            // A new index gets its first (empty) commit, so that readers can always open one.
            if (!DirectoryReader.IndexExists(_directory))
                _writer.Commit();
            _searchers = new SearcherManager(_directory, new Bm25SearcherFactory(similarity));
        }
        catch
        {
            _writer?.Dispose();
            _directory.Dispose();
            throw;
        }
    }

    /// <summary>An index held in memory, for tests and throwaway stores.</summary>
    public static FullTextIndex InMemory(FullTextOptions? options = null) =>
        new(new RAMDirectory(), options);

    public FullTextOptions Options { get; }

    /// <summary>Papers in the last committed state.</summary>
    public int Count
    {
        get
        {
            var searcher = _searchers.Acquire();
            try
            {
                return searcher.IndexReader.NumDocs;
            }
            finally
            {
                _searchers.Release(searcher);
            }
        }
    }

    /// <summary>Adds papers, replacing any with the same id. Visible after <see cref="Commit"/>.</summary>
    public void Upsert(IEnumerable<FullTextDocument> docs)
    {
        ArgumentNullException.ThrowIfNull(docs);
        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var doc in docs)
            {
                ArgumentException.ThrowIfNullOrEmpty(doc.Id, nameof(docs));
                _writer.UpdateDocument(new Term(FullTextFields.Id, doc.Id), ToDocument(doc));
            }
        }
    }

    /// <summary>Removes a paper. Visible after <see cref="Commit"/>.</summary>
    public void Delete(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer.DeleteDocuments(new Term(FullTextFields.Id, id));
        }
    }

    /// <summary>Removes every paper, committed at once.</summary>
    public void Clear()
    {
        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer.DeleteAll();
            CommitLocked();
        }
    }

    /// <summary>Makes the changes so far durable and visible to searches. A batch given to one <see cref="Upsert"/> call is never split.</summary>
    public void Commit()
    {
        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            CommitLocked();
        }
    }

    private void CommitLocked()
    {
        _writer.Commit();
        _searchers.MaybeRefreshBlocking();
    }

    /// <summary>
    /// The best <paramref name="limit"/> papers for <paramref name="query"/>, read as plain words (no query syntax;
    /// a "quoted phrase" ranks exact phrases higher). A query without searchable words has no hits.
    /// </summary>
    public FullTextResult Search(string query, int limit, FullTextFilter? filter = null)
    {
        var lucene = FullTextQuery.Build(query, Options, _textAnalyzer, _nameAnalyzer);
        if (lucene is null)
            return FullTextResult.Empty;
        var luceneFilter = BuildFilter(filter);
        var searcher = _searchers.Acquire();
        try
        {
            var top = searcher.Search(lucene, luceneFilter, Math.Clamp(limit, 1, MaxLimit));
            var take = Math.Clamp(limit, 0, top.ScoreDocs.Length);
            var hits = new FullTextHit[take];
            // Ids come from the field cache (the id terms, uninverted once per segment): loading stored fields
            // decompresses a block per hit and cost ~90 µs each, most of a 200-hit search.
            var leaves = searcher.IndexReader.Leaves;
            var scratch = new BytesRef();
            for (var i = 0; i < take; i++)
            {
                var sd = top.ScoreDocs[i];
                var leaf = leaves[ReaderUtil.SubIndex(sd.Doc, leaves)];
                FieldCache.DEFAULT.GetTerms((AtomicReader)leaf.Reader, FullTextFields.Id, false).Get(sd.Doc - leaf.DocBase, scratch);
                hits[i] = new FullTextHit(scratch.Utf8ToString(), sd.Score);
            }
            return new FullTextResult(hits, top.TotalHits);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>
    /// <paramref name="text"/> cut into pieces, the words that match <paramref name="query"/> (as a search would match
    /// them: stemmed, case and accents ignored) marked. Text up to <paramref name="maxLength"/> characters (or any
    /// length when it is 0 or less) comes back whole; longer text as its best fragment, with "…" pieces where cut.
    /// </summary>
    public IReadOnlyList<HighlightSegment> Highlight(string text, string query, int maxLength) =>
        Highlight(text, HighlightWords(query), maxLength);

    /// <summary>The query's words as <see cref="Highlight(string, string, int)"/> matches them: analyse once, highlight many texts.</summary>
    public HashSet<string> HighlightWords(string query) => FullTextQuery.Words(query, Options, _textAnalyzer);

    public IReadOnlyList<HighlightSegment> Highlight(string text, HashSet<string> words, int maxLength) =>
        FullTextHighlighter.Highlight(text, words, _textAnalyzer, maxLength);

    public void Dispose()
    {
        lock (_writeGate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _searchers.Dispose();
        _writer.Dispose();
        _indexAnalyzer.Dispose();
        _textAnalyzer.Dispose();
        _nameAnalyzer.Dispose();
        _directory.Dispose();
    }

    private static LuceneDirectory OpenFolder(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var info = System.IO.Directory.CreateDirectory(directory);
        return FSDirectory.Open(info);
    }

    /// <summary>The day as yyyyMMdd; 0 for an unknown day.</summary>
    internal static int DayNumber(DateOnly? day) => day is { } d ? (d.Year * 10000) + (d.Month * 100) + d.Day : 0;

    private static Document ToDocument(FullTextDocument doc)
    {
        var title = doc.Title ?? "";
        var abstractText = doc.Abstract ?? "";
        var document = new Document
        {
            new StringField(FullTextFields.Id, doc.Id, Field.Store.YES),
            new TextField(FullTextFields.Title, title, Field.Store.YES),
            new TextField(FullTextFields.Abstract, abstractText, Field.Store.YES),
            new TextField(FullTextFields.Contents, title + "\n" + abstractText, Field.Store.NO),
            new TextField(FullTextFields.Authors, string.Join(", ", doc.Authors ?? []), Field.Store.NO),
            new Int32Field(FullTextFields.Published, DayNumber(doc.Published), Field.Store.YES),
        };
        foreach (var category in (doc.Categories ?? []).Distinct(StringComparer.Ordinal))
            document.Add(new StringField(FullTextFields.Category, category, Field.Store.YES));
        return document;
    }

    private static Filter? BuildFilter(FullTextFilter? filter)
    {
        if (filter is null || (!filter.HasCategories && !filter.HasDates))
            return null;
        var all = new BooleanQuery(disableCoord: true);
        if (filter.HasCategories)
        {
            var any = new BooleanQuery(disableCoord: true);
            foreach (var category in filter.Categories!.Distinct(StringComparer.Ordinal).Take(BooleanQuery.MaxClauseCount))
                any.Add(new TermQuery(new Term(FullTextFields.Category, category)), Occur.SHOULD);
            all.Add(any, Occur.MUST);
        }
        if (filter.HasDates)
        {
            // Unknown days are stored as 0 and never pass a date filter.
            var from = Math.Max(1, DayNumber(filter.From));
            int? to = filter.To is null ? null : DayNumber(filter.To);
            all.Add(NumericRangeQuery.NewInt32Range(FullTextFields.Published, from, to, minInclusive: true, maxInclusive: true), Occur.MUST);
        }
        return new QueryWrapperFilter(all);
    }

    private sealed class Bm25SearcherFactory(Similarity similarity) : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = similarity };
    }

}
