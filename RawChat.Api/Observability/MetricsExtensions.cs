using Prometheus;
using RawChat.Api.Sockets;
using RawChat.Core.Fanout;
using RawChat.Core.Observability;
using StackExchange.Redis;

namespace RawChat.Api.Observability;

internal static class MetricsExtensions
{
    public static WebApplicationBuilder AddChatMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddSingleton<IChatMetrics>(sp => sp.GetRequiredService<ChatMetrics>());
        builder.Services.AddSingleton<PrometheusExport>();
        builder.Services.AddHostedService<MetricSources>();
        return builder.AddChatTracing();
    }

    /// <summary>
    /// Prometheus text format at <paramref name="path"/>, from this node's own registry. The export
    /// is made here, while the app is built, so it listens before anything is measured.
    /// </summary>
    public static WebApplication MapChatMetrics(this WebApplication app, string path)
    {
        app.MapMetrics(path, app.Services.GetRequiredService<PrometheusExport>().Registry);
        return app;
    }

    /// <summary>
    /// Connects the metrics to what they read at start-up (not while building, so a bad setting
    /// still fails at the start-up check): the gauges, and Redis's reconnect events.
    /// </summary>
    private sealed class MetricSources(ChatMetrics metrics, ConnectionTracker connections, ConnectionRegistry rooms,
        IConnectionMultiplexer redis) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            metrics.ObserveGauges(() => connections.Count, () => rooms.RoomCount);
            redis.ConnectionRestored += (_, e) =>
                metrics.RedisReconnected(e.ConnectionType == ConnectionType.Subscription ? "subscription" : "interactive");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
