using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RawChat.Core.Observability;
using RawChat.Core.Storage;
using StackExchange.Redis;

namespace RawChat.Core.Fanout;

/// <summary>
/// This node's rooms: room → local members. A room is subscribed on Redis while it has at
/// least one member here and unsubscribed when its last member leaves.
/// </summary>
public sealed partial class LocalRooms
{
    private readonly ConcurrentDictionary<string, RoomHub> _hubs = new(StringComparer.Ordinal);
    private readonly MessageBus _bus;
    private readonly MessageStore _store;
    private readonly TimeSpan _gapTimeout;
    private readonly TimeSpan _restoreSettle = TimeSpan.FromSeconds(1);
    private readonly IChatMetrics _metrics;
    private readonly ILogger<LocalRooms> _logger;

    public LocalRooms(MessageBus bus, MessageStore store, IConnectionMultiplexer redis,
        IOptions<FanoutOptions> options, IChatMetrics metrics, ILogger<LocalRooms> logger)
    {
        _bus = bus;
        _store = store;
        _metrics = metrics;
        _gapTimeout = TimeSpan.FromMilliseconds(options.Value.GapTimeoutMilliseconds);
        _logger = logger;
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                _ = ResubscribeAndCatchUpAsync();
            }
        };
    }

    public int RoomCount => _hubs.Count;

    /// <summary>True while this node holds the room (and so its Redis subscription).</summary>
    public bool HoldsRoom(string room) => _hubs.TryGetValue(room, out var hub) && hub.Subscription is not null;

    /// <summary>Adds a member; the first member of a room subscribes it and starts its sequencer.</summary>
    public async Task<RoomHub> AttachAsync(string room, IRoomMember member, CancellationToken ct)
    {
        while (true)
        {
            var hub = _hubs.GetOrAdd(room, r => new RoomHub(r, _store, _gapTimeout, _metrics, _logger));
            await hub.Gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (hub.IsRetired)
                {
                    continue; // lost a race with the last member leaving; take the new hub
                }

                hub.Add(member);
                if (!hub.IsStarted)
                {
                    try
                    {
                        await StartAsync(hub, ct).ConfigureAwait(false);
                    }
                    catch
                    {
                        await ReleaseAsync(hub, member).ConfigureAwait(false);
                        throw;
                    }
                }

                return hub;
            }
            finally
            {
                hub.Gate.Release();
            }
        }
    }

    public async Task DetachAsync(RoomHub hub, IRoomMember member)
    {
        await hub.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await ReleaseAsync(hub, member).ConfigureAwait(false);
        }
        finally
        {
            hub.Gate.Release();
        }
    }

    /// <summary>The room's hub on this node; null when no member of the room is here.</summary>
    public RoomHub? HubOf(string room) => _hubs.TryGetValue(room, out var hub) && !hub.IsRetired ? hub : null;

    /// <summary>Every room held on this node now.</summary>
    public IEnumerable<RoomHub> Hubs => _hubs.Values;

    /// <summary>Hands a message stored on this node straight to its room here (no Redis round trip).</summary>
    public void OfferLocal(string room, long seq, ReadOnlyMemory<byte> frame)
    {
        if (_hubs.TryGetValue(room, out var hub))
        {
            hub.Offer(seq, frame);
        }
    }

    private async Task StartAsync(RoomHub hub, CancellationToken ct)
    {
        // Subscribe first, then read where the room stands: every later seq then reaches the hub.
        await SubscribeAsync(hub).ConfigureAwait(false);
        var baseline = await _store.LastSeqAsync(hub.Room, ct).ConfigureAwait(false);
        hub.Start(baseline);
    }

    private async Task SubscribeAsync(RoomHub hub)
    {
        try
        {
            hub.Subscription = await _bus.SubscribeAsync(hub.Room, hub.Offer).ConfigureAwait(false);
        }
        catch (RedisException e)
        {
            // Redis is the fast path only: the room still works on this node, and the
            // subscription is made again when Redis comes back.
            LogSubscribeFailed(_logger, e, hub.Room);
        }
    }

    private async Task ReleaseAsync(RoomHub hub, IRoomMember member)
    {
        if (hub.Remove(member) > 0)
        {
            return;
        }

        hub.Retire();
        _hubs.TryRemove(new KeyValuePair<string, RoomHub>(hub.Room, hub));
        var subscription = hub.Subscription;
        hub.Subscription = null;
        if (subscription is not null)
        {
            try
            {
                await subscription.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (RedisException e)
            {
                LogUnsubscribeFailed(_logger, e, hub.Room);
            }
        }
    }

    private async Task ResubscribeAndCatchUpAsync()
    {
        await CatchUpEveryRoomAsync().ConfigureAwait(false);
        // StackExchange.Redis restores its subscriptions around this event, not strictly before it:
        // a second pass covers what was published before the subscription was back.
        await Task.Delay(_restoreSettle).ConfigureAwait(false);
        await CatchUpEveryRoomAsync().ConfigureAwait(false);
    }

    private async Task CatchUpEveryRoomAsync()
    {
        foreach (var hub in _hubs.Values)
        {
            try
            {
                await hub.Gate.WaitAsync().ConfigureAwait(false);
                try
                {
                    if (hub.IsRetired)
                    {
                        continue;
                    }

                    if (hub.Subscription is null)
                    {
                        await SubscribeAsync(hub).ConfigureAwait(false);
                    }
                }
                finally
                {
                    hub.Gate.Release();
                }

                await hub.CatchUpAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogCatchUpFailed(_logger, e, hub.Room);
            }
        }
    }

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning, Message = "Subscribing to room {Room} on Redis failed; local delivery continues")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception error, string room);

    [LoggerMessage(EventId = 221, Level = LogLevel.Warning, Message = "Unsubscribing from room {Room} on Redis failed")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception error, string room);

    [LoggerMessage(EventId = 222, Level = LogLevel.Warning, Message = "Catching up room {Room} from PostgreSQL after a Redis reconnect failed")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception error, string room);
}
