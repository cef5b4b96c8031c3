using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace RawChat.Api.Http;

/// <summary>Redis answers a PING within 2 s, on the node's one multiplexer.</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(ChatHealth.ProbeTimeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Redis did not answer");
        }
    }
}
