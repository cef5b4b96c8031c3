using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using RawChat.Core.Quotas;

namespace RawChat.Api.Quotas;

/// <summary>
/// Every <c>Quotas:HeartbeatSeconds</c>: this node's connection claims get a new expiry. When the
/// node dies, its claims expire <c>Quotas:ClaimTtlSeconds</c> later and its users' places come back.
/// </summary>
internal sealed class QuotaHeartbeat(ConnectionQuota quota, IOptions<QuotaOptions> options, ILogger<QuotaHeartbeat> logger)
    : PeriodicWork(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds), logger)
{
    protected override string Name => "Refreshing connection claims";

    protected override Task RunOnceAsync() => quota.RefreshAsync();
}
