namespace RawChat.Core.Protocol;

/// <summary>The human text that goes with each error code.</summary>
public static class ErrorMessages
{
    public static string Describe(string code) => code switch
    {
        ErrorCodes.InvalidJson => "the frame is not valid JSON",
        ErrorCodes.InvalidFrame => "the frame does not have the expected shape",
        ErrorCodes.UnknownType => "unknown frame type",
        ErrorCodes.MessageEmpty => "the message is empty",
        ErrorCodes.MessageTooLong => "the message is too long",
        ErrorCodes.InvalidRoom => "invalid room name",
        ErrorCodes.ForbiddenRoom => "you may not use this room",
        ErrorCodes.Forbidden => "you may not do this here (muted, or your role is not enough)",
        ErrorCodes.NotJoined => "join the room first",
        ErrorCodes.RateLimited => "too many frames or posts, or too many reads at once, or slow mode; slow down",
        ErrorCodes.TooManyRooms => "too many rooms joined on this connection",
        ErrorCodes.Unavailable => "the message could not be stored; retry with the same clientMsgId",
        _ => code,
    };
}
