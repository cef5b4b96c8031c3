using Microsoft.Extensions.Logging;
using RawChat.Core.Observability;

namespace RawChat.Core.Fanout;

/// <summary>
/// The boundary between a Redis subscription and this node: an envelope that is not what the
/// channel carries, or whose handling throws, is counted (<c>rawchat_bus_envelopes_dropped_total</c>)
/// and logged at most once a minute per kind, never with its bytes. Nothing is thrown back into
/// StackExchange.Redis, so the subscription goes on with the next envelope.
/// </summary>
internal sealed partial class EnvelopeGuard(string channel, IChatMetrics metrics, ILogger logger)
{
    public const string MessageChannel = "message";
    public const string PresenceChannel = "presence";

    private static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    private readonly LogLimiter _invalidLog = new(LogInterval);
    private readonly LogLimiter _errorLog = new(LogInterval);

    /// <summary>Hands an envelope of <paramref name="room"/> to <paramref name="deliver"/>, which returns false for one that is not valid.</summary>
    public void Handle(string room, byte[]? payload, Func<string, byte[]?, bool> deliver)
    {
        try
        {
            if (!deliver(room, payload))
            {
                metrics.EnvelopeDropped(channel, "invalid");
                if (_invalidLog.TryEnter(out var held))
                {
                    LogInvalid(logger, channel, room, held);
                }
            }
        }
        catch (Exception e)
        {
            metrics.EnvelopeDropped(channel, "error");
            if (_errorLog.TryEnter(out var held))
            {
                LogFailed(logger, e, channel, room, held);
            }
        }
    }

    [LoggerMessage(EventId = 240, Level = LogLevel.Warning,
        Message = "Dropped an envelope on the {Channel} channel of room {Room} that is not a frame of that room ({Held} more since the last warning); is something else publishing on RawChat's Redis channels?")]
    private static partial void LogInvalid(ILogger logger, string channel, string room, long held);

    [LoggerMessage(EventId = 241, Level = LogLevel.Error,
        Message = "Handling an envelope on the {Channel} channel of room {Room} failed ({Held} more since the last error); the subscription goes on")]
    private static partial void LogFailed(ILogger logger, Exception error, string channel, string room, long held);
}
