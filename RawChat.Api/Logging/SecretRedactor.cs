using System.Buffers;
using System.Text.RegularExpressions;

namespace RawChat.Api.Logging;

/// <summary>
/// Finds credentials in text and blanks them: anything shaped like a JWT (three base64url segments
/// starting <c>eyJ</c>), a connection ticket (<c>rct_…</c>), the value of a query parameter whose name
/// ends in <c>token</c> or <c>ticket</c> (<c>token=</c>, <c>access_token=</c>, <c>ticket=</c>), and what
/// follows <c>Bearer</c> (a header, or the <c>bearer.</c> subprotocol).
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "[redacted]";

    /// <summary>Every credential the pattern finds contains one of these: text without any needs no regex.</summary>
    private static readonly SearchValues<string> Hints =
        SearchValues.Create(["eyJ", "rct_", "token=", "ticket=", "bearer"], StringComparison.OrdinalIgnoreCase);

    /// <summary>Cheap: false means <see cref="Redact"/> would return the text unchanged.</summary>
    public static bool MayHoldSecret(string? text) => text is not null && text.AsSpan().IndexOfAny(Hints) >= 0;

    /// <summary>The text with every credential replaced by <see cref="Mask"/>; the same instance when it held none.</summary>
    public static string Redact(string text) =>
        MayHoldSecret(text) ? Secret().Replace(text, static match => match.Groups["name"] switch
        {
            { Success: true } name => $"{name.Value}={Mask}",
            _ when match.Groups["bearer"].Success => $"{match.Groups["bearer"].Value} {Mask}",
            _ => Mask,
        }) : text;

    [GeneratedRegex("""
        eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*
        |rct_[A-Za-z0-9_-]{16,}
        |(?<name>\b\w*(?:token|ticket))=[^&\s\#"',;]+
        |(?<bearer>\bbearer)[\ .]+[A-Za-z0-9._~+/=-]+
        """, RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Secret();
}
