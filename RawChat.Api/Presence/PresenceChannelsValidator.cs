using Microsoft.Extensions.Options;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;

namespace RawChat.Api.Presence;

/// <summary>Presence events and room messages need channels of their own.</summary>
internal sealed class PresenceChannelsValidator(IOptions<FanoutOptions> fanout) : IValidateOptions<PresenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PresenceOptions options)
    {
        var rooms = fanout.Value.ChannelPrefix ?? "";
        var events = options.EventChannelPrefix ?? "";
        // Room names may hold ':', so one prefix starting the other could put presence events on a room's message channel.
        return events.Length > 0 && rooms.Length > 0
            && (events.StartsWith(rooms, StringComparison.Ordinal) || rooms.StartsWith(events, StringComparison.Ordinal))
                ? ValidateOptionsResult.Fail("Presence:EventChannelPrefix and Fanout:ChannelPrefix must not start with one another")
                : ValidateOptionsResult.Success;
    }
}
