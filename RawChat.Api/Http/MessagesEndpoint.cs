using Microsoft.Extensions.Options;
using RawChat.Api.Sockets;
using RawChat.Core.Auth;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Api.Http;

/// <summary>
/// <c>GET /api/rooms/{room}/messages?before=&amp;limit=</c>: a page of stored messages, paged like the
/// <c>history</c> frame (and cut at the same byte budget). Refusals in PROTOCOL §6's order: 400, then
/// 401, then 403; 429 <c>rate_limited</c> when every read slot stayed taken, 503 when storage fails.
/// </summary>
internal static class MessagesEndpoint
{
    private const int DefaultLimit = 50;

    public static WebApplication MapChatApi(this WebApplication app)
    {
        app.MapGet("/api/rooms/{room}/messages", ReadAsync);
        return app;
    }

    private static async Task ReadAsync(HttpContext context, string room, TokenValidator tokens, MessageStore store,
        IOptions<ChatOptions> options)
    {
        var query = context.Request.Query;
        if (!RoomName.IsValid(room))
        {
            await Refuse(400, ErrorCodes.InvalidRoom, "invalid room name").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        long? before = null;
        if (query.TryGetValue("before", out var beforeText))
        {
            if (!DecimalParameter.TryParse(beforeText[0], 1, out var value))
            {
                await Refuse(400, ErrorCodes.InvalidParameter, "before must be a decimal integer >= 1").WriteAsync(context).ConfigureAwait(false);
                return;
            }

            before = value;
        }

        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!DecimalParameter.TryParse(limitText[0], 1, out var value) || value > ClientFrameParser.MaxHistoryLimit)
            {
                await Refuse(400, ErrorCodes.InvalidParameter, "limit must be between 1 and 200").WriteAsync(context).ConfigureAwait(false);
                return;
            }

            limit = (int)value;
        }

        var outcome = await tokens.ValidateAsync(TokenSources.FromAuthorizationHeader(context.Request)).ConfigureAwait(false);
        if (outcome.User is not { } user)
        {
            await (outcome.Unavailable ? Refusal.KeysUnavailable(outcome) : Refuse(401, ErrorCodes.InvalidToken, outcome.FailureDetail ?? "invalid token"))
                .WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!user.Rooms.Allows(room))
        {
            await Refuse(403, ErrorCodes.ForbiddenRoom, "your token does not allow this room").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var maxBytes = options.Value.MaxPageBytes;
        List<StoredMessage> candidates;
        try
        {
            candidates = await store.ReadPageAsync(room, before, limit, maxBytes, ReadAdmission.RefuseWhenBusy, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (ReadsBusyException)
        {
            await new Refusal(429, ErrorCodes.RateLimited, "too many reads at once; retry later") { RetryAfterSeconds = 1 }
                .WriteAsync(context).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (FrameHandler.IsStorageFailure(e))
        {
            await new Refusal(503, ErrorCodes.Unavailable, "storage is unavailable; retry later") { RetryAfterSeconds = 2 }
                .WriteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(ServerFrames.HistoryPage(room, candidates, limit, maxBytes), context.RequestAborted)
            .ConfigureAwait(false);
    }

    private static Refusal Refuse(int status, string code, string detail) => new(status, code, detail);
}
