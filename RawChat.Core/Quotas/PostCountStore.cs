using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RawChat.Core.Quotas;

/// <summary>
/// Users' post counts per window, in Redis: for each window, <see cref="Buckets"/> hashes (user →
/// posts), so one script adds the counts of many users and a Redis Cluster spreads the hashes over
/// its shards. Each hash expires two windows after its last update.
/// </summary>
public sealed class PostCountStore(IConnectionMultiplexer redis, IOptions<QuotaOptions> options)
{
    /// <summary>Hashes per window; a user's is <see cref="BucketOf"/>.</summary>
    public const int Buckets = 16;

    // KEYS[1] hash · ARGV: ttl (ms), then user, count pairs. Returns each user's new total.
    private const string AddScript = """
        local totals = {}
        for i = 2, #ARGV, 2 do totals[#totals + 1] = redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return totals
        """;

    private readonly QuotaOptions _options = options.Value;

    public bool IsConnected => redis.IsConnected;

    /// <summary>Adds the counts of users of one bucket to a window.</summary>
    /// <returns>Each user's total in the window across all nodes, in the order given.</returns>
    public async Task<long[]> AddAsync(long window, int bucket, IReadOnlyList<(string UserId, int Count)> counts)
    {
        var arguments = new RedisValue[1 + (2 * counts.Count)];
        arguments[0] = 2 * _options.PostWindowMilliseconds;
        for (var i = 0; i < counts.Count; i++)
        {
            arguments[1 + (2 * i)] = counts[i].UserId;
            arguments[2 + (2 * i)] = counts[i].Count;
        }

        RedisKey key = $"{_options.KeyPrefix}posts:{window}:{bucket}";
        var result = await redis.GetDatabase().ScriptEvaluateAsync(AddScript, [key], arguments).ConfigureAwait(false);
        return [.. ((RedisResult[])result!).Select(total => (long)total)];
    }

    /// <summary>A user's bucket: FNV-1a of the id's UTF-16 code units, the same on every node and platform.</summary>
    public static int BucketOf(string userId)
    {
        var hash = 2166136261u;
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Buckets);
    }
}
