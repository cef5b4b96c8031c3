using Microsoft.AspNetCore.Http.Features;

namespace RawChat.Api.Sockets;

/// <summary>Hands the WebSocket middleware an upgraded stream wrapped in <see cref="InvalidUtf8CloseStream"/>.</summary>
internal sealed class InvalidUtf8CloseUpgradeFeature(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => new InvalidUtf8CloseStream(await inner.UpgradeAsync().ConfigureAwait(false));
}
