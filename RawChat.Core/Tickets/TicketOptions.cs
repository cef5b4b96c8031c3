using System.ComponentModel.DataAnnotations;

namespace RawChat.Core.Tickets;

/// <summary>
/// Connection tickets (section <c>Tickets</c>): <c>POST /api/tickets</c> trades a token for a ticket that
/// opens one socket, on any node, within <see cref="LifetimeSeconds"/>. Every node of a deployment must use the same.
/// </summary>
public sealed class TicketOptions
{
    public const string SectionName = "Tickets";

    /// <summary>How long a ticket may wait for its connect (1–300 s).</summary>
    [Range(1, 300)]
    public int LifetimeSeconds { get; set; } = 30;

    /// <summary>
    /// Most tickets one user may be given within one <see cref="LifetimeSeconds"/>, used or not (1–1000);
    /// beyond it <c>POST /api/tickets</c> answers 429. So Redis holds at most this many per user.
    /// </summary>
    [Range(1, 1000)]
    public int MaxPerUser { get; set; } = 10;

    /// <summary>Prefix of the Redis keys: <c>{prefix}{sha256 of the ticket}</c> and <c>{prefix}user:{sha256 of the user id}</c>.</summary>
    [Required]
    [RegularExpression(@"^[^\s{}]+$", ErrorMessage = "{0} must be non-empty, without spaces or braces, e.g. rawchat:ticket:")]
    public string KeyPrefix { get; set; } = "rawchat:ticket:";
}
