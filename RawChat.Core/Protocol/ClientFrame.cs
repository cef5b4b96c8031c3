namespace RawChat.Core.Protocol;

public enum ClientFrameType
{
    Send,
    Join,
    Leave,
    History,
    Ping,
    Presence,
    Typing,
    Hello,
}

/// <summary>
/// A client frame that parsed and passed its shape checks (docs/protocol.md §2.1). Room names and
/// message texts are checked by the handler, which knows the limits and the connection's rooms.
/// </summary>
public sealed record ClientFrame(
    ClientFrameType Type,
    string? Room = null,
    string? Message = null,
    string? ClientMsgId = null,
    long? Since = null,
    long? Before = null,
    int? Limit = null,
    bool? Subscribe = null,
    IReadOnlyList<string>? Features = null);

/// <summary>Either a frame, or the error code to answer with (and the clientMsgId to echo).</summary>
public readonly record struct ClientFrameParseResult(ClientFrame? Frame, string? ErrorCode, string? ClientMsgId)
{
    public static ClientFrameParseResult Ok(ClientFrame frame) => new(frame, null, frame.ClientMsgId);

    public static ClientFrameParseResult Fail(string code, string? clientMsgId = null) => new(null, code, clientMsgId);
}
