using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RawChat.Api.Http;

/// <summary>
/// <c>/healthz</c> (liveness): the process runs; no dependency is asked. <c>/readyz</c> (readiness): the
/// checks tagged <c>ready</c>, PostgreSQL and Redis, both answer. Bodies: <c>{"status":"ok"}</c>,
/// <c>{"status":"ready"}</c>, or 503 <c>{"status":"unavailable","failed":["postgres", …]}</c>.
/// </summary>
internal static class ChatHealth
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private const string Ready = "ready";

    // As before the health checks: GET only, any other method 405.
    private static readonly HttpMethodMetadata GetOnly = new([HttpMethods.Get]);

    public static WebApplicationBuilder AddChatHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [Ready])
            .AddCheck<RedisHealthCheck>("redis", tags: [Ready]);
        return builder;
    }

    public static WebApplication MapChatHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = (context, _) => WriteAsync(context, "ok") })
            .WithMetadata(GetOnly);
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = (context, report) => WriteAsync(context, report.Status == HealthStatus.Healthy ? "ready" : "unavailable",
                [.. report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key)]),
            ResultStatusCodes =
            {
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
            },
        }).WithMetadata(GetOnly);
        return app;
    }

    private static Task WriteAsync(HttpContext context, string status, string[]? failed = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status"u8, status);
            if (failed is { Length: > 0 })
            {
                json.WriteStartArray("failed"u8);
                foreach (var name in failed)
                {
                    json.WriteStringValue(name);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = buffer.Length;
        return context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).AsTask();
    }
}
