using Microsoft.Extensions.Options;
using RawChat.Core.Presence;

namespace RawChat.Api.Hosting;

/// <summary>
/// Every <c>Presence:HeartbeatSeconds</c>: this node's presence entries get a new expiry, and
/// expired entries (a crashed node's) are swept away with a leave event for their users.
/// </summary>
internal sealed partial class PresenceHeartbeat(PresenceTracker presence, IOptions<PresenceOptions> options,
    ILogger<PresenceHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await presence.HeartbeatAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogHeartbeatFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Presence heartbeat failed; the next one tries again")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception error);
}
