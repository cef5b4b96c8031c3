using System.ComponentModel.DataAnnotations;

namespace RawChat.Core.Fanout;

/// <summary>Fan-out settings (section <c>Fanout</c>).</summary>
public sealed class FanoutOptions : IValidatableObject
{
    public const string SectionName = "Fanout";

    /// <summary>Prefix of the per-room Redis channels: <c>{prefix}{room}</c>.</summary>
    [Required]
    public string ChannelPrefix { get; set; } = "rawchat:room:";

    /// <summary>
    /// Room channels as shard channels (SPUBLISH/SSUBSCRIBE, Redis 7): on Redis Cluster each room's
    /// channel lives on the shard owning its slot instead of being broadcast to every node.
    /// </summary>
    public bool ShardedPubSub { get; set; }

    /// <summary>How long a node waits for a missing seq on Redis before reading it from PostgreSQL.</summary>
    [Range(1, 60_000)]
    public int GapTimeoutMilliseconds { get; set; } = 50;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A hash tag in the prefix would hash every room to one slot, so one shard would carry them all.
        if (ShardedPubSub && HasHashTag(ChannelPrefix))
        {
            yield return new ValidationResult("Fanout:ChannelPrefix must not hold a Redis hash tag ({...}) when Fanout:ShardedPubSub is on");
        }
    }

    private static bool HasHashTag(string? prefix)
    {
        var open = prefix?.IndexOf('{', StringComparison.Ordinal) ?? -1;
        return open >= 0 && prefix!.IndexOf('}', open + 1) > open + 1;
    }
}
