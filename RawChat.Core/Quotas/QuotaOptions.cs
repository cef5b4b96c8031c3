using System.ComponentModel.DataAnnotations;

namespace RawChat.Core.Quotas;

/// <summary>
/// Per-user limits that span the cluster (section <c>Quotas</c>), kept in Redis. Every node of a
/// deployment must use the same.
/// </summary>
public sealed class QuotaOptions : IValidatableObject
{
    public const string SectionName = "Quotas";

    /// <summary>Open sockets one user may hold across all nodes (beyond: 429 <c>too_many_connections</c>).</summary>
    [Range(1, int.MaxValue)]
    public int MaxConnectionsPerUser { get; set; } = 20;

    /// <summary>How often each node pushes the expiry of its connections' claims forward.</summary>
    [Range(1, 1800)]
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>How long a claim lives in Redis without a heartbeat: how soon a crashed node's places come back.</summary>
    [Range(2, 3600)]
    public int ClaimTtlSeconds { get; set; } = 30;

    /// <summary>Longest wait for Redis at connect; past it the node admits on its own count (fails open).</summary>
    [Range(10, 10_000)]
    public int ClaimTimeoutMilliseconds { get; set; } = 500;

    /// <summary>Sustained posts per second of one user across all its connections on all nodes.</summary>
    [Range(0d, 1_000_000d, MinimumIsExclusive = true)] // double bounds: int bounds would compare 0.2 as 0
    public double PostsPerSecondPerUser { get; set; } = 40;

    /// <summary>
    /// Posts one user may make in one counting window of <see cref="PostWindowMilliseconds"/>
    /// (<c>PostBurstPerUser / PostsPerSecondPerUser</c> seconds, 2 s by default).
    /// </summary>
    [Range(1, int.MaxValue)]
    public int PostBurstPerUser { get; set; } = 80;

    /// <summary>How often each node adds its users' post counts to Redis and reads the cluster's totals back.</summary>
    [Range(10, 10_000)]
    public int FlushMilliseconds { get; set; } = 200;

    /// <summary>Prefix of every quota key: <c>{prefix}connections:{user}</c>, <c>{prefix}posts:{window}:{bucket}</c>.</summary>
    [Required]
    public string KeyPrefix { get; set; } = "rawchat:quota:";

    /// <summary>The length of one posting window: a user may post <see cref="PostBurstPerUser"/> in each.</summary>
    public long PostWindowMilliseconds => (long)Math.Round(1000 * PostBurstPerUser / PostsPerSecondPerUser);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ClaimTtlSeconds < 2 * HeartbeatSeconds)
        {
            yield return new ValidationResult("Quotas:ClaimTtlSeconds must be at least twice Quotas:HeartbeatSeconds");
        }

        // A user gets PostBurstPerUser posts per window; the window must span a few flushes to be enforced.
        if (PostsPerSecondPerUser > 0 && PostBurstPerUser >= 1
            && (PostWindowMilliseconds < 2 * FlushMilliseconds || PostWindowMilliseconds > 3_600_000))
        {
            yield return new ValidationResult("Quotas:PostBurstPerUser / Quotas:PostsPerSecondPerUser (the posting window, in seconds) "
                + "must be at least twice Quotas:FlushMilliseconds and at most 3600 s");
        }
    }
}
