using System.Buffers.Text;

namespace RawChat.Bench.Load;

/// <summary>
/// What a sender posts: <c>b|sender|n|ticks</c> as the text and <c>sender.n.ticks</c> as the
/// clientMsgId, so the sender's ack and every receiver's copy carry who sent it, its per-sender
/// number and when (a <see cref="System.Diagnostics.Stopwatch"/> timestamp of this process).
/// </summary>
internal static class PostText
{
    private static ReadOnlySpan<byte> Prefix => """{"type":"send","message":"b|"""u8;

    private static ReadOnlySpan<byte> Middle => "\",\"clientMsgId\":\""u8;

    private static ReadOnlySpan<byte> Suffix => "\"}"u8;

    /// <summary>The largest frame <see cref="WriteSendFrame"/> writes for <paramref name="messageBytes"/> of padding.</summary>
    public static int MaxFrameLength(int messageBytes) => 160 + messageBytes;

    /// <summary>Writes a whole <c>send</c> frame into <paramref name="buffer"/>; returns its length.</summary>
    public static int WriteSendFrame(Span<byte> buffer, int sender, long n, long ticks, int messageBytes)
    {
        var at = 0;
        Append(buffer, ref at, Prefix);
        var textStart = at - 2;
        Numbers(buffer, ref at, sender, n, ticks, (byte)'|');
        if (at - textStart < messageBytes)
        {
            buffer[at++] = (byte)'|';
            var pad = Math.Max(0, messageBytes - (at - textStart));
            buffer.Slice(at, pad).Fill((byte)'x');
            at += pad;
        }

        Append(buffer, ref at, Middle);
        Numbers(buffer, ref at, sender, n, ticks, (byte)'.');
        Append(buffer, ref at, Suffix);
        return at;
    }

    /// <summary>Reads <c>b|sender|n|ticks[|padding]</c>; false for any text not posted by this tool.</summary>
    public static bool TryParseText(ReadOnlySpan<byte> text, out int sender, out long n, out long ticks)
    {
        sender = 0;
        n = ticks = 0;
        return text.Length > 2 && text[0] == 'b' && text[1] == '|'
            && TryParseNumbers(text[2..], (byte)'|', out sender, out n, out ticks);
    }

    /// <summary>Reads <c>sender.n.ticks</c> from a clientMsgId.</summary>
    public static bool TryParseClientMsgId(ReadOnlySpan<byte> id, out int sender, out long n, out long ticks) =>
        TryParseNumbers(id, (byte)'.', out sender, out n, out ticks);

    private static bool TryParseNumbers(ReadOnlySpan<byte> s, byte separator, out int sender, out long n, out long ticks)
    {
        n = ticks = 0;
        if (!Utf8Parser.TryParse(s, out sender, out var used) || used >= s.Length || s[used] != separator)
        {
            return false;
        }

        s = s[(used + 1)..];
        if (!Utf8Parser.TryParse(s, out n, out used) || used >= s.Length || s[used] != separator)
        {
            return false;
        }

        s = s[(used + 1)..];
        return Utf8Parser.TryParse(s, out ticks, out used) && (used == s.Length || s[used] == separator);
    }

    private static void Numbers(Span<byte> buffer, ref int at, int sender, long n, long ticks, byte separator)
    {
        Utf8Formatter.TryFormat(sender, buffer[at..], out var written);
        at += written;
        buffer[at++] = separator;
        Utf8Formatter.TryFormat(n, buffer[at..], out written);
        at += written;
        buffer[at++] = separator;
        Utf8Formatter.TryFormat(ticks, buffer[at..], out written);
        at += written;
    }

    private static void Append(Span<byte> buffer, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer[at..]);
        at += bytes.Length;
    }
}
