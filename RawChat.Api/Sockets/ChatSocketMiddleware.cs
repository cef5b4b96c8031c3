using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RawChat.Api.Http;
using RawChat.Api.Observability;
using RawChat.Core.Auth;
using RawChat.Core.Chat;
using RawChat.Core.Protocol;
using RawChat.Core.Rooms;
using RawChat.Core.Storage;

namespace RawChat.Api.Sockets;

/// <summary>
/// Upgrades <c>GET {path}</c>, <c>{path}/</c>, <c>{path}/{room}</c> and <c>{path}/{room}/</c> to a
/// chat socket after the handshake checks; every other request passes through.
/// </summary>
internal sealed partial class ChatSocketMiddleware(
    RequestDelegate next,
    PathString path,
    HandshakeValidator validator,
    ConnectionAdmission admissions,
    OpenSockets tracker,
    FrameHandler frames,
    RoomJoiner joiner,
    TokenValidator tokens,
    UserDirectory users,
    IOptions<ChatOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ChatMetrics metrics,
    ILogger<ChatSocketMiddleware> logger)
{
    private readonly ChatOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!TryMatch(context.Request, out var pathRoom))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var (handshake, refusal) = await validator.ValidateAsync(context, pathRoom).ConfigureAwait(false);
        if (refusal is not null)
        {
            LogRefused(logger, refusal.Status, refusal.Code);
            await refusal.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var user = handshake!.User;
        var (admission, limit) = await admissions.TryAdmitAsync(user.UserId, context.TraceIdentifier).ConfigureAwait(false);
        if (limit is not null)
        {
            LogRefused(logger, limit.Status, limit.Code);
            await limit.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        users.Seen(user.UserId, user.Name);
        var connection = new ChatConnection(context.TraceIdentifier, user, handshake.Room, _options, admission!.Posts);
        tracker.Add(connection);
        try
        {
            try
            {
                await joiner.AttachAsync(connection, handshake.Room, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (StorageFailures.IsReadFailure(e))
            {
                LogRefused(logger, 503, ErrorCodes.Unavailable);
                await new Refusal(503, ErrorCodes.Unavailable, "storage is unavailable; retry later")
                { RetryAfterSeconds = 2 }.WriteAsync(context).ConfigureAwait(false);
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync(
                new WebSocketAcceptContext { SubProtocol = handshake.Subprotocol }).ConfigureAwait(false);
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                connection.Outbox.RequestClose(CloseReason.GoingAway);
            }

            LogOpened(logger, connection.Id, user.UserId, handshake.Room);
            var upgrade = context.Features.Get<IHttpUpgradeFeature>() as CoalescingUpgradeFeature;
            var chatSocket = new ChatSocket(socket, upgrade?.Stream, upgrade?.Scanner, connection, frames, joiner, _options,
                tokens.ClockSkew, time, metrics, logger);
            await chatSocket.RunAsync(handshake.Since, context.RequestAborted).ConfigureAwait(false);
            LogClosed(logger, connection.Id);
        }
        finally
        {
            tracker.Remove(connection);
            await joiner.LeaveAllAsync(connection).ConfigureAwait(false);
            admissions.Release(admission);
        }
    }

    private bool TryMatch(HttpRequest request, out string? room)
    {
        room = null;
        if (!request.Path.StartsWithSegments(path, out var rest))
        {
            return false;
        }

        var tail = rest.Value ?? "";
        if (tail is "" or "/")
        {
            return true;
        }

        var segment = tail[1..];
        if (segment.EndsWith('/'))
        {
            segment = segment[..^1];
        }

        if (segment.Length == 0 || segment.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        room = segment;
        return true;
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Connection refused: {Status} {Code}")]
    private static partial void LogRefused(ILogger logger, int status, string code);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Connection {ConnectionId} opened for user {UserId} in room {Room}")]
    private static partial void LogOpened(ILogger logger, string connectionId, string userId, string room);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Connection {ConnectionId} closed")]
    private static partial void LogClosed(ILogger logger, string connectionId);
}
