using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RawChat.Core.Auth;

namespace RawChat.Api.Hosting;

internal sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    // HMAC-SHA256 keys shorter than the hash are refused by Microsoft.IdentityModel.
    private const int MinSecretBytes = 32;

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

        var jwks = !string.IsNullOrWhiteSpace(options.JwksUrl);
        if (string.IsNullOrEmpty(options.Secret) && pem is null && !jwks)
        {
            return ValidateOptionsResult.Fail(
                "Jwt:Secret (env Jwt__Secret, HS256), Jwt:PublicKeyPem / Jwt:PublicKeyPemFile or Jwt:JwksUrl (RS256/ES256) must be set");
        }

        if (jwks && JwksUrlProblem(options.JwksUrl!) is { } problem)
        {
            return ValidateOptionsResult.Fail(problem);
        }

        if (options.JwksRefreshMinutes is < 5 or > 1440)
        {
            return ValidateOptionsResult.Fail("Jwt:JwksRefreshMinutes must be between 5 and 1440");
        }

        if (!string.IsNullOrEmpty(options.Secret) && Encoding.UTF8.GetByteCount(options.Secret) < MinSecretBytes)
        {
            return ValidateOptionsResult.Fail($"Jwt:Secret must be at least {MinSecretBytes} bytes long");
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

        if (string.IsNullOrWhiteSpace(options.ServiceClaim) || options.ServiceClaim.Any(char.IsWhiteSpace))
        {
            return ValidateOptionsResult.Fail("Jwt:ServiceClaim must be a claim name without spaces, e.g. rawchat_service");
        }

        return options.ClockSkewSeconds is < 0 or > 3600
            ? ValidateOptionsResult.Fail("Jwt:ClockSkewSeconds must be between 0 and 3600")
            : ValidateOptionsResult.Success;
    }

    private static string? JwksUrlProblem(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Jwt:JwksUrl must be an absolute https URL";
        }

        return uri.Scheme == Uri.UriSchemeHttp && !JwksKeys.IsLoopback(uri)
            ? "Jwt:JwksUrl must use https (plain http is allowed on a loopback address only)"
            : null;
    }
}
