using System.Text;

namespace RawChat.Core.Protocol;

/// <summary>Checks a posted text against docs/protocol.md §2.1 and says which error code applies, if any.</summary>
public static class MessageText
{
    /// <returns>null when the text is acceptable, else the error code.</returns>
    public static string? Validate(string text, int maxCodePoints)
    {
        var codePoints = 0;
        var onlyWhiteSpace = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return ErrorCodes.InvalidFrame; // PostgreSQL text cannot hold U+0000
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return ErrorCodes.InvalidFrame; // a lone surrogate (from a \ud800 escape) is not text
                }

                onlyWhiteSpace = false;
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return ErrorCodes.InvalidFrame;
            }
            else if (onlyWhiteSpace && !Rune.IsWhiteSpace(new Rune(c)))
            {
                onlyWhiteSpace = false;
            }

            codePoints++;
        }

        if (codePoints == 0 || onlyWhiteSpace)
        {
            return ErrorCodes.MessageEmpty;
        }

        return codePoints > maxCodePoints ? ErrorCodes.MessageTooLong : null;
    }

    /// <summary>
    /// Text PostgreSQL can store and JSON can carry as UTF-8: no U+0000 and no unpaired surrogate
    /// (docs/protocol.md §3.5). Checked for every text a client or a token hands us before it goes anywhere.
    /// </summary>
    public static bool IsStorable(string text) => !text.Contains('\0', StringComparison.Ordinal) && CodePointLength(text) >= 0;

    /// <summary>Length in Unicode code points; -1 when the string holds a lone surrogate.</summary>
    public static int CodePointLength(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return -1;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]))
            {
                return -1;
            }

            count++;
        }

        return count;
    }
}
