using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RawChat.Core.Observability;
using StackExchange.Redis;

namespace RawChat.Core.Fanout;

/// <summary>
/// Redis pub/sub, one channel per room. Publishing is fire-and-forget: PostgreSQL already holds
/// the message, and a node that misses it on Redis reads it from there by seq. Nobody waits for
/// Redis's answer; it is only observed, for the publish latency. With
/// <see cref="FanoutOptions.ShardedPubSub"/> the channels are shard channels (SPUBLISH/SSUBSCRIBE),
/// so on Redis Cluster a room's traffic stays on the shard that owns its slot.
/// </summary>
public sealed partial class MessageBus(IConnectionMultiplexer redis, IOptions<FanoutOptions> options, IChatMetrics metrics,
    ILogger<MessageBus> logger)
{
    private readonly string _prefix = options.Value.ChannelPrefix;
    private readonly bool _sharded = options.Value.ShardedPubSub;
    private readonly EnvelopeGuard _guard = new(EnvelopeGuard.MessageChannel, metrics, logger);

    public RedisChannel ChannelFor(string room) =>
        _sharded ? RedisChannel.Sharded(_prefix + room) : RedisChannel.Literal(_prefix + room);

    /// <summary>Publishes an envelope made by <see cref="BusEnvelope.Create"/>.</summary>
    public void Publish(string room, long seq, byte[] envelope)
    {
        var trace = ChatActivities.StartPublish(room, seq);
        var started = Stopwatch.GetTimestamp();
        Task publishing;
        try
        {
            publishing = redis.GetSubscriber().PublishAsync(ChannelFor(room), envelope);
        }
        catch (RedisException e)
        {
            publishing = Task.FromException(e);
        }

        _ = ObserveAsync(publishing, started, room, seq, trace);
    }

    private async Task ObserveAsync(Task publishing, long started, string room, long seq, Activity? trace)
    {
        try
        {
            await publishing.ConfigureAwait(false);
            metrics.Published(Stopwatch.GetElapsedTime(started).TotalSeconds);
            ChatActivities.Stop(trace);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            ChatActivities.Stop(trace, e.GetType().Name);
            metrics.PublishFailed();
            LogPublishFailed(logger, e, room, seq);
        }
    }

    /// <summary>
    /// Subscribes to a room; the handler sees the room's envelopes one at a time, in Redis order.
    /// Only message frames of this room reach it (<see cref="BusEnvelope.TryDecode"/>); anything else
    /// published on the channel, and any exception the handler throws, is counted and logged instead.
    /// </summary>
    public async Task<ChannelMessageQueue> SubscribeAsync(string room, Action<long, ReadOnlyMemory<byte>> handler)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(ChannelFor(room)).ConfigureAwait(false);
        Func<string, byte[]?, bool> deliver = (_, payload) =>
        {
            if (!BusEnvelope.TryDecode(payload, room, out var seq, out var frame))
            {
                return false;
            }

            using (ChatActivities.EnterNone())
            {
                handler(seq, frame);
            }

            return true;
        };
        queue.OnMessage(message => _guard.Handle(room, message.Message, deliver));
        return queue;
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Publish to Redis failed for room {Room} seq {Seq}; other nodes will read it from PostgreSQL")]
    private static partial void LogPublishFailed(ILogger logger, Exception error, string room, long seq);
}
