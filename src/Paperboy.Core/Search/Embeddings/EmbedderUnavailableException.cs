namespace Paperboy.Core.Search.Embeddings;

/// <summary>
/// The local embedding model cannot be used here (its files are missing or corrupt, the ONNX runtime cannot load, the
/// model folder cannot be written). The app then runs with keyword search only.
/// </summary>
public sealed class EmbedderUnavailableException : Exception
{
    public EmbedderUnavailableException()
        : base("The sentence-embedding model is unavailable.")
    {
    }

    public EmbedderUnavailableException(string message)
        : base(message)
    {
    }

    public EmbedderUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
