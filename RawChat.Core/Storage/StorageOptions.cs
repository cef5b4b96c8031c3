using System.ComponentModel.DataAnnotations;

namespace RawChat.Core.Storage;

/// <summary>Group commit, deadlines and read limits (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Most posts stored in one statement (one round trip, one commit).</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// Batches in flight at once. Each room belongs to one writer, so one sender's posts to a room
    /// are stored in the order they were sent, and two writers never wait on each other's room locks.
    /// </summary>
    [Range(1, 64)]
    public int Writers { get; set; } = 2;

    /// <summary>
    /// Longest a post waits to be sent to PostgreSQL; past it, it is refused <c>unavailable</c>
    /// (truly not stored: it never left the node).
    /// </summary>
    [Range(10, 600_000)]
    public int QueueTimeoutMilliseconds { get; set; } = 1500;

    /// <summary>
    /// Longest a statement (a batch insert, its commit, a read) may take. An insert that has not
    /// answered is cancelled and its posts are refused <c>unavailable</c>: its transaction was never
    /// committed. With <see cref="QueueTimeoutMilliseconds"/> this bounds how long a post waits for
    /// its answer while PostgreSQL hangs.
    /// </summary>
    [Range(100, 600_000)]
    public int CommandTimeoutMilliseconds { get; set; } = 2500;

    /// <summary>
    /// Reads from PostgreSQL at once (history, REST pages, replays, gap fills), on their own
    /// connections. About twice PostgreSQL's cores: more only makes reads share its CPU with the
    /// writers' statements. Measured on 2 cores with 300 REST readers of large pages: at 16, 300
    /// reads/s and a poster's ack p99 2.4 s; at 4, 470 reads/s (the rest refused 429) and 0.3 s.
    /// </summary>
    [Range(1, 1000)]
    public int MaxConcurrentReads { get; set; } = 4;

    /// <summary>
    /// Longest a client's history or REST read waits for a free read slot; past it, it is refused
    /// (<c>rate_limited</c> / HTTP 429). Replays at connect and the node's own catch-up wait their turn.
    /// </summary>
    [Range(0, 600_000)]
    public int ReadQueueTimeoutMilliseconds { get; set; } = 1000;
}
