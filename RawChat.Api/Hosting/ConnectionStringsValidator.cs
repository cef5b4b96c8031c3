using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace RawChat.Api.Hosting;

/// <summary>
/// Connection strings that are set must be readable by their clients; a missing one is reported by
/// <see cref="ConnectionStringsOptionsValidator"/>.
/// </summary>
internal sealed class ConnectionStringsValidator : IValidateOptions<ConnectionStringsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionStringsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Postgres))
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.Postgres);
            }
            catch (ArgumentException)
            {
                return ValidateOptionsResult.Fail("ConnectionStrings:Postgres is not a valid Npgsql connection string");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            // The message names the keyword at fault, never the password's value.
            return ConfigurationOptions.Parse(options.Redis).EndPoints.Count > 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail("ConnectionStrings:Redis names no server, e.g. 127.0.0.1:6379");
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:Redis is not a valid StackExchange.Redis configuration: {e.Message}");
        }
    }
}
