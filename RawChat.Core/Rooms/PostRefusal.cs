namespace RawChat.Core.Rooms;

/// <summary>Why a post is refused: its error code, and for slow mode the milliseconds until the user may post again.</summary>
public sealed record PostRefusal(string Code, long? RetryAfterMilliseconds = null);
