using System.Diagnostics;
using RawChat.Core.Fanout;
using RawChat.Core.Observability;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Core.Chat;

/// <summary>
/// The path of one post: store it (the truth), then hand it to this node's room at once and to
/// the other nodes through Redis. Socket posts and, later, server-side publishes share it.
/// </summary>
public sealed class MessagePoster(GroupCommitWriter writer, ConnectionRegistry registry, MessageBus bus, IChatMetrics metrics)
{
    /// <summary>
    /// Stores a post that passed its checks (grouped with concurrent ones into one commit);
    /// completes once it is committed. The store latency is measured here, around the store.
    /// </summary>
    public async Task<AppendResult> StoreAsync(NewMessage message)
    {
        metrics.MessageReceived();
        var started = Stopwatch.GetTimestamp();
        var result = await writer.AppendAsync(message).ConfigureAwait(false);
        metrics.MessageStored(Stopwatch.GetElapsedTime(started).TotalSeconds, result.Duplicate);
        return result;
    }

    /// <summary>Fans a freshly stored message out; a duplicate is never distributed twice.</summary>
    public void Distribute(StoredMessage message)
    {
        // Serialised once: sockets here get a slice of the very bytes Redis carries to other nodes.
        var envelope = BusEnvelope.Create(message);
        registry.OfferLocal(message.Room, message.Seq, BusEnvelope.FrameOf(envelope));
        bus.Publish(message.Room, message.Seq, envelope);
    }
}
