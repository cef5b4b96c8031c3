namespace RawChat.Core.Storage;

/// <summary>A post about to be stored.</summary>
public sealed record NewMessage(string Room, string UserId, string Username, string Content, string? ClientMsgId);
