namespace RawChat.Api.Sockets;

/// <summary>
/// Watches the client's WebSocket frame headers as the bytes stream in and hands every text
/// frame to the runtime's WebSocket as a binary one, remembering that it was text. Why: the
/// runtime checks UTF-8 in text frames itself and answers invalid text with a 1007 close that
/// has no reason, then resets the connection, so a client may never see the close frame. With
/// the check left to us (<see cref="ChatSocket"/>), invalid UTF-8 gets the protocol's
/// 1007 <c>invalid_utf8</c> through the normal closing handshake (docs/protocol.md §2.3).
/// </summary>
/// <remarks>
/// RFC 6455 §5.2: a header is 2 bytes (FIN/RSV/opcode, MASK/length), then 0, 2 or 8 bytes of
/// extended length, then a 4-byte mask key when MASK is set; the payload follows. Only the
/// opcode bits of the first byte of text frames are changed; everything else passes untouched,
/// so the runtime still enforces the rest of the framing rules.
/// </remarks>
internal sealed class InboundFrameScanner
{
    private const byte OpcodeMask = 0x0F;
    private const byte TextOpcode = 0x1;
    private const byte BinaryOpcode = 0x2;

    private readonly Queue<bool> _messageKinds = new();
    private readonly byte[] _header = new byte[14];
    private int _headerLength; // header bytes seen so far of the frame being read
    private long _payloadLeft;  // payload bytes still to pass before the next header

    /// <summary>Scans bytes just read from the client, in order, rewriting text opcodes in place.</summary>
    public void Scan(Span<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            if (_payloadLeft > 0)
            {
                var skip = (int)Math.Min(_payloadLeft, data.Length - i);
                _payloadLeft -= skip;
                i += skip;
                continue;
            }

            if (_headerLength == 0)
            {
                var opcode = data[i] & OpcodeMask;
                if (opcode == TextOpcode)
                {
                    data[i] = (byte)((data[i] & ~OpcodeMask) | BinaryOpcode);
                    _messageKinds.Enqueue(true);
                }
                else if (opcode == BinaryOpcode)
                {
                    _messageKinds.Enqueue(false);
                }
            }

            _header[_headerLength++] = data[i++];
            if (_headerLength >= 2 && _headerLength == HeaderLength())
            {
                _payloadLeft = PayloadLength();
                _headerLength = 0;
            }
        }
    }

    /// <summary>
    /// Whether the next data message the runtime returns was sent as text; called once per
    /// message, at its first frame. A message the scanner never saw counts as binary.
    /// </summary>
    public bool NextMessageIsText() => _messageKinds.TryDequeue(out var text) && text;

    private int HeaderLength()
    {
        var length7 = _header[1] & 0x7F;
        var extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        var mask = (_header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    private long PayloadLength()
    {
        var length7 = _header[1] & 0x7F;
        if (length7 < 126)
        {
            return length7;
        }

        if (length7 == 126)
        {
            return (_header[2] << 8) | _header[3];
        }

        long length = 0;
        for (var b = 2; b < 10; b++)
        {
            length = (length << 8) | _header[b];
        }

        // A length with the top bit set is a protocol error the runtime refuses; never skip "negative" bytes.
        return length < 0 ? 0 : length;
    }
}
