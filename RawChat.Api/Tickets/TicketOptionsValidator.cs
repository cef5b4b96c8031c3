using Microsoft.Extensions.Options;
using RawChat.Core.Presence;
using RawChat.Core.Tickets;

namespace RawChat.Api.Tickets;

internal sealed class TicketOptionsValidator(IOptions<PresenceOptions> presence) : IValidateOptions<TicketOptions>
{
    public ValidateOptionsResult Validate(string? name, TicketOptions options)
    {
        var prefix = options.KeyPrefix;
        var presenceKeys = presence.Value.KeyPrefix;
        return options.LifetimeSeconds is < 1 or > 300 ? ValidateOptionsResult.Fail("Tickets:LifetimeSeconds must be between 1 and 300")
            : options.MaxPerUser is < 1 or > 1000 ? ValidateOptionsResult.Fail("Tickets:MaxPerUser must be between 1 and 1000")
            : string.IsNullOrEmpty(prefix) || prefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}')
                ? ValidateOptionsResult.Fail("Tickets:KeyPrefix must be non-empty, without spaces or braces, e.g. rawchat:ticket:")
            // Room names may hold ':', so a presence key could otherwise be a ticket's key.
            : prefix.StartsWith(presenceKeys, StringComparison.Ordinal) || presenceKeys.StartsWith(prefix, StringComparison.Ordinal)
                ? ValidateOptionsResult.Fail("Tickets:KeyPrefix and Presence:KeyPrefix must not start with one another")
            : ValidateOptionsResult.Success;
    }
}
