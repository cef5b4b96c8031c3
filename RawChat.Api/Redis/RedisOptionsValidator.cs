using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using StackExchange.Redis;

namespace RawChat.Api.Redis;

internal sealed class RedisOptionsValidator(IOptions<ConnectionStringsOptions> connectionStrings) : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        if (string.IsNullOrEmpty(options.TrustedCaFile))
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            RedisTrust.LoadAuthorities(options.TrustedCaFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or InvalidDataException)
        {
            return ValidateOptionsResult.Fail($"Redis:TrustedCaFile cannot be used: {e.Message}");
        }

        return UsesTls(connectionStrings.Value.Redis)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Redis:TrustedCaFile is set but ConnectionStrings:Redis does not turn TLS on (add ssl=true)");
    }

    private static bool UsesTls(string redis)
    {
        try
        {
            return ConfigurationOptions.Parse(redis).Ssl;
        }
        catch (ArgumentException)
        {
            return true; // not this check's to report: the connection string's own check does
        }
    }
}
