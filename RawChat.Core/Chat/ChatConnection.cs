using RawChat.Core.Auth;
using RawChat.Core.Fanout;
using RawChat.Core.Limits;
using RawChat.Core.Quotas;
using RawChat.Core.Rooms;

namespace RawChat.Core.Chat;

/// <summary>
/// The state of one client connection, independent of the socket: who it is, its rooms, its
/// outbox, its rate limits and the work still owed an answer. Only the connection's own receive
/// loop changes its rooms.
/// </summary>
/// <param name="userPosts">The user's posting budget on this node, shared by all its connections here.</param>
public sealed class ChatConnection(string id, ChatUser user, string defaultRoom, ChatOptions options, UserPosts userPosts)
{
    private int _work; // frames being answered + posts the writer has not answered yet
    private int _features;

    public string Id { get; } = id;

    public ChatUser User { get; } = user;

    public string DefaultRoom { get; } = defaultRoom;

    /// <summary>
    /// Bounded in bytes; a client that takes nothing for a keep-alive interval while its own
    /// answers wait for room is a slow consumer.
    /// </summary>
    public ConnectionOutbox Outbox { get; } = new(options.MaxQueuedBytes,
        options.KeepAliveSeconds > 0 ? TimeSpan.FromSeconds(options.KeepAliveSeconds) : Timeout.InfiniteTimeSpan);

    internal Dictionary<string, RoomMembership> Rooms { get; } = new(StringComparer.Ordinal);

    /// <summary>Every frame, of any kind (docs/protocol.md §3.5's frame budget).</summary>
    internal TokenBucket FrameRate { get; } = new(options.FramesPerSecond, options.FrameBurst);

    internal TokenBucket PostRate { get; } = new(options.PostsPerSecond, options.PostBurst);

    /// <summary>Refusals for going over a budget; continued sending past it closes the connection 1008.</summary>
    internal StrikeCounter RateLimitStrikes { get; } = new();

    /// <summary>The user's cluster-wide posting budget (<see cref="PostQuota"/>), beside this connection's own.</summary>
    internal UserPosts UserPosts { get; } = userPosts;

    /// <summary>Typing frames have their own bucket: they are not posts and never count as strikes.</summary>
    internal TokenBucket TypingRate { get; } = new(options.TypingPerSecond, options.TypingBurst);

    public IReadOnlyCollection<string> JoinedRooms => Rooms.Keys;

    /// <summary>Whether the client asked for <paramref name="feature"/> with <c>hello</c> (read from any thread).</summary>
    public bool HasFeature(ConnectionFeatures feature) => ((ConnectionFeatures)Volatile.Read(ref _features) & feature) != 0;

    /// <summary>Turns features on; none is ever turned off (docs/protocol.md §14.2).</summary>
    public void AddFeatures(ConnectionFeatures features) => Interlocked.Or(ref _features, (int)features);

    /// <summary>
    /// Starts work that owes the client an answer (a frame, a post in the writer). Once a close was
    /// asked for, the outbox stays open until all such work is answered, then shuts.
    /// </summary>
    /// <returns>false once a close was asked for: new frames are not answered then (still call <see cref="EndWork"/>).</returns>
    public bool BeginWork()
    {
        Interlocked.Increment(ref _work); // a full fence: the close sees this work, or we see the close
        return !Outbox.IsClosing;
    }

    public void EndWork()
    {
        if (Interlocked.Decrement(ref _work) == 0 && Outbox.IsClosing)
        {
            Outbox.Complete();
        }
    }

    /// <summary>Called once a close is asked for: shuts the outbox now if nothing is owed an answer.</summary>
    public void CompleteOutboxIfIdle()
    {
        if (Volatile.Read(ref _work) == 0)
        {
            Outbox.Complete();
        }
    }

    /// <summary>
    /// Set when a frame was refused <c>unavailable</c> (storage or Redis failed it): if answering it
    /// kept the receive loop waiting, the wait was the server's fault, and the budgets make up for it.
    /// </summary>
    internal bool DependencyFailed { get; set; }

    /// <summary>Whether a frame ended <c>unavailable</c> since the last call; clears the mark.</summary>
    public bool TakeDependencyFailure()
    {
        var failed = DependencyFailed;
        DependencyFailed = false;
        return failed;
    }

    /// <summary>The room the connection was opened in (joined before the socket is accepted).</summary>
    public RoomMembership DefaultMembership => Rooms[DefaultRoom];

    /// <summary>The server kept this client's frames waiting (see <see cref="TokenBucket.Credit"/>).</summary>
    public void CreditStall(TimeSpan stalled)
    {
        FrameRate.Credit(stalled);
        PostRate.Credit(stalled);
    }
}
