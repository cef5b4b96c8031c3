using System.Net.WebSockets;
using RawChat.Core.Protocol;

namespace RawChat.Api.Sockets;

/// <summary>
/// Reads one client message, however many frames it arrives in, into a buffer of exactly
/// <c>limit</c> bytes: binary is refused 1003, more than <c>limit</c> bytes 1009.
/// </summary>
internal sealed class MessageReader(WebSocket socket, int limit)
{
    private readonly byte[] _probe = new byte[1];

    /// <returns>The message length, or the close reason that the message earned.</returns>
    public async Task<(int Length, CloseReason? Close)> ReadAsync(
        ValueWebSocketReceiveResult first, byte[] buffer, CancellationToken ct)
    {
        var result = first;
        var length = 0;
        while (true)
        {
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (0, CloseReason.Normal);
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                return (0, CloseReason.BinaryNotSupported);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (length, null);
            }

            if (length == limit)
            {
                // The buffer is full: one more payload byte makes the message too big.
                var probe = await socket.ReceiveAsync(_probe.AsMemory(), ct).ConfigureAwait(false);
                if (probe.Count > 0)
                {
                    return (0, CloseReason.MessageTooBig);
                }

                result = probe;
                continue;
            }

            result = await socket.ReceiveAsync(buffer.AsMemory(length, limit - length), ct).ConfigureAwait(false);
        }
    }
}
