using Microsoft.AspNetCore.Http.Features;

namespace RawChat.Api.Sockets;

/// <summary>
/// Hands the WebSocket a <see cref="CoalescingStream"/> over Kestrel's upgraded stream, and
/// keeps it so the chat socket's send loop can cork it, with the <see cref="InboundFrameScanner"/>
/// that tells the receive loop which messages were text. Installed before the WebSocket
/// middleware, which takes the upgrade feature from the request when it runs.
/// </summary>
internal sealed class CoalescingUpgradeFeature(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    /// <summary>The upgraded stream, once <see cref="UpgradeAsync"/> ran.</summary>
    public CoalescingStream? Stream { get; private set; }

    public InboundFrameScanner Scanner { get; } = new();

    public async Task<Stream> UpgradeAsync()
    {
        Stream = new CoalescingStream(await inner.UpgradeAsync().ConfigureAwait(false), Scanner);
        return Stream;
    }
}
