using Microsoft.Extensions.Options;
using RawChat.Core.Quotas;

namespace RawChat.Api.Hosting;

/// <summary>Every <c>Quotas:FlushMilliseconds</c>: users' new post counts go to Redis and the cluster's totals come back.</summary>
internal sealed partial class PostCountFlush(PostQuota posts, IOptions<QuotaOptions> options,
    ILogger<PostCountFlush> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.FlushMilliseconds));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await posts.FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogFlushFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Post counts flush failed; the next one tries again")]
    private static partial void LogFlushFailed(ILogger logger, Exception error);
}
