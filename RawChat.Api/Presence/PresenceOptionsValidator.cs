using Microsoft.Extensions.Options;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;

namespace RawChat.Api.Presence;

internal sealed class PresenceOptionsValidator(IOptions<FanoutOptions> fanout) : IValidateOptions<PresenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PresenceOptions options)
    {
        var rooms = fanout.Value.ChannelPrefix;
        var events = options.EventChannelPrefix;
        return options.HeartbeatSeconds < 1 ? ValidateOptionsResult.Fail("Presence:HeartbeatSeconds must be at least 1")
            : options.TtlSeconds < 2 * options.HeartbeatSeconds || options.TtlSeconds > 3600
                ? ValidateOptionsResult.Fail("Presence:TtlSeconds must be at least twice Presence:HeartbeatSeconds and at most 3600")
            : string.IsNullOrEmpty(options.KeyPrefix) || string.IsNullOrEmpty(events)
                ? ValidateOptionsResult.Fail("Presence:KeyPrefix and Presence:EventChannelPrefix must not be empty")
            // Room names may hold ':', so one prefix starting the other could put presence events on a room's message channel.
            : events.StartsWith(rooms, StringComparison.Ordinal) || rooms.StartsWith(events, StringComparison.Ordinal)
                ? ValidateOptionsResult.Fail("Presence:EventChannelPrefix and Fanout:ChannelPrefix must not start with one another")
            : ValidateOptionsResult.Success;
    }
}
