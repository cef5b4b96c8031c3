namespace RawChat.Core.Storage;

/// <summary>Messages oldest first; <see cref="HasMore"/>: the room holds older ones.</summary>
public sealed record HistoryPage(IReadOnlyList<StoredMessage> Messages, bool HasMore);
