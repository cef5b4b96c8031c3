using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RawChat.Core.Auth;
using StackExchange.Redis;

namespace RawChat.Core.Tickets;

/// <summary>
/// Single-use connection tickets in Redis, shared by every node. A ticket is 32 random bytes (base64url,
/// prefixed <c>rct_</c> so that logs and secret scanners can tell one); Redis keeps the validated identity
/// under the SHA-256 of the ticket with the ticket's lifetime, so a reader of Redis learns neither the
/// ticket nor the token. Redeeming is one GETDEL (Redis 6.2 or later): a ticket opens one socket, once.
/// Each user's tickets of the last lifetime are counted in a sorted set, which bounds what one user can
/// put in Redis.
/// </summary>
public sealed class TicketStore(IConnectionMultiplexer redis, IOptions<TicketOptions> options)
{
    public const string Prefix = "rct_";

    // KEYS[1] the user's set · ARGV: lifetime (ms), most tickets, ticket hash. Scores are Redis's own
    // clock, the same for every node. Returns {1, 0} when counted, {0, ms until a slot frees} when full.
    private const string CountScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
          local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          return {0, tonumber(oldest[2]) - now}
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[3])
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return {1, 0}
        """;

    private readonly TicketOptions _options = options.Value;

    public TimeSpan Lifetime => TimeSpan.FromSeconds(_options.LifetimeSeconds);

    /// <summary>A new ticket for <paramref name="user"/>, or how long to wait when the user has too many.</summary>
    /// <exception cref="RedisException">Redis cannot be reached (also <see cref="TimeoutException"/>).</exception>
    public async Task<TicketIssue> IssueAsync(ChatUser user)
    {
        var ticket = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = Sha256Hex(ticket);
        var lifetimeMs = (long)Lifetime.TotalMilliseconds;
        var db = redis.GetDatabase();
        var counted = (RedisResult[])(await db.ScriptEvaluateAsync(CountScript, [UserKey(user.UserId)],
            [lifetimeMs, _options.MaxPerUser, hash]).ConfigureAwait(false))!;
        if ((long)counted[0] == 0)
        {
            return new TicketIssue(null, TimeSpan.FromMilliseconds(Math.Max(1, (long)counted[1])));
        }

        var stored = await db.StringSetAsync(TicketKey(hash), TicketIdentity.Write(user), Lifetime, When.NotExists)
            .ConfigureAwait(false);
        return stored ? new TicketIssue(ticket, null) : throw new RedisException("a new ticket's key already existed");
    }

    /// <summary>Uses the ticket up.</summary>
    /// <returns>The identity it stood for; null when it is unknown, used or expired.</returns>
    /// <exception cref="RedisException">Redis cannot be reached (also <see cref="TimeoutException"/>).</exception>
    public async Task<ChatUser?> RedeemAsync(string ticket)
    {
        if (!ticket.StartsWith(Prefix, StringComparison.Ordinal) || ticket.Length > 128)
        {
            return null;
        }

        var identity = await redis.GetDatabase().StringGetDeleteAsync(TicketKey(Sha256Hex(ticket))).ConfigureAwait(false);
        return identity.IsNull ? null : TicketIdentity.Read((byte[])identity!);
    }

    /// <summary>The Redis key of a ticket (tests look for it).</summary>
    public string KeyOf(string ticket) => _options.KeyPrefix + Sha256Hex(ticket);

    private RedisKey TicketKey(string hash) => _options.KeyPrefix + hash;

    private RedisKey UserKey(string userId) => _options.KeyPrefix + "user:" + Sha256Hex(userId);

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
