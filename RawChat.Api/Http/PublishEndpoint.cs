using System.Buffers;
using Microsoft.Extensions.Options;
using RawChat.Api.Sockets;
using RawChat.Core.Auth;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Api.Http;

/// <summary>
/// <c>POST /api/rooms/{room}/messages</c>: a backend posts into a room. The text is validated like a
/// socket post, stored and fanned out on the same path (<see cref="MessagePoster"/>), and
/// <c>Idempotency-Key</c> plays the part of <c>clientMsgId</c>. Refusals, first that applies: 400
/// <c>invalid_room</c> / <c>invalid_parameter</c>, 401 <c>invalid_token</c> (503 <c>unavailable</c> while
/// the identity provider's keys cannot be read), 403 <c>forbidden</c> (not a
/// service token) / <c>forbidden_room</c>, then the body: 413 <c>message_too_big</c>, 400
/// <c>invalid_json</c> / <c>invalid_frame</c> / <c>message_empty</c> / <c>message_too_long</c>.
/// </summary>
internal static partial class PublishEndpoint
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    public static WebApplication MapPublishApi(this WebApplication app)
    {
        app.MapPost("/api/rooms/{room}/messages", PublishAsync);
        return app;
    }

    private static async Task PublishAsync(HttpContext context, string room, TokenValidator tokens, MessagePoster poster,
        IOptions<ChatOptions> options, ILoggerFactory loggers)
    {
        var auth = await AuthoriseAsync(context, room, tokens).ConfigureAwait(false);
        if (auth.Refusal is not null)
        {
            await auth.Refusal.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var chat = options.Value;
        var body = await ReadBodyAsync(context.Request, chat.MaxFrameBytes, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await new Refusal(413, ErrorCodes.MessageTooBig, $"the body is larger than {chat.MaxFrameBytes} bytes")
                .WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var (request, error) = PublishRequest.Parse(body, chat.MaxMessageLength);
        if (request is null)
        {
            await new Refusal(400, error!, Describe(error!)).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var user = auth.User!;
        AppendResult result;
        try
        {
            // Not cancelled with the request: once sent to PostgreSQL, the message is stored or not, and a
            // retry with the same Idempotency-Key finds out which.
            result = await poster.StoreAsync(
                new NewMessage(room, user.UserId, request.User ?? user.Name, request.Message, auth.IdempotencyKey))
                .ConfigureAwait(false);
        }
        catch (AppendRefusedException e) when (e.Refusal == AppendRefusal.Invalid)
        {
            await new Refusal(400, ErrorCodes.InvalidFrame, "PostgreSQL cannot store this text").WriteAsync(context).ConfigureAwait(false);
            return;
        }
        catch (AppendRefusedException e)
        {
            LogStoreFailed(loggers.CreateLogger(typeof(PublishEndpoint).FullName!), e, room);
            await new Refusal(503, ErrorCodes.Unavailable, "the message could not be stored; retry with the same Idempotency-Key")
            { RetryAfterSeconds = 2 }.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!result.Duplicate)
        {
            poster.Distribute(result.Message);
        }

        var response = context.Response;
        response.StatusCode = result.Duplicate ? StatusCodes.Status200OK : StatusCodes.Status201Created;
        response.ContentType = "application/json";
        var json = ServerFrames.Published(result.Message, result.Duplicate);
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<(Refusal? Refusal, ChatUser? User, string? IdempotencyKey)> AuthoriseAsync(
        HttpContext context, string room, TokenValidator tokens)
    {
        if (!RoomName.IsValid(room))
        {
            return (new Refusal(400, ErrorCodes.InvalidRoom, "invalid room name"), null, null);
        }

        string? key = null;
        if (context.Request.Headers.TryGetValue(IdempotencyKeyHeader, out var keys))
        {
            key = keys.Count == 1 ? keys[0] : null;
            if (key is null || MessageText.CodePointLength(key) is < 1 or > ClientFrameParser.MaxClientMsgIdLength)
            {
                return (new Refusal(400, ErrorCodes.InvalidParameter, "Idempotency-Key must be one value of 1-64 characters"),
                    null, null);
            }
        }

        var outcome = await tokens.ValidateAsync(TokenSources.FromAuthorizationHeader(context.Request)).ConfigureAwait(false);
        if (outcome.User is not { } user)
        {
            return (outcome.Unavailable
                ? Refusal.KeysUnavailable(outcome)
                : new Refusal(401, ErrorCodes.InvalidToken, outcome.FailureDetail ?? "invalid token"), null, null);
        }

        if (!user.IsService)
        {
            return (new Refusal(403, ErrorCodes.Forbidden, "only a service token may publish over HTTP"), null, null);
        }

        return user.Rooms.Allows(room)
            ? (null, user, key)
            : (new Refusal(403, ErrorCodes.ForbiddenRoom, "your token does not allow this room"), null, null);
    }

    /// <returns>The body, or null when it is larger than <paramref name="maxBytes"/>.</returns>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
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
