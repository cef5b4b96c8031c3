using Microsoft.Extensions.Options;
using RawChat.Core.Presence;
using RawChat.Core.Tickets;

namespace RawChat.Api.Tickets;

/// <summary>Ticket keys and presence keys need names of their own.</summary>
internal sealed class TicketKeysValidator(IOptions<PresenceOptions> presence) : IValidateOptions<TicketOptions>
{
    public ValidateOptionsResult Validate(string? name, TicketOptions options)
    {
        var rooms = presence.Value.KeyPrefix ?? "";
        var tickets = options.KeyPrefix ?? "";
        // Room names may hold ':', so a presence key could otherwise be a ticket's key.
        return tickets.Length > 0 && rooms.Length > 0
            && (tickets.StartsWith(rooms, StringComparison.Ordinal) || rooms.StartsWith(tickets, StringComparison.Ordinal))
                ? ValidateOptionsResult.Fail("Tickets:KeyPrefix and Presence:KeyPrefix must not start with one another")
                : ValidateOptionsResult.Success;
    }
}
