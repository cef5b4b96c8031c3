using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;

namespace RawChat.Tests.Unit;

/// <summary>Runs a section's validators as the host does, so the messages read as they do at start-up.</summary>
internal static class OptionsCheck
{
    public static ValidateOptionsResult Run<TOptions>(TOptions options, string section, IValidateOptions<TOptions> generated,
        params IValidateOptions<TOptions>[] others)
        where TOptions : class
    {
        var results = new ValidateOptionsResultBuilder();
        results.AddResult(new SectionValidator<TOptions>(section, generated).Validate(Options.DefaultName, options));
        foreach (var validator in others)
        {
            results.AddResult(validator.Validate(Options.DefaultName, options));
        }

        return results.Build();
    }
}
