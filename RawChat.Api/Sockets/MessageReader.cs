using System.Net.WebSockets;
using System.Text.Unicode;
using RawChat.Core.Protocol;

namespace RawChat.Api.Sockets;

/// <summary>
/// Reads one client message, however many frames it arrives in, into a buffer of exactly
/// <c>limit</c> bytes: binary is refused 1003, more than <c>limit</c> bytes 1009, text that is
/// not UTF-8 1007. The <paramref name="scanner"/> (when the stream has one) says which messages
/// were sent as text: the runtime sees them all as binary, so that the UTF-8 check is ours.
/// </summary>
internal sealed class MessageReader(WebSocket socket, int limit, InboundFrameScanner? scanner)
{
    private readonly byte[] _probe = new byte[1];

    /// <returns>The message length, or the close reason that the message earned.</returns>
    public async Task<(int Length, CloseReason? Close)> ReadAsync(
        ValueWebSocketReceiveResult first, byte[] buffer, CancellationToken ct)
    {
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return (0, CloseReason.Normal);
        }

        var isText = first.MessageType == WebSocketMessageType.Text || scanner?.NextMessageIsText() == true;
        if (!isText)
        {
            return (0, CloseReason.BinaryNotSupported);
        }

        var result = first;
        var length = 0;
        while (true)
        {
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (0, CloseReason.Normal);
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return Utf8.IsValid(buffer.AsSpan(0, length)) ? (length, null) : (0, CloseReason.InvalidUtf8);
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
