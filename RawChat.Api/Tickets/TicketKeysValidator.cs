using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using RawChat.Core.Presence;
using RawChat.Core.Tickets;

namespace RawChat.Api.Tickets;

/// <summary>Ticket keys and presence keys need names of their own.</summary>
internal sealed class TicketKeysValidator(IOptions<PresenceOptions> presence) : IValidateOptions<TicketOptions>
{
    public ValidateOptionsResult Validate(string? name, TicketOptions options) =>
        PrefixesApart.Check(options.KeyPrefix, "Tickets:KeyPrefix", presence.Value.KeyPrefix, "Presence:KeyPrefix");
}
