using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;

namespace RawChat.Api.Presence;

/// <summary>Presence events and room messages need channels of their own.</summary>
internal sealed class PresenceChannelsValidator(IOptions<FanoutOptions> fanout) : IValidateOptions<PresenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PresenceOptions options) =>
        PrefixesApart.Check(options.EventChannelPrefix, "Presence:EventChannelPrefix", fanout.Value.ChannelPrefix, "Fanout:ChannelPrefix");
}
