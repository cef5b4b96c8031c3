using RawChat.Api.Auth;
using RawChat.Api.Http;
using RawChat.Core.Auth;
using RawChat.Core.Protocol;
using RawChat.Core.Tickets;
using StackExchange.Redis;

namespace RawChat.Api.Sockets;

/// <summary>
/// Who is connecting: the user of a token (<see cref="TokenSources"/>), or of a single-use ticket
/// (<c>?ticket=</c>, from <c>POST /api/tickets</c>), which stands for the token it was made from and
/// lives no longer than it. A request that brings both a ticket and a token is refused, and its ticket
/// is not used up.
/// </summary>
internal sealed partial class ConnectCredentials(TokenValidator tokens, TicketStore tickets, TimeProvider time,
    ILogger<ConnectCredentials> logger)
{
    public async Task<(ChatUser? User, Refusal? Refusal)> ResolveAsync(HttpRequest request, IList<string> requestedSubprotocols)
    {
        var token = TokenSources.Find(request, requestedSubprotocols);
        var ticket = TokenSources.Ticket(request);
        if (ticket is null)
        {
            var outcome = await tokens.ValidateAsync(token).ConfigureAwait(false);
            return outcome.User is { } user ? (user, null)
                : outcome.Unavailable ? (null, Refusal.KeysUnavailable(outcome))
                : Invalid(outcome.FailureDetail ?? "invalid token");
        }

        if (token is not null)
        {
            return Invalid("give a ticket or a token, not both");
        }

        ChatUser? holder;
        try
        {
            holder = await tickets.RedeemAsync(ticket).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedeemFailed(logger, e);
            return (null, new Refusal(503, ErrorCodes.Unavailable, "tickets cannot be checked now; retry later") { RetryAfterSeconds = 2 });
        }

        return holder is null ? Invalid("unknown, used or expired ticket")
            : holder.ExpiresAtUtc + tokens.ClockSkew <= time.GetUtcNow().UtcDateTime ? Invalid("token expired")
            : (holder, null);
    }

    private static (ChatUser?, Refusal?) Invalid(string detail) => (null, new Refusal(401, ErrorCodes.InvalidToken, detail));

    [LoggerMessage(EventId = 631, Level = LogLevel.Warning, Message = "A ticket could not be checked: Redis did not answer")]
    private static partial void LogRedeemFailed(ILogger logger, Exception error);
}
