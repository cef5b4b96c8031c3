using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RawChat.Core.Fanout;
using RawChat.Core.Rooms;
using RawChat.Core.Storage;
using StackExchange.Redis;

namespace RawChat.Core.Chat;

/// <summary>
/// Makes a change to a room take effect on every node (docs/protocol.md §14.7). The node that made it applies it at
/// once, then announces it on the Redis control channel; every other node applies it when it hears it: it forgets
/// what it cached of that room and user, sends <c>member</c> frames to members who opted in, after the message the
/// change followed, and takes out of the room every socket that may no longer be there. A node that lost Redis may
/// have missed changes: when the connection is back it forgets everything and checks every socket it holds again.
/// </summary>
public sealed partial class RoomChanges
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RoomAccessCache _cache;
    private readonly RoomGuard _guard;
    private readonly LocalRooms _rooms;
    private readonly RoomJoiner _joiner;
    private readonly ILogger<RoomChanges> _logger;
    private readonly RedisChannel _channel;
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private ChannelMessageQueue? _listening;

    public RoomChanges(IConnectionMultiplexer redis, RoomAccessCache cache, RoomGuard guard, LocalRooms rooms, RoomJoiner joiner,
        IOptions<RoomsOptions> options, ILogger<RoomChanges> logger)
    {
        _redis = redis;
        _cache = cache;
        _guard = guard;
        _rooms = rooms;
        _joiner = joiner;
        _logger = logger;
        _channel = RedisChannel.Literal(options.Value.KeyPrefix + "control");
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                _ = ReconcileAsync();
            }
        };
    }

    /// <summary>
    /// Listens to the control channel. Once subscribed, StackExchange.Redis restores the subscription itself after a
    /// reconnect; a first attempt that failed is made again then (<see cref="ReconcileAsync"/>).
    /// </summary>
    public async Task ListenAsync()
    {
        if (_listening is not null)
        {
            return;
        }

        try
        {
            var queue = await _redis.GetSubscriber().SubscribeAsync(_channel).ConfigureAwait(false);
            queue.OnMessage(message => OnMessageAsync(message.Message));
            _listening = queue;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogListenFailed(_logger, e);
        }
    }

    /// <summary>Applies a change committed on this node, then tells the other nodes.</summary>
    public async Task AnnounceAsync(string room, string? userId, string change, string? role, long seq)
    {
        var announced = new RoomChange(room, userId, change, role, seq, _origin);
        await ApplyAsync(announced).ConfigureAwait(false);
        try
        {
            await _redis.GetSubscriber().PublishAsync(_channel, announced.Encode()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // PostgreSQL holds the change; other nodes see it when their cache entries age out or Redis returns.
            LogAnnounceFailed(_logger, e, room);
        }
    }

    private async Task OnMessageAsync(RedisValue payload)
    {
        if (RoomChange.TryDecode(payload) is not { } change || change.Origin == _origin)
        {
            return;
        }

        try
        {
            await ApplyAsync(change).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogApplyFailed(_logger, e, change.Room);
        }
    }

    private async Task ApplyAsync(RoomChange change)
    {
        _cache.Forget(change.Room, change.UserId);
        if (_rooms.HubOf(change.Room) is not { } hub)
        {
            return;
        }

        if (change.IsMemberEvent)
        {
            var frame = RoomFrames.Member(change);
            hub.RunAfter(change.Seq, () =>
            {
                foreach (var member in hub.Members)
                {
                    if (member is RoomMembership { Connection: { } connection } membership && connection.HasFeature(ConnectionFeatures.Members))
                    {
                        membership.DeliverEvent(frame);
                    }
                }
            });
        }

        if (change.MayRevoke)
        {
            await RecheckAsync(hub, change.UserId, change.Event switch
            {
                RoomChange.Banned => "banned",
                RoomChange.Created => "closed",
                _ => "removed",
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Takes out of the room the sockets (of <paramref name="userId"/>, or all) that may no longer be there.</summary>
    private async Task RecheckAsync(RoomHub hub, string? userId, string? reason)
    {
        foreach (var member in hub.Members)
        {
            if (member is not RoomMembership { Connection: { } connection } membership || membership.HasEnded
                || (userId is not null && connection.User.UserId != userId))
            {
                continue;
            }

            try
            {
                if (await _guard.RefuseReadAsync(connection.User, hub.Room).ConfigureAwait(false) is null)
                {
                    continue;
                }

                await _joiner.RevokeAsync(hub, membership, reason ?? await ReasonAsync(hub.Room, connection.User.UserId).ConfigureAwait(false))
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (StorageFailures.IsReadFailure(e))
            {
                LogRecheckFailed(_logger, e, hub.Room);
            }
        }
    }

    private async Task<string> ReasonAsync(string room, string userId)
    {
        var (_, standing) = await _cache.GetAsync(room, userId).ConfigureAwait(false);
        return standing.Banned ? "banned" : "removed";
    }

    /// <summary>After Redis was away: listen again, forget everything, and check every socket held here.</summary>
    private async Task ReconcileAsync()
    {
        await ListenAsync().ConfigureAwait(false);
        _cache.Clear();
        foreach (var hub in _rooms.Hubs.ToList())
        {
            await RecheckAsync(hub, userId: null, reason: null).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 230, Level = LogLevel.Warning, Message = "Listening to the rooms control channel failed; retried when Redis is back")]
    private static partial void LogListenFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 231, Level = LogLevel.Warning, Message = "Announcing a change of room {Room} on Redis failed")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception error, string room);

    [LoggerMessage(EventId = 232, Level = LogLevel.Warning, Message = "Applying a change of room {Room} failed")]
    private static partial void LogApplyFailed(ILogger logger, Exception error, string room);

    [LoggerMessage(EventId = 233, Level = LogLevel.Warning, Message = "Checking the sockets of room {Room} after a change failed")]
    private static partial void LogRecheckFailed(ILogger logger, Exception error, string room);
}
