namespace RawChat.Core.Storage;

/// <summary>The stored row, and whether it was stored by an earlier post with the same clientMsgId.</summary>
public sealed record AppendResult(StoredMessage Message, bool Duplicate);
