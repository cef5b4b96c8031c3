using Microsoft.Extensions.Options;
using RawChat.Core.Quotas;

namespace RawChat.Api.Hosting;

/// <summary>
/// Every <c>Quotas:HeartbeatSeconds</c>: this node's connection claims get a new expiry. When the
/// node dies, its claims expire <c>Quotas:ClaimTtlSeconds</c> later and its users' places come back.
/// </summary>
internal sealed partial class QuotaHeartbeat(ConnectionQuota quota, IOptions<QuotaOptions> options,
    ILogger<QuotaHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await quota.RefreshAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogHeartbeatFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "Connection claims heartbeat failed; the next one tries again")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception error);
}
