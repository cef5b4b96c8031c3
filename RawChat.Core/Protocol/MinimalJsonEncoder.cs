using System.Buffers;
using System.Text.Encodings.Web;

namespace RawChat.Core.Protocol;

/// <summary>
/// Escapes only what JSON requires (<c>"</c>, <c>\</c> and control characters below U+0020) and
/// leaves all other text as UTF-8. The platform's encoders, even the relaxed one, escape every
/// character outside the Basic Multilingual Plane, so an emoji left as <c>\uD83D\uDE00</c>:
/// 12 bytes for 4. Frames are JSON for sockets and API clients, never embedded in HTML or
/// script, so nothing else needs escaping. An unpaired surrogate (never accepted from clients)
/// would be escaped rather than written as invalid UTF-8.
/// </summary>
internal sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    public static readonly MinimalJsonEncoder Instance = new();

    private const string Specials = "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F";

    private static readonly SearchValues<char> SpecialChars = SearchValues.Create(Specials);

    private static readonly SearchValues<byte> SpecialBytes = SearchValues.Create(Specials.Select(c => (byte)c).ToArray());

    private MinimalJsonEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 6; // \uXXXX

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar is < 0x20 or '"' or '\\' || (unicodeScalar is >= 0xD800 and <= 0xDFFF);

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        var span = new ReadOnlySpan<char>(text, textLength);
        var special = span.IndexOfAny(SpecialChars);
        var surrogate = FirstUnpairedSurrogate(special < 0 ? span : span[..special]);
        return surrogate >= 0 ? surrogate : special;
    }

    /// <remarks>UTF-8 input comes from our own literals and validated text: only the ASCII specials need a look.</remarks>
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text) => utf8Text.IndexOfAny(SpecialBytes);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var destination = new Span<char>(buffer, bufferLength);
        ReadOnlySpan<char> escaped = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ => default,
        };
        if (escaped.IsEmpty && WillEncode(unicodeScalar))
        {
            return TryWriteHexEscape(unicodeScalar, destination, out numberOfCharactersWritten);
        }

        if (escaped.IsEmpty)
        {
            // Not ours to escape: the scalar itself, as one or two UTF-16 chars.
            var rune = new System.Text.Rune(unicodeScalar);
            return rune.TryEncodeToUtf16(destination, out numberOfCharactersWritten);
        }

        numberOfCharactersWritten = escaped.Length;
        return escaped.TryCopyTo(destination);
    }

    private static bool TryWriteHexEscape(int value, Span<char> destination, out int written)
    {
        written = 6;
        return destination.Length >= 6 && $"\\u{value:X4}".AsSpan().TryCopyTo(destination);
    }

    private static int FirstUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        var at = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (at >= 0)
        {
            if (!char.IsHighSurrogate(text[at]) || at + 1 >= text.Length || !char.IsLowSurrogate(text[at + 1]))
            {
                return at;
            }

            var next = text[(at + 2)..].IndexOfAnyInRange('\uD800', '\uDFFF');
            at = next < 0 ? -1 : at + 2 + next;
        }

        return -1;
    }
}
