using RawChat.Api.Sockets;
using RawChat.Core.Quotas;

namespace RawChat.Api.Quotas;

internal static class QuotaExtensions
{
    /// <summary>Per-user limits across the cluster, in Redis: connections (with a heartbeat) and posts (with a flush).</summary>
    public static WebApplicationBuilder AddQuotas(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConnectionClaimStore>();
        builder.Services.AddSingleton<ConnectionQuota>();
        builder.Services.AddSingleton<PostCountStore>();
        builder.Services.AddSingleton<PostQuota>();
        builder.Services.AddSingleton<ConnectionAdmission>();
        builder.Services.AddHostedService<QuotaHeartbeat>();
        builder.Services.AddHostedService<PostCountFlush>();
        return builder;
    }
}
