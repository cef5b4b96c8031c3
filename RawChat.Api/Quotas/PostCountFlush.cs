using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using RawChat.Core.Quotas;

namespace RawChat.Api.Quotas;

/// <summary>Every <c>Quotas:FlushMilliseconds</c>: users' new post counts go to Redis and the cluster's totals come back.</summary>
internal sealed class PostCountFlush(PostQuota posts, IOptions<QuotaOptions> options, ILogger<PostCountFlush> logger)
    : PeriodicWork(TimeSpan.FromMilliseconds(options.Value.FlushMilliseconds), logger)
{
    protected override string Name => "Flushing post counts";

    protected override Task RunOnceAsync() => posts.FlushAsync();
}
