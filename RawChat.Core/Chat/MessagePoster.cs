using RawChat.Core.Fanout;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Core.Chat;

/// <summary>
/// The path of one post: store it (the truth), then hand it to this node's room at once and to
/// the other nodes through Redis. Socket posts and, later, server-side publishes share it.
/// </summary>
public sealed class MessagePoster(GroupCommitWriter writer, ConnectionRegistry registry, MessageBus bus)
{
    /// <summary>Stores the post (grouped with concurrent ones into one commit); completes once it is committed.</summary>
    public Task<AppendResult> StoreAsync(NewMessage message) => writer.AppendAsync(message);

    /// <summary>Fans a freshly stored message out; a duplicate is never distributed twice.</summary>
    public void Distribute(StoredMessage message)
    {
        var frame = ServerFrames.Message(message);
        registry.OfferLocal(message.Room, message.Seq, frame);
        bus.Publish(message.Room, message.Seq, frame);
    }
}
