using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RawChat.Core.Quotas;

/// <summary>
/// The cluster-wide count of a user's sockets, in Redis: one sorted set per user, one member per
/// socket (<c>{node}:{connection}</c>), scored with the time it expires (Redis's clock, Unix ms).
/// The owning node pushes the expiry forward on a heartbeat, so the places of a node that dies
/// without closing its sockets come back one claim TTL later. A claim drops expired members,
/// counts and adds in one script: two nodes can never both admit the last place.
/// </summary>
public sealed class ConnectionClaimStore(IConnectionMultiplexer redis, IOptions<QuotaOptions> options)
{
    // KEYS[1] set · ARGV: member, limit, ttl (ms). 1 when the member was added, 0 when the user is at the limit.
    private const string ClaimScript = """
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    // KEYS[1] set · ARGV: ttl (ms), members. Pushes their expiry forward, putting back any that were lost.
    private const string RefreshScript = """
        local t = redis.call('TIME')
        local expires = t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[1])
        for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expires, ARGV[i]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 0
        """;

    private readonly QuotaOptions _options = options.Value;

    public bool IsConnected => redis.IsConnected;

    /// <returns>true when the place was claimed, false when the user holds <paramref name="limit"/> live claims already.</returns>
    public async Task<bool> ClaimAsync(string userId, string member, int limit)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ClaimScript, [Key(userId)],
            [member, limit, _options.ClaimTtlSeconds * 1000L]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>Pushes the expiry of one user's claims on this node forward.</summary>
    public Task RefreshAsync(string userId, IReadOnlyList<string> members)
    {
        var arguments = new RedisValue[members.Count + 1];
        arguments[0] = _options.ClaimTtlSeconds * 1000L;
        for (var i = 0; i < members.Count; i++)
        {
            arguments[i + 1] = members[i];
        }

        return redis.GetDatabase().ScriptEvaluateAsync(RefreshScript, [Key(userId)], arguments);
    }

    /// <summary>
    /// Gives a place back without waiting for Redis: when Redis does not take it, the claim expires.
    /// Issued after the claim on the same connection, so Redis sees them in that order.
    /// </summary>
    public void Release(string userId, string member) =>
        redis.GetDatabase().SortedSetRemove(Key(userId), member, CommandFlags.FireAndForget);

    private RedisKey Key(string userId) => _options.KeyPrefix + "connections:" + userId;
}
