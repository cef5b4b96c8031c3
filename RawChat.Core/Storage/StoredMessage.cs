namespace RawChat.Core.Storage;

/// <summary>One row of <c>messages</c>: a message as PostgreSQL committed it.</summary>
public sealed record StoredMessage(
    long Id,
    string Room,
    long Seq,
    string UserId,
    string Username,
    string Content,
    string? ClientMsgId,
    DateTime CreatedAt);
