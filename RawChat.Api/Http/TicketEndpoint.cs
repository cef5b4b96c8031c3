using System.Globalization;
using System.Text.Json;
using RawChat.Api.Sockets;
using RawChat.Core.Auth;
using RawChat.Core.Protocol;
using RawChat.Core.Tickets;
using StackExchange.Redis;

namespace RawChat.Api.Http;

/// <summary>
/// <c>POST /api/tickets</c> with <c>Authorization: Bearer &lt;jwt&gt;</c>: 201 <c>{"ticket": "rct_…", "expiresAt": "…"}</c>,
/// a ticket that opens one socket (<c>/ws/chat?ticket=…</c>) on any node before it expires, for clients that must
/// put a credential in a URL. Refusals, each with the §1 body: 401 <c>invalid_token</c> (503 <c>unavailable</c>
/// while the identity provider's keys cannot be read), 429 <c>rate_limited</c> when the user was given
/// <c>Tickets:MaxPerUser</c> tickets within one lifetime, 503 <c>unavailable</c> when Redis cannot be reached.
/// </summary>
internal static partial class TicketEndpoint
{
    public static WebApplication MapTicketApi(this WebApplication app)
    {
        app.MapPost("/api/tickets", IssueAsync);
        return app;
    }

    private static async Task IssueAsync(HttpContext context, TokenValidator tokens, TicketStore tickets, TimeProvider time,
        ILoggerFactory loggers)
    {
        var outcome = await tokens.ValidateAsync(TokenSources.FromAuthorizationHeader(context.Request)).ConfigureAwait(false);
        if (outcome.User is not { } user)
        {
            await (outcome.Unavailable ? Refusal.KeysUnavailable(outcome) : new Refusal(401, ErrorCodes.InvalidToken, outcome.FailureDetail ?? "invalid token"))
                .WriteAsync(context).ConfigureAwait(false);
            return;
        }

        TicketIssue issue;
        try
        {
            issue = await tickets.IssueAsync(user).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogIssueFailed(loggers.CreateLogger(typeof(TicketEndpoint).FullName!), e);
            await new Refusal(503, ErrorCodes.Unavailable, "tickets cannot be made now; retry later") { RetryAfterSeconds = 2 }
                .WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (issue.Ticket is not { } ticket)
        {
            await new Refusal(429, ErrorCodes.RateLimited, "too many tickets for this user; use one, or wait")
                { RetryAfterSeconds = (int)Math.Ceiling(issue.RetryAfter!.Value.TotalSeconds) }.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        // The connection lives by the token: a ticket of a token that expires sooner is good only until then.
        var expiresAt = Min(time.GetUtcNow() + tickets.Lifetime, new DateTimeOffset(user.ExpiresAtUtc, TimeSpan.Zero) + tokens.ClockSkew);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        var body = Answer(ticket, expiresAt);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
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
