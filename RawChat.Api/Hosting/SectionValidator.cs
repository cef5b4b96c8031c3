using Microsoft.Extensions.Options;

namespace RawChat.Api.Hosting;

/// <summary>
/// Runs a section's generated validator so that its messages name each setting as configuration
/// spells it: <c>Chat:MaxMessageLength</c>. The generator calls a setting <c>{name}.{Property}</c>
/// (<c>ChatOptions.MaxMessageLength</c> for the default instance), prefixes the property's name, and
/// ignores <c>[Display]</c> and a <c>[Range]</c>'s <c>ErrorMessage</c> (dotnet/runtime#123137); so it is
/// given the section as the name, and "Chat.MaxMessageLength" becomes "Chat:MaxMessageLength".
/// </summary>
internal sealed class SectionValidator<TOptions>(string section, IValidateOptions<TOptions> generated) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = generated.Validate(section, options);
        return result.Failed ? ValidateOptionsResult.Fail(result.Failures.Select(Spell)) : result;
    }

    /// <summary>"MaxMessageLength: The field Chat.MaxMessageLength must be …" → "The field Chat:MaxMessageLength must be …".</summary>
    private string Spell(string failure)
    {
        var colon = failure.IndexOf(": ", StringComparison.Ordinal);
        if (colon > 0 && failure.IndexOf($"{section}.{failure[..colon]}", colon, StringComparison.Ordinal) > 0)
        {
            failure = failure[(colon + 2)..];
        }

        return failure.Replace($"{section}.", $"{section}:", StringComparison.Ordinal);
    }
}
