using System.Net.WebSockets;

namespace RawChat.Core.Protocol;

/// <summary>A close code with its reason text (docs/protocol.md §2.3).</summary>
public sealed record CloseReason(WebSocketCloseStatus Status, string Text)
{
    public static readonly CloseReason Normal = new(WebSocketCloseStatus.NormalClosure, "");
    public static readonly CloseReason GoingAway = new(WebSocketCloseStatus.EndpointUnavailable, "going_away");
    public static readonly CloseReason BinaryNotSupported = new(WebSocketCloseStatus.InvalidMessageType, "binary_not_supported");
    public static readonly CloseReason InvalidUtf8 = new(WebSocketCloseStatus.InvalidPayloadData, "invalid_utf8");
    public static readonly CloseReason TokenExpired = new(WebSocketCloseStatus.PolicyViolation, "token_expired");
    public static readonly CloseReason PolicyViolation = new(WebSocketCloseStatus.PolicyViolation, "policy_violation");
    public static readonly CloseReason MessageTooBig = new(WebSocketCloseStatus.MessageTooBig, "message_too_big");
    public static readonly CloseReason InternalError = new(WebSocketCloseStatus.InternalServerError, "internal_error");
    public static readonly CloseReason SlowConsumer = new((WebSocketCloseStatus)1013, "slow_consumer");
}
