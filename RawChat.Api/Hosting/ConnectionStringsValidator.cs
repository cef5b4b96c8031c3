using Microsoft.Extensions.Options;
using Npgsql;

namespace RawChat.Api.Hosting;

/// <summary>Start-up checks of every setting: a bad one stops the process with one clear line.</summary>
internal sealed class ConnectionStringsValidator : IValidateOptions<ConnectionStringsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionStringsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Postgres))
        {
            return ValidateOptionsResult.Fail("ConnectionStrings:Postgres is not set (env ConnectionStrings__Postgres)");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.Postgres);
        }
        catch (ArgumentException)
        {
            return ValidateOptionsResult.Fail("ConnectionStrings:Postgres is not a valid Npgsql connection string");
        }

        return string.IsNullOrWhiteSpace(options.Redis)
            ? ValidateOptionsResult.Fail("ConnectionStrings:Redis is not set (env ConnectionStrings__Redis), e.g. 127.0.0.1:6379")
            : ValidateOptionsResult.Success;
    }
}
