using RawChat.Core.Tickets;

namespace RawChat.Api.Tickets;

internal static class TicketExtensions
{
    /// <summary>Single-use connection tickets in Redis (<c>POST /api/tickets</c>, <c>?ticket=</c>).</summary>
    public static WebApplicationBuilder AddTickets(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TicketStore>();
        return builder;
    }
}
