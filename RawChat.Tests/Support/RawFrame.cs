using System.Buffers;
using System.Buffers.Binary;

namespace RawChat.Tests.Support;

/// <summary>RFC 6455 §5.2 opcodes; 3–7 and B–F are reserved.</summary>
public static class Opcode
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    public static bool IsControl(byte opcode) => (opcode & 0x8) != 0;
}

/// <summary>
/// One WebSocket frame exactly as a client writes it (RFC 6455 §5.2): any opcode, FIN on or off,
/// RSV bits, masked or not, any payload bytes. <paramref name="DeclaredLength"/>, when set, is
/// written as a 64-bit length in place of the payload's own (a lie, for framing tests).
/// </summary>
public sealed record RawFrame(byte Opcode, byte[] Payload, bool Fin = true, byte Rsv = 0, bool Masked = true,
    ulong? DeclaredLength = null)
{
    public static RawFrame Text(byte[] payload, bool fin = true) => new(Support.Opcode.Text, payload, fin);

    public static RawFrame Close(ushort code, string reason = "") =>
        new(Support.Opcode.Close, [(byte)(code >> 8), (byte)code, .. System.Text.Encoding.UTF8.GetBytes(reason)]);

    /// <summary>Appends the frame's bytes; clients mask with a fresh key per frame, as RFC 6455 §5.3 asks.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var header = output.GetSpan(14);
        header[0] = (byte)((Fin ? 0x80 : 0) | (Rsv & 0x7) << 4 | (Opcode & 0x0F));
        var mask = Masked ? 0x80 : 0;
        int length;
        if (DeclaredLength is { } declared)
        {
            header[1] = (byte)(mask | 127);
            BinaryPrimitives.WriteUInt64BigEndian(header[2..], declared);
            length = 10;
        }
        else if (Payload.Length < 126)
        {
            header[1] = (byte)(mask | Payload.Length);
            length = 2;
        }
        else if (Payload.Length <= ushort.MaxValue)
        {
            header[1] = (byte)(mask | 126);
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)Payload.Length);
            length = 4;
        }
        else
        {
            header[1] = (byte)(mask | 127);
            BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)Payload.Length);
            length = 10;
        }

        Span<byte> key = stackalloc byte[4];
        if (Masked)
        {
            Random.Shared.NextBytes(key);
            key.CopyTo(header[length..]);
            length += 4;
        }

        output.Advance(length);
        var body = output.GetSpan(Payload.Length)[..Payload.Length];
        for (var i = 0; i < Payload.Length; i++)
        {
            body[i] = Masked ? (byte)(Payload[i] ^ key[i & 3]) : Payload[i];
        }

        output.Advance(Payload.Length);
    }
}
