using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using RawChat.Core.Storage;

namespace RawChat.Core.Rooms;

/// <summary>
/// What this node read of rooms and of users in them (docs/protocol.md §14.7), so posts and deliveries never ask
/// PostgreSQL: a miss reads both in one query. Every announced change <see cref="Forget"/>s its room and user; a
/// read that was under way across a change is not kept (the generation moved), so a stale answer is never cached.
/// Entries also age out after <see cref="RoomsOptions.AccessCacheSeconds"/>, and past
/// <see cref="RoomsOptions.AccessCacheEntries"/> the cache starts again empty.
/// </summary>
public sealed class RoomAccessCache(RoomStore store, ReadGate gate, IOptions<RoomsOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry<RoomPolicy>> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Room, string UserId), Entry<UserStanding>> _standings = new();
    private readonly long _lifetimeTicks = options.Value.AccessCacheSeconds * time.TimestampFrequency;
    private readonly int _maxEntries = options.Value.AccessCacheEntries;
    private long _generation;

    public int Count => _policies.Count + _standings.Count;

    /// <summary>The room's policy and the user's standing in it; the standing is <see cref="UserStanding.Nobody"/>
    /// without a lookup when the room is open with no ban, mute or slow mode.</summary>
    public ValueTask<(RoomPolicy Policy, UserStanding Standing)> GetAsync(string room, string userId)
    {
        var now = time.GetTimestamp();
        if (_policies.TryGetValue(room, out var policy) && policy.IsFresh(now, _lifetimeTicks))
        {
            if (policy.Value.NeedsNoStanding)
            {
                return ValueTask.FromResult((policy.Value, UserStanding.Nobody));
            }

            if (_standings.TryGetValue((room, userId), out var standing) && standing.IsFresh(now, _lifetimeTicks))
            {
                return ValueTask.FromResult((policy.Value, standing.Value));
            }
        }

        return new ValueTask<(RoomPolicy, UserStanding)>(ReadAsync(room, userId));
    }

    /// <summary>Drops what is cached of the room and the user (every user of the room when null).</summary>
    public void Forget(string room, string? userId)
    {
        Interlocked.Increment(ref _generation);
        _policies.TryRemove(room, out _);
        if (userId is not null)
        {
            _standings.TryRemove((room, userId), out _);
            return;
        }

        foreach (var key in _standings.Keys)
        {
            if (key.Room == room)
            {
                _standings.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Drops everything (after this node may have missed changes: a Redis reconnect).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _policies.Clear();
        _standings.Clear();
    }

    private async Task<(RoomPolicy, UserStanding)> ReadAsync(string room, string userId)
    {
        var generation = Volatile.Read(ref _generation);
        (RoomPolicy Policy, UserStanding Standing) read;
        using (await gate.WaitAsync(CancellationToken.None).ConfigureAwait(false))
        {
            read = await store.ReadAccessAsync(room, userId).ConfigureAwait(false);
        }

        var (policy, standing) = read;
        if (Volatile.Read(ref _generation) == generation)
        {
            if (Count >= _maxEntries)
            {
                Clear();
            }

            var now = time.GetTimestamp();
            _policies[room] = new Entry<RoomPolicy>(policy, now);
            _standings[(room, userId)] = new Entry<UserStanding>(standing, now);
        }

        return (policy, standing);
    }

    private readonly record struct Entry<T>(T Value, long ReadAt)
    {
        public bool IsFresh(long now, long lifetimeTicks) => now - ReadAt < lifetimeTicks;
    }
}
