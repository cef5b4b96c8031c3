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
public sealed class MessagePoster(MessageStore store, ConnectionRegistry registry, MessageBus bus, IChatMetrics metrics)
{
    /// <summary>Stores a post that passed its checks; the store latency is measured here, around the store.</summary>
    public async Task<AppendResult> StoreAsync(NewMessage message, CancellationToken ct)
    {
        metrics.MessageReceived();
        var started = Stopwatch.GetTimestamp();
        var result = await store.AppendAsync(message, ct).ConfigureAwait(false);
        metrics.MessageStored(Stopwatch.GetElapsedTime(started).TotalSeconds, result.Duplicate);
        return result;
    }

    /// <summary>Fans a freshly stored message out; a duplicate is never distributed twice.</summary>
    public void Distribute(StoredMessage message)
    {
        var frame = ServerFrames.Message(message);
        registry.OfferLocal(message.Room, message.Seq, frame);
        bus.Publish(message.Room, message.Seq, frame);
    }
}
