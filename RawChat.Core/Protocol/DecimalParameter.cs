namespace RawChat.Core.Protocol;

/// <summary>
/// Parses <c>since</c> / <c>before</c> query values: decimal digits only, within a signed 64-bit
/// integer (docs/protocol.md §6). No sign, no spaces, no empty string.
/// </summary>
public static class DecimalParameter
{
    public static bool TryParse(string? text, long minimum, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out value) && value >= minimum;
    }
}
