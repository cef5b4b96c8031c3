namespace RawChat.Core.Fanout;

/// <summary>Fan-out settings (section <c>Fanout</c>).</summary>
public sealed class FanoutOptions
{
    public const string SectionName = "Fanout";

    /// <summary>Prefix of the per-room Redis channels: <c>{prefix}{room}</c>.</summary>
    public string ChannelPrefix { get; set; } = "rawchat:room:";

    /// <summary>
    /// Room channels as shard channels (SPUBLISH/SSUBSCRIBE, Redis 7): on Redis Cluster each room's
    /// channel lives on the shard owning its slot instead of being broadcast to every node.
    /// </summary>
    public bool ShardedPubSub { get; set; }

    /// <summary>How long a node waits for a missing seq on Redis before reading it from PostgreSQL.</summary>
    public int GapTimeoutMilliseconds { get; set; } = 50;
}
