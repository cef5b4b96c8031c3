using RawChat.Core.Observability;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Core.Chat;

/// <summary>
/// A socket's post in the writer. Its answer runs on the writer's thread and only queues bytes:
/// the ack (when the post has a clientMsgId) goes into the outbox before the message can reach
/// any room, then the message is fanned out; a refusal is an <c>error</c> frame. The receive loop
/// never waits for it, so a client's frames keep being read (and rate-limited) as they arrive,
/// even while storage is slow.
/// </summary>
internal sealed class SocketPost(ChatConnection connection, NewMessage message, MessagePoster poster, IChatMetrics metrics)
    : PendingAppend(message)
{
    protected override void OnStored(AppendResult result)
    {
        // The receive is current meanwhile: the publish and this node's delivery become its children.
        using var traced = ChatActivities.Enter(Trace);
        poster.RecordStored(this, result.Duplicate);
        if (Message.ClientMsgId is not null)
        {
            connection.Outbox.TryEnqueue(ServerFrames.Ack(result.Message, result.Duplicate));
        }

        if (!result.Duplicate)
        {
            poster.Distribute(result.Message);
        }

        Trace?.SetTag("rawchat.seq", result.Message.Seq);
        Trace?.SetTag("rawchat.duplicate", result.Duplicate);
        ChatActivities.Stop(Trace);
        connection.EndWork();
    }

    protected override void OnRefused(AppendRefusal refusal)
    {
        // Unavailable is the truth here: the writer says so only when the post was not committed.
        var code = refusal == AppendRefusal.Invalid ? ErrorCodes.InvalidFrame : ErrorCodes.Unavailable;
        metrics.FrameRefused(code);
        connection.Outbox.TryEnqueue(ServerFrames.Error(code, ErrorMessages.Describe(code), Message.ClientMsgId));
        ChatActivities.Stop(Trace, code);
        connection.EndWork();
    }
}
