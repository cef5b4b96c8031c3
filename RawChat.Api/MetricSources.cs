using RawChat.Api.Observability;
using RawChat.Api.Sockets;
using RawChat.Core.Fanout;
using StackExchange.Redis;

namespace RawChat.Api;

/// <summary>
/// Connects the metrics to what they read at start-up (not while building, so a bad setting
/// still fails at the start-up check): the gauges, and Redis's reconnect events. It lives in the
/// composition root so that Observability knows nothing of the features it counts.
/// </summary>
internal sealed class MetricSources(ChatMetrics metrics, OpenSockets sockets, LocalRooms rooms,
    IConnectionMultiplexer redis) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveGauges(() => sockets.Count, () => rooms.RoomCount);
        redis.ConnectionRestored += (_, e) =>
            metrics.RedisReconnected(e.ConnectionType == ConnectionType.Subscription ? "subscription" : "interactive");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static WebApplicationBuilder AddTo(WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<MetricSources>();
        return builder;
    }
}
