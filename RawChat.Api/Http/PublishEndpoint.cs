using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Api.Http;

/// <summary>
/// <c>POST /api/rooms/{room}/messages</c>: a backend posts into a room. The text is validated like a
/// socket post, stored and fanned out on the same path (<see cref="MessagePoster"/>), and
/// <c>Idempotency-Key</c> plays the part of <c>clientMsgId</c>. Refusals, first that applies: 400
/// <c>invalid_room</c> / <c>invalid_parameter</c> (before the token), 401 <c>invalid_token</c> (503 <c>unavailable</c>
/// while the identity provider's keys cannot be read; both <see cref="BearerGate"/>), 403 <c>forbidden</c> (not a
/// service token) / <c>forbidden_room</c>, then the body: 413 <c>message_too_big</c>, 400
/// <c>invalid_json</c> / <c>invalid_frame</c> / <c>message_empty</c> / <c>message_too_long</c>.
/// </summary>
internal static partial class PublishEndpoint
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapPublish(this RouteGroupBuilder api)
    {
        api.MapPost("/rooms/{room}/messages", PublishAsync)
            .CheckedBeforeToken(request => RequestCheck.Room(request) ?? ReadIdempotencyKey(request.Headers).Refusal)
            .WithName("PublishMessage")
            .WithTags("Messages")
            .WithSummary("Post a message into a room (service tokens only)")
            .WithDescription("Stored and fanned out like a socket post: every connection in the room, on every node, receives it. "
                + "A retry with the same Idempotency-Key stores nothing twice and answers 200 with the first message.")
            .Accepts<PublishRequest>("application/json")
            .Documents(ParameterLocation.Header, IdempotencyKeyHeader, JsonSchemaType.String,
                "1–64 characters; plays the part of the socket's clientMsgId, per service user and room.")
            .Produces<PublishedMessage>(StatusCodes.Status201Created)
            .Produces<PublishedMessage>(StatusCodes.Status200OK)
            .Refuses(StatusCodes.Status400BadRequest, "invalid_room or invalid_parameter (whatever the token); after the token, "
                + "invalid_json, invalid_frame, message_empty or message_too_long")
            .Refuses(StatusCodes.Status403Forbidden, "forbidden (not a service token) or forbidden_room")
            .Refuses(StatusCodes.Status413PayloadTooLarge, "message_too_big: the body is over Chat:MaxFrameBytes");
        return api;
    }

    private static async Task<Results<JsonAnswer, Refusal>> PublishAsync(string room, HttpContext context, MessagePoster poster,
        IOptions<ChatOptions> options, ILoggerFactory loggers)
    {
        var user = context.Caller();
        if (!user.IsService)
        {
            return new Refusal(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "only a service token may publish over HTTP");
        }

        if (!user.Rooms.Allows(room))
        {
            return new Refusal(StatusCodes.Status403Forbidden, ErrorCodes.ForbiddenRoom, "your token does not allow this room");
        }

        var chat = options.Value;
        var body = await RequestBody.ReadAsync(context.Request, chat.MaxFrameBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return new Refusal(StatusCodes.Status413PayloadTooLarge, ErrorCodes.MessageTooBig, $"the body is larger than {chat.MaxFrameBytes} bytes");
        }

        var (request, error) = PublishRequest.Parse(body, chat.MaxMessageLength);
        if (request is null)
        {
            return new Refusal(StatusCodes.Status400BadRequest, error!, Describe(error!));
        }

        AppendResult result;
        try
        {
            // Not cancelled with the request: once sent to PostgreSQL, the message is stored or not, and a
            // retry with the same Idempotency-Key finds out which.
            result = await poster.StoreAsync(new NewMessage(room, user.UserId, request.User ?? user.Name, request.Message,
                ReadIdempotencyKey(context.Request.Headers).Key)).ConfigureAwait(false);
        }
        catch (AppendRefusedException e) when (e.Refusal == AppendRefusal.Invalid)
        {
            return new Refusal(StatusCodes.Status400BadRequest, ErrorCodes.InvalidFrame, "PostgreSQL cannot store this text");
        }
        catch (AppendRefusedException e)
        {
            LogStoreFailed(loggers.CreateLogger(typeof(PublishEndpoint).FullName!), e, room);
            return new Refusal(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable,
                "the message could not be stored; retry with the same Idempotency-Key")
            { RetryAfterSeconds = 2 };
        }

        if (!result.Duplicate)
        {
            poster.Distribute(result.Message);
        }

        return new JsonAnswer(result.Duplicate ? StatusCodes.Status200OK : StatusCodes.Status201Created,
            ServerFrames.Published(result.Message, result.Duplicate));
    }

    /// <summary>The <c>Idempotency-Key</c> header, when present: exactly one value of 1–64 code points.</summary>
    private static (string? Key, Refusal? Refusal) ReadIdempotencyKey(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(IdempotencyKeyHeader, out var keys))
        {
            return (null, null);
        }

        var key = keys.Count == 1 ? keys[0] : null;
        return key is null || MessageText.CodePointLength(key) is < 1 or > ClientFrameParser.MaxClientMsgIdLength
            ? (null, new Refusal(StatusCodes.Status400BadRequest, ErrorCodes.InvalidParameter, "Idempotency-Key must be one value of 1-64 characters"))
            : (key, null);
    }

    private static string Describe(string code) => code switch
    {
        ErrorCodes.InvalidJson => "the body is not valid JSON",
        ErrorCodes.InvalidFrame => "the body must be an object with a string \"message\" and an optional string \"user\" (1-128 characters)",
        _ => ErrorMessages.Describe(code),
    };

    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "Publish to room {Room}: storing the message failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception error, string room);
}
