using RawChat.Core.Auth;
using RawChat.Core.Limits;

namespace RawChat.Core.Chat;

/// <summary>
/// The state of one client connection, independent of the socket: who it is, its rooms, its
/// outbox and its rate limit. Only the connection's own receive loop changes its rooms.
/// </summary>
public sealed class ChatConnection(string id, ChatUser user, string defaultRoom, ChatOptions options)
{
    public string Id { get; } = id;

    public ChatUser User { get; } = user;

    public string DefaultRoom { get; } = defaultRoom;

    public ConnectionOutbox Outbox { get; } = new(options.OutboxCapacity);

    internal Dictionary<string, RoomMembership> Rooms { get; } = new(StringComparer.Ordinal);

    internal TokenBucket PostRate { get; } = new(options.PostsPerSecond, options.PostBurst);

    internal int RateLimitStrikes { get; set; }

    /// <summary>Typing frames have their own bucket: they are not posts and never count as strikes.</summary>
    internal TokenBucket TypingRate { get; } = new(options.TypingPerSecond, options.TypingBurst);

    public IReadOnlyCollection<string> JoinedRooms => Rooms.Keys;
}
