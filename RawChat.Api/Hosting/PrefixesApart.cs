using Microsoft.Extensions.Options;

namespace RawChat.Api.Hosting;

/// <summary>
/// Two Redis name prefixes that must not start with one another: room names may hold ':', so
/// otherwise a name built under one could be a name built under the other.
/// </summary>
internal static class PrefixesApart
{
    public static ValidateOptionsResult Check(string? prefix, string setting, string? otherPrefix, string otherSetting)
    {
        var (a, b) = (prefix ?? "", otherPrefix ?? "");
        return a.Length > 0 && b.Length > 0
            && (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal))
                ? ValidateOptionsResult.Fail($"{setting} and {otherSetting} must not start with one another")
                : ValidateOptionsResult.Success;
    }
}
