using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using RawChat.Core.Auth;

namespace RawChat.Api.Auth;

internal sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
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

        if (jwks && !options.AllowMissingIssuerAndAudience && MissingIssuerOrAudience(options) is { } missing)
        {
            return ValidateOptionsResult.Fail(
                $"{missing} must be set with Jwt:JwksUrl: the identity provider signs tokens for other applications too "
                + "(Jwt:AllowMissingIssuerAndAudience=true accepts them all)");
        }

        if (options.JwksRefreshMinutes is < 5 or > 1440)
        {
            return ValidateOptionsResult.Fail("Jwt:JwksRefreshMinutes must be between 5 and 1440");
        }

        if (!string.IsNullOrEmpty(options.Secret) && SecretProblem(options.Secret) is { } weak)
        {
            return ValidateOptionsResult.Fail(weak);
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

    /// <summary>"Jwt:Issuer", "Jwt:Audience", both, or null when both are set.</summary>
    public static string? MissingIssuerOrAudience(JwtOptions options) =>
        (string.IsNullOrWhiteSpace(options.Issuer), string.IsNullOrWhiteSpace(options.Audience)) switch
        {
            (true, true) => "Jwt:Issuer and Jwt:Audience",
            (true, false) => "Jwt:Issuer",
            (false, true) => "Jwt:Audience",
            _ => null,
        };

    /// <summary>Too short anywhere; one of the documents' example secrets outside Development.</summary>
    private string? SecretProblem(string secret)
    {
        if (Encoding.UTF8.GetByteCount(secret) < MinSecretBytes)
        {
            return $"Jwt:Secret must be at least {MinSecretBytes} bytes long";
        }

        return ExampleSecrets.Contains(secret) && !environment.IsDevelopment()
            ? "Jwt:Secret is the example secret from RawChat's documentation, which anyone can read: "
                + "set one of your own, e.g. from `openssl rand -hex 32`"
            : null;
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
