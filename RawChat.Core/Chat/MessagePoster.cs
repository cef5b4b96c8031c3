using System.Diagnostics;
using RawChat.Core.Fanout;
using RawChat.Core.Observability;
using RawChat.Core.Storage;

namespace RawChat.Core.Chat;

/// <summary>
/// The path of one post: store it (the truth), then hand it to this node's room at once and to
/// the other nodes through Redis. Socket posts and server-side publishes share it.
/// </summary>
public sealed class MessagePoster(GroupCommitWriter writer, LocalRooms registry, MessageBus bus, IChatMetrics metrics)
{
    /// <summary>Hands a post that passed its checks to the writer; it is answered through its callbacks.</summary>
    public void Submit(PendingAppend post)
    {
        metrics.MessageReceived();
        post.Trace = ChatActivities.StartReceive(post.Message.Room, newTrace: true);
        writer.Submit(post);
    }

    /// <summary>Stores a post and completes once it is committed (the HTTP publish API).</summary>
    /// <exception cref="AppendRefusedException">The post was not stored.</exception>
    public async Task<AppendResult> StoreAsync(NewMessage message)
    {
        metrics.MessageReceived();
        var trace = ChatActivities.StartReceive(message.Room, newTrace: false);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await writer.AppendAsync(message, trace).ConfigureAwait(false);
            metrics.MessageStored(Stopwatch.GetElapsedTime(started).TotalSeconds, result.Duplicate);
            trace?.SetTag("rawchat.seq", result.Message.Seq);
            ChatActivities.Stop(trace);
            return result;
        }
        catch (Exception e)
        {
            ChatActivities.Stop(trace, e is AppendRefusedException refused ? refused.Refusal.ToString() : e.GetType().Name);
            throw;
        }
    }

    /// <summary>Records a submitted post's answer: the store latency is measured from its submission.</summary>
    public void RecordStored(PendingAppend post, bool duplicate) =>
        metrics.MessageStored(Stopwatch.GetElapsedTime(post.SubmittedAt).TotalSeconds, duplicate);

    /// <summary>Fans a freshly stored message out; a duplicate is never distributed twice.</summary>
    public void Distribute(StoredMessage message)
    {
        // Serialised once: sockets here get a slice of the very bytes Redis carries to other nodes.
        var envelope = BusEnvelope.Create(message);
        registry.OfferLocal(message.Room, message.Seq, BusEnvelope.FrameOf(envelope));
        bus.Publish(message.Room, message.Seq, envelope);
    }
}
