namespace RawChat.Api.Hosting;

/// <summary>
/// Runs a piece of the node's upkeep every <paramref name="interval"/> until the node stops. A
/// failed run is logged and the next one tries again: the work is always safe to repeat.
/// </summary>
internal abstract partial class PeriodicWork(TimeSpan interval, ILogger logger) : BackgroundService
{
    /// <summary>What the work is, for the log line when it fails.</summary>
    protected abstract string Name { get; }

    protected abstract Task RunOnceAsync();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await RunOnceAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogFailed(logger, e, Name);
            }
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "{Work} failed; the next run tries again")]
    private static partial void LogFailed(ILogger logger, Exception error, string work);
}
