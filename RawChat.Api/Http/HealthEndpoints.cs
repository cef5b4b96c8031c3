using Npgsql;
using StackExchange.Redis;

namespace RawChat.Api.Http;

/// <summary><c>/healthz</c>: the process runs. <c>/readyz</c>: PostgreSQL and Redis both answer.</summary>
internal static class HealthEndpoints
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
        app.MapGet("/readyz", async (NpgsqlDataSource postgres, IConnectionMultiplexer redis, CancellationToken ct) =>
        {
            var checks = await Task.WhenAll(ProbePostgresAsync(postgres, ct), ProbeRedisAsync(redis)).ConfigureAwait(false);
            var failed = new List<string>();
            if (!checks[0])
            {
                failed.Add("postgres");
            }

            if (!checks[1])
            {
                failed.Add("redis");
            }

            return failed.Count == 0
                ? Results.Ok(new { status = "ready" })
                : Results.Json(new { status = "unavailable", failed }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    private static async Task<bool> ProbePostgresAsync(NpgsqlDataSource postgres, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await using var command = postgres.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task<bool> ProbeRedisAsync(IConnectionMultiplexer redis)
    {
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(ProbeTimeout).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return false;
        }
    }
}
