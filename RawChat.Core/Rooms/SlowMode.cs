using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RawChat.Core.Rooms;

/// <summary>
/// One post per <c>n</c> seconds per user and room, across all nodes (docs/protocol.md §14.5): a post takes a Redis key
/// that lives <c>n</c> seconds (<c>SET NX PX</c>); while it lives, the answer is how long it still does. Asked only in
/// rooms that have slow mode on. When Redis cannot answer, the post is let through: slow mode is a courtesy, not a
/// safety limit (the posting budgets still hold).
/// </summary>
public sealed class SlowMode(IConnectionMultiplexer redis, IOptions<RoomsOptions> options)
{
    private readonly string _prefix = options.Value.KeyPrefix + "slow:";

    /// <returns>null when the user may post now (the slot is taken), else the milliseconds to wait.</returns>
    public async Task<long?> TryTakeAsync(string room, string userId, int seconds)
    {
        RedisKey key = $"{_prefix}{room.Length}:{room}:{userId}";
        try
        {
            var db = redis.GetDatabase();
            if (await db.StringSetAsync(key, 1, TimeSpan.FromSeconds(seconds), When.NotExists).ConfigureAwait(false))
            {
                return null;
            }

            var left = await db.KeyTimeToLiveAsync(key).ConfigureAwait(false);
            return Math.Max(1, (long)Math.Ceiling((left ?? TimeSpan.FromSeconds(seconds)).TotalMilliseconds));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }
}
