using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RawChat.Core.Presence;

/// <summary>
/// Who is online, kept in Redis: one sorted set per room, one member per node and user (see
/// <see cref="PresenceEntry"/>), scored with the time it expires (Unix ms). Entering and leaving
/// run as Lua scripts, so "first claim for this user" and "last claim gone" are decided
/// atomically and the join / leave event is published in the same step.
/// </summary>
public sealed class PresenceStore(IConnectionMultiplexer redis, IOptions<PresenceOptions> options)
{
    // KEYS[1] set · ARGV: member, expires, now, user prefix, key ttl (s), channel, join envelope.
    // First means no other live entry for this user (this node's own may be back from a refresh).
    private const string EnterScript = """
        local first = true
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[3], '+inf')) do
          if m ~= ARGV[1] and string.sub(m, 1, #ARGV[4]) == ARGV[4] then first = false break end
        end
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        if first then redis.call('PUBLISH', ARGV[6], ARGV[7]) return 1 end
        return 0
        """;

    // KEYS[1] set · ARGV: member, now, user prefix, channel, leave envelope. An entry already
    // swept away was reported by the sweep.
    private const string ExitScript = """
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf')) do
          if string.sub(m, 1, #ARGV[3]) == ARGV[3] then return 0 end
        end
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;

    // KEYS[1] set · ARGV: now, expires, key ttl (s), members. Returns the members that were missing
    // or expired (lost in Redis, or swept after a long pause): they are back, and their users may need a join.
    private const string RefreshScript = """
        local back = {}
        for i = 4, #ARGV do
          local old = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if not old or tonumber(old) <= tonumber(ARGV[1]) then back[#back + 1] = ARGV[i] end
          redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i])
        end
        redis.call('EXPIRE', KEYS[1], ARGV[3])
        return back
        """;

    // KEYS[1] set · ARGV: now. Removes expired entries; returns those whose user has no live entry left.
    private const string SweepScript = """
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if #expired == 0 then return {} end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local live = redis.call('ZRANGE', KEYS[1], 0, -1)
        local gone = {}
        for _, e in ipairs(expired) do
          local colon = string.find(e, ':', 1, true)
          local length = colon and tonumber(string.sub(e, 1, colon - 1))
          if length then
            local prefix = string.sub(e, 1, colon + length)
            local still = false
            for _, m in ipairs(live) do
              if string.sub(m, 1, #prefix) == prefix then still = true break end
            end
            if not still then gone[#gone + 1] = e end
          end
        end
        return gone
        """;

    private readonly PresenceOptions _options = options.Value;

    public bool IsConnected => redis.IsConnected;

    public RedisChannel EventChannel(string room) => RedisChannel.Literal(ChannelName(room));

    /// <returns>true when this was the user's first live entry in the room (a join was published).</returns>
    public async Task<bool> EnterAsync(string room, byte[] member, byte[] userPrefix, byte[] joinEnvelope)
    {
        var now = Now();
        var result = await redis.GetDatabase().ScriptEvaluateAsync(EnterScript, [Key(room)],
            [member, now + (_options.TtlSeconds * 1000L), now, userPrefix, _options.TtlSeconds,
                ChannelName(room), joinEnvelope]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <returns>true when the user has no live entry left in the room (a leave was published).</returns>
    public async Task<bool> ExitAsync(string room, byte[] member, byte[] userPrefix, byte[] leaveEnvelope)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ExitScript, [Key(room)],
            [member, Now(), userPrefix, ChannelName(room), leaveEnvelope]).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <summary>Pushes the expiry of this node's entries in a room forward, putting back any that were lost.</summary>
    /// <returns>The entries that had to be put back.</returns>
    public async Task<IReadOnlyList<byte[]>> RefreshAsync(string room, IReadOnlyList<byte[]> members)
    {
        var now = Now();
        RedisValue[] arguments = [now, now + (_options.TtlSeconds * 1000L), _options.TtlSeconds, .. members.Select(m => (RedisValue)m)];
        var result = await redis.GetDatabase().ScriptEvaluateAsync(RefreshScript, [Key(room)], arguments).ConfigureAwait(false);
        return [.. ((RedisValue[]?)result ?? []).Select(m => (byte[])m!)];
    }

    /// <summary>Removes expired entries (a crashed node's); returns the users no live entry holds any more.</summary>
    public async Task<IReadOnlyList<PresenceUser>> SweepAsync(string room)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(SweepScript, [Key(room)], [Now()]).ConfigureAwait(false);
        return Decode((RedisValue[]?)result ?? []);
    }

    /// <summary>The users with a live entry in the room, each once, ordered by name then id.</summary>
    public async Task<IReadOnlyList<PresenceUser>> ListAsync(string room)
    {
        var members = await redis.GetDatabase().SortedSetRangeByScoreAsync(
            Key(room), Now(), double.PositiveInfinity, Exclude.Start).ConfigureAwait(false);
        return Decode(members);
    }

    public Task PublishAsync(string room, byte[] envelope) => redis.GetSubscriber().PublishAsync(EventChannel(room), envelope);

    public async Task<ChannelMessageQueue> SubscribeAsync(string room, Action<string, byte[]> handler)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(EventChannel(room)).ConfigureAwait(false);
        queue.OnMessage(message => handler(room, (byte[])message.Message!));
        return queue;
    }

    private RedisKey Key(string room) => _options.KeyPrefix + room;

    private string ChannelName(string room) => _options.EventChannelPrefix + room;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static List<PresenceUser> Decode(RedisValue[] members)
    {
        var users = new Dictionary<string, PresenceUser>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            if (PresenceEntry.TryDecode((byte[])member!, out var user))
            {
                users.TryAdd(user.UserId, user);
            }
        }

        return [.. users.Values.Order(Comparer<PresenceUser>.Create(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.UserId, b.UserId);
        }))];
    }
}
