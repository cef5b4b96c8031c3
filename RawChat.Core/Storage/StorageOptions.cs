namespace RawChat.Core.Storage;

/// <summary>Group commit settings (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Most posts stored in one statement (one round trip, one commit).</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Batches in flight at once: while one commits, the next is being sent.</summary>
    public int Writers { get; set; } = 2;
}
