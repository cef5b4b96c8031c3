using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using RawChat.Core.Auth;
using RawChat.Core.Protocol;
using RawChat.Core.Tickets;
using StackExchange.Redis;

namespace RawChat.Api.Http;

/// <summary>
/// <c>POST /api/tickets</c> with <c>Authorization: Bearer &lt;jwt&gt;</c>: 201 <c>{"ticket": "rct_…", "expiresAt": "…"}</c>,
/// a ticket that opens one socket (<c>/ws/chat?ticket=…</c>) on any node before it expires, for clients that must
/// put a credential in a URL. Refusals, each with the §1 body: 401 <c>invalid_token</c> (503 <c>unavailable</c>
/// while the identity provider's keys cannot be read; both <see cref="BearerGate"/>), 429 <c>rate_limited</c> when the user was given
/// <c>Tickets:MaxPerUser</c> tickets within one lifetime, 503 <c>unavailable</c> when Redis cannot be reached.
/// </summary>
internal static partial class TicketEndpoint
{
    public static RouteGroupBuilder MapTickets(this RouteGroupBuilder api)
    {
        api.MapPost("/tickets", IssueAsync)
            .WithName("IssueTicket")
            .WithTags("Tickets")
            .WithSummary("Get a one-use ticket for a socket")
            .WithDescription("For clients that must put a credential in a URL: /ws/chat?ticket=… opens one socket on any node "
                + "before expiresAt (Tickets:LifetimeSeconds, and never past the token's own expiry). Only the Authorization header is read.")
            .Produces<TicketAnswer>(StatusCodes.Status201Created)
            .Refuses(StatusCodes.Status429TooManyRequests, "rate_limited, with Retry-After: Tickets:MaxPerUser tickets within one lifetime");
        return api;
    }

    private static async Task<Results<JsonAnswer, Refusal>> IssueAsync(HttpContext context, TokenValidator tokens, TicketStore tickets,
        TimeProvider time, ILoggerFactory loggers)
    {
        var user = context.Caller();
        TicketIssue issue;
        try
        {
            issue = await tickets.IssueAsync(user).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogIssueFailed(loggers.CreateLogger(typeof(TicketEndpoint).FullName!), e);
            return new Refusal(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "tickets cannot be made now; retry later")
            { RetryAfterSeconds = 2 };
        }

        if (issue.Ticket is not { } ticket)
        {
            return new Refusal(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "too many tickets for this user; use one, or wait")
            { RetryAfterSeconds = (int)Math.Ceiling(issue.RetryAfter!.Value.TotalSeconds) };
        }

        // The connection lives by the token: a ticket of a token that expires sooner is good only until then.
        var expiresAt = Min(time.GetUtcNow() + tickets.Lifetime, new DateTimeOffset(user.ExpiresAtUtc, TimeSpan.Zero) + tokens.ClockSkew);
        return new JsonAnswer(StatusCodes.Status201Created, Answer(ticket, expiresAt)) { NoStore = true };
    }

    private static byte[] Answer(string ticket, DateTimeOffset expiresAt)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ticket", ticket);
            json.WriteString("expiresAt", expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(EventId = 630, Level = LogLevel.Warning, Message = "A ticket could not be made: Redis did not answer")]
    private static partial void LogIssueFailed(ILogger logger, Exception error);
}
