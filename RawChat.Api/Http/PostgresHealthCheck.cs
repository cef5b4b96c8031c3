using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace RawChat.Api.Http;

/// <summary>PostgreSQL answers <c>SELECT 1</c> within 2 s, on the node's own pool.</summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource postgres) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ChatHealth.ProbeTimeout);
        try
        {
            await using var command = postgres.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL did not answer");
        }
    }
}
