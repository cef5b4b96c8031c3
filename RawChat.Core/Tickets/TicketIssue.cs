namespace RawChat.Core.Tickets;

/// <summary>A new ticket, or (Ticket null) how long until the user may have another.</summary>
public sealed record TicketIssue(string? Ticket, TimeSpan? RetryAfter);
