namespace RawChat.Core.Observability;

/// <summary>
/// What Core reports to the host's metrics (<c>RawChat.Api/Observability/ChatMetrics.cs</c>),
/// so Core needs no metrics library. Each call is a counter add or one histogram observation:
/// no allocation, safe on the fan-out path. Labels are fixed codes, never user data.
/// </summary>
public interface IChatMetrics
{
    /// <summary>A post passed its checks and goes to storage (socket or, later, the publish API).</summary>
    void MessageReceived();

    /// <summary>Storage answered: a new message was committed, or the clientMsgId was a duplicate.</summary>
    void MessageStored(double seconds, bool duplicate);

    /// <summary>One fan-out handed a message to <paramref name="connections"/> local connections.</summary>
    void MessagesDelivered(int connections);

    /// <summary>Redis answered a message's PUBLISH.</summary>
    void Published(double seconds);

    void PublishFailed();

    /// <summary>A frame was refused with an <c>error</c> frame carrying <paramref name="code"/>.</summary>
    void FrameRefused(string code);

    /// <summary>
    /// An envelope from Redis reached no socket: <paramref name="channel"/> is <c>message</c> or
    /// <c>presence</c>, <paramref name="reason"/> is <c>invalid</c> (not a frame of that channel's
    /// room) or <c>error</c> (handling it threw).
    /// </summary>
    void EnvelopeDropped(string channel, string reason);

    /// <summary>
    /// Redis did not answer a cluster-wide quota (<paramref name="quota"/> is a <see cref="Quotas.QuotaKinds"/>
    /// value): a connect was admitted on the node's own count, or a flush of post counts failed.
    /// </summary>
    void QuotaFailedOpen(string quota);
}
