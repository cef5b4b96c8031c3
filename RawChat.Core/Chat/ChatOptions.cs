using System.ComponentModel.DataAnnotations;
using RawChat.Core.Protocol;

namespace RawChat.Core.Chat;

/// <summary>Limits and defaults of the chat protocol (section <c>Chat</c>; docs/protocol.md §3.5).</summary>
public sealed class ChatOptions : IValidatableObject
{
    public const string SectionName = "Chat";

    [Required]
    public string DefaultRoom { get; set; } = "lobby";

    /// <summary>Longest message text, in Unicode code points.</summary>
    [Range(1, int.MaxValue)]
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>Largest client message after reassembly of its frames, in bytes (beyond: close 1009).</summary>
    [Range(1024, int.MaxValue)]
    public int MaxFrameBytes { get; set; } = 16 * 1024;

    /// <summary>Messages sent in the <c>history</c> frame that answers a join without <c>since</c> (0 = none).</summary>
    [Range(0, 200)]
    public int HistoryOnJoin { get; set; } = 50;

    /// <summary>Most messages replayed for one <c>since</c>; past it the client gets <c>replay_truncated</c>.</summary>
    [Range(1, int.MaxValue)]
    public int ReplayCap { get; set; } = 1000;

    [Range(1, int.MaxValue)]
    public int MaxRoomsPerConnection { get; set; } = 50;

    /// <summary>
    /// Bytes waiting for one socket (its outbox) before it counts as a slow consumer (close 1013).
    /// A connection's own answers (history, replays) wait for room instead, so they are produced
    /// only as fast as the client reads. Live messages held back during a replay have the same bound.
    /// </summary>
    [Range(64 * 1024, int.MaxValue)]
    public int MaxQueuedBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Largest <c>history</c> frame or REST page, in bytes: a page ends early (with <c>hasMore</c>)
    /// rather than pass it, and replays are read in chunks of this size.
    /// </summary>
    [Range(16 * 1024, int.MaxValue)]
    public int MaxPageBytes { get; set; } = 256 * 1024;

    /// <summary>Client frames of every kind per second per connection (beyond: <c>rate_limited</c>).</summary>
    [Range(0d, 1_000_000d, MinimumIsExclusive = true)] // double bounds: int bounds would compare 0.2 as 0
    public double FramesPerSecond { get; set; } = 50;

    [Range(1, int.MaxValue)]
    public int FrameBurst { get; set; } = 100;

    [Range(0d, 1_000_000d, MinimumIsExclusive = true)]
    public double PostsPerSecond { get; set; } = 20;

    [Range(1, int.MaxValue)]
    public int PostBurst { get; set; } = 40;

    /// <summary>Typing frames per second per connection; beyond it they are dropped silently.</summary>
    [Range(0d, 1_000_000d, MinimumIsExclusive = true)]
    public double TypingPerSecond { get; set; } = 2;

    [Range(1, int.MaxValue)]
    public int TypingBurst { get; set; } = 3;

    /// <summary>
    /// Frames refused with <c>rate_limited</c>, with no quiet second between them, before the
    /// connection is closed 1008 <c>policy_violation</c>.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int RateLimitStrikes { get; set; } = 20;

    /// <summary>Open sockets this node accepts (beyond: 503 <c>over_capacity</c>).</summary>
    [Range(1, int.MaxValue)]
    public int MaxConnectionsPerNode { get; set; } = 15000;

    /// <summary>Open sockets one user may hold on this node.</summary>
    [Range(1, int.MaxValue)]
    public int MaxConnectionsPerUser { get; set; } = 100;

    /// <summary>Allowed <c>Origin</c> values; empty allows any origin.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Interval of protocol-level pings; a peer that does not answer within the same time is dropped.</summary>
    [Range(0, int.MaxValue)]
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>How long a closing socket may take to finish its handshake before it is aborted.</summary>
    [Range(1, int.MaxValue)]
    public int CloseTimeoutSeconds { get; set; } = 5;

    /// <summary>The rules that span settings; the generated validator runs them after the attributes.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(DefaultRoom) && !RoomName.IsValid(DefaultRoom))
        {
            yield return new ValidationResult("Chat:DefaultRoom must be a valid room name");
        }

        if (MaxPageBytes > MaxQueuedBytes)
        {
            yield return new ValidationResult("Chat:MaxPageBytes must be at most Chat:MaxQueuedBytes");
        }
    }
}
