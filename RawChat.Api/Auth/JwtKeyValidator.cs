using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RawChat.Core.Auth;

namespace RawChat.Api.Auth;

/// <summary>
/// What attributes cannot say about <c>Jwt</c>: the public key must be readable and a key, and the
/// documents' example secrets are refused outside Development.
/// </summary>
internal sealed class JwtKeyValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        string? pem;
        try
        {
            pem = SigningKeys.ReadPem(options);
        }
        catch (IOException e)
        {
            return ValidateOptionsResult.Fail($"Jwt:PublicKeyPemFile cannot be read: {e.Message}");
        }

        if (!string.IsNullOrEmpty(options.Secret) && ExampleSecrets.Contains(options.Secret) && !environment.IsDevelopment())
        {
            return ValidateOptionsResult.Fail("Jwt:Secret is the example secret from RawChat's documentation, which anyone can read: "
                + "set one of your own, e.g. from `openssl rand -hex 32`");
        }

        if (pem is not null)
        {
            try
            {
                _ = SigningKeys.FromPublicKeyPem(pem);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                return ValidateOptionsResult.Fail("Jwt public key is not a valid RSA or EC public key in PEM form");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
