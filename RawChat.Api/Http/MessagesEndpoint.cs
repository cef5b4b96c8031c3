using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;
using RawChat.Core.Storage;

namespace RawChat.Api.Http;

/// <summary>
/// <c>GET /api/rooms/{room}/messages?before=&amp;limit=</c>: a page of stored messages, paged like the
/// <c>history</c> frame (and cut at the same byte budget). Refusals in docs/protocol.md §6's order: 400 (here,
/// before the token), then 401 (<see cref="BearerGate"/>), then 403; 429 <c>rate_limited</c> when every
/// read slot stayed taken (<see cref="ReadGateRefusal"/>), 503 when storage fails.
/// </summary>
internal static class MessagesEndpoint
{
    private const int DefaultLimit = 50;

    public static RouteGroupBuilder MapMessages(this RouteGroupBuilder api)
    {
        api.MapGet("/rooms/{room}/messages", ReadAsync)
            .CheckedBeforeToken(request => RequestCheck.Room(request) ?? ReadQuery(request.Query).Refusal)
            .WithName("ReadMessages")
            .WithTags("Messages")
            .WithSummary("Read a page of a room's stored messages")
            .WithDescription("Newest page first; pass the first seq of a page as before to read the page older than it. "
                + "The page is also cut at Chat:MaxPageBytes (at least one message), and hasMore tells whether older messages exist.")
            .Documents(ParameterLocation.Query, "before", JsonSchemaType.Integer,
                "A seq, exclusive, decimal digits, at least 1. Omitted: the newest page.")
            .Documents(ParameterLocation.Query, "limit", JsonSchemaType.Integer, "1–200 messages, decimal digits; default 50.")
            .Produces<MessagePage>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room or invalid_parameter, whatever the token")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden_room: the token's rooms claim does not allow this room, or you may not read it (docs/protocol.md §14.1)")
            .Refuses(StatusCodes.Status429TooManyRequests, "rate_limited, with Retry-After: every read slot of the node is taken");
        return api;
    }

    private static async Task<Results<JsonAnswer, Refusal>> ReadAsync(string room, HttpContext context, MessageStore store,
        RoomGuard guard, IOptions<ChatOptions> options)
    {
        if (!context.Caller().Rooms.Allows(room))
        {
            return new Refusal(StatusCodes.Status403Forbidden, ErrorCodes.ForbiddenRoom, "your token does not allow this room");
        }

        var (before, limit, _) = ReadQuery(context.Request.Query);
        var maxBytes = options.Value.MaxPageBytes;
        List<StoredMessage> candidates;
        try
        {
            if (await guard.RefuseReadAsync(context.Caller(), room).ConfigureAwait(false) is not null)
            {
                return new Refusal(StatusCodes.Status403Forbidden, ErrorCodes.ForbiddenRoom, "you may not use this room");
            }

            candidates = await store.ReadPageAsync(room, before, limit, maxBytes, ReadAdmission.RefuseWhenBusy, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (StorageFailures.IsReadFailure(e))
        {
            return new Refusal(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "storage is unavailable; retry later")
            { RetryAfterSeconds = 2 };
        }

        return new JsonAnswer(StatusCodes.Status200OK, ServerFrames.HistoryPage(room, candidates, limit, maxBytes));
    }

    /// <summary><c>before</c> and <c>limit</c>: decimal digits only; an empty value is invalid, not absent.</summary>
    private static (long? Before, int Limit, Refusal? Refusal) ReadQuery(IQueryCollection query)
    {
        long? before = null;
        if (query.TryGetValue("before", out var beforeText))
        {
            if (!DecimalParameter.TryParse(beforeText[0], 1, out var value))
            {
                return (null, 0, InvalidParameter("before must be a decimal integer >= 1"));
            }

            before = value;
        }

        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!DecimalParameter.TryParse(limitText[0], 1, out var value) || value > ClientFrameParser.MaxHistoryLimit)
            {
                return (null, 0, InvalidParameter("limit must be between 1 and 200"));
            }

            limit = (int)value;
        }

        return (before, limit, null);
    }

    private static Refusal InvalidParameter(string detail) => new(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParameter, detail);
}
