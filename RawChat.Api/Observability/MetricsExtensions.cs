using Prometheus;
using RawChat.Core.Observability;

namespace RawChat.Api.Observability;

internal static class MetricsExtensions
{
    public static WebApplicationBuilder AddChatMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChatMetrics>();
        builder.Services.AddSingleton<IChatMetrics>(sp => sp.GetRequiredService<ChatMetrics>());
        builder.Services.AddSingleton<PrometheusExport>();
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
}
