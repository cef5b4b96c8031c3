using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using RawChat.Core.Presence;

namespace RawChat.Api.Presence;

/// <summary>
/// Every <c>Presence:HeartbeatSeconds</c>: this node's presence entries get a new expiry, and
/// expired entries (a crashed node's) are swept away with a leave event for their users.
/// </summary>
internal sealed class PresenceHeartbeat(PresenceTracker presence, IOptions<PresenceOptions> options,
    ILogger<PresenceHeartbeat> logger) : PeriodicWork(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds), logger)
{
    protected override string Name => "Presence heartbeat";

    protected override Task RunOnceAsync() => presence.HeartbeatAsync();
}
