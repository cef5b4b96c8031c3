using System.ComponentModel.DataAnnotations;
using System.Text;

namespace RawChat.Core.Auth;

/// <summary>
/// Token validation settings (section <c>Jwt</c>; docs/protocol.md §4). Configure a secret for HS256
/// (Django SimpleJWT's <c>SIGNING_KEY</c>), a PEM public key or a JWKS URL for RS256/ES256, or several.
/// </summary>
public sealed class JwtOptions : IValidatableObject
{
    // HMAC-SHA256 keys shorter than the hash are refused by Microsoft.IdentityModel.
    private const int MinSecretBytes = 32;

    public const string SectionName = "Jwt";

    /// <summary>HS256 shared secret, as text (its UTF-8 bytes are the key, as in SimpleJWT).</summary>
    public string? Secret { get; set; }

    /// <summary>An RSA or EC public key in PEM form, inline.</summary>
    public string? PublicKeyPem { get; set; }

    /// <summary>Path of a PEM file holding the public key (used when <see cref="PublicKeyPem"/> is empty).</summary>
    public string? PublicKeyPemFile { get; set; }

    /// <summary>
    /// URL of an identity provider's JSON Web Key Set (RS256/ES256 keys, chosen by <c>kid</c>), e.g.
    /// <c>https://idp.example.com/.well-known/jwks.json</c>. https, or http on a loopback address.
    /// </summary>
    public string? JwksUrl { get; set; }

    /// <summary>How often the JWKS is read again (5–1440 minutes); an unknown <c>kid</c> also re-reads it.</summary>
    [Range(5, 1440)]
    public int JwksRefreshMinutes { get; set; } = 60;

    /// <summary>Required <c>iss</c>; checked when set, and required to be set with <see cref="JwksUrl"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>Required <c>aud</c>; checked when set, and required to be set with <see cref="JwksUrl"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// An identity provider signs tokens for every application it serves, so with <see cref="JwksUrl"/> a node
    /// refuses to start unless <see cref="Issuer"/> and <see cref="Audience"/> say which tokens are meant for it.
    /// true lets it start without them (a warning at start-up says so).
    /// </summary>
    public bool AllowMissingIssuerAndAudience { get; set; }

    [Range(0, 3600)]
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// The claim that marks a backend's token: it must be the JSON value <c>true</c> for the token to
    /// publish with <c>POST /api/rooms/{room}/messages</c>.
    /// </summary>
    [Required]
    [RegularExpression(@"^\S+$", ErrorMessage = "{0} must be a claim name without spaces, e.g. rawchat_service")]
    public string ServiceClaim { get; set; } = "rawchat_service";

    /// <summary>"Jwt:Issuer", "Jwt:Audience", both, or null when both are set.</summary>
    public string? MissingIssuerOrAudience() =>
        (string.IsNullOrWhiteSpace(Issuer), string.IsNullOrWhiteSpace(Audience)) switch
        {
            (true, true) => "Jwt:Issuer and Jwt:Audience",
            (true, false) => "Jwt:Issuer",
            (false, true) => "Jwt:Audience",
            _ => null,
        };

    /// <summary>
    /// The rules that span settings. Reading the key file, the key itself and the documents' example
    /// secrets are checked by the host (RawChat.Api/Auth/JwtKeyValidator).
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var jwks = !string.IsNullOrWhiteSpace(JwksUrl);
        if (string.IsNullOrEmpty(Secret) && string.IsNullOrWhiteSpace(PublicKeyPem) && string.IsNullOrWhiteSpace(PublicKeyPemFile) && !jwks)
        {
            yield return new ValidationResult(
                "Jwt:Secret (env Jwt__Secret, HS256), Jwt:PublicKeyPem / Jwt:PublicKeyPemFile or Jwt:JwksUrl (RS256/ES256) must be set");
        }

        if (jwks && JwksUrlProblem(JwksUrl!) is { } problem)
        {
            yield return new ValidationResult(problem);
        }

        if (jwks && !AllowMissingIssuerAndAudience && MissingIssuerOrAudience() is { } missing)
        {
            yield return new ValidationResult(
                $"{missing} must be set with Jwt:JwksUrl: the identity provider signs tokens for other applications too "
                + "(Jwt:AllowMissingIssuerAndAudience=true accepts them all)");
        }

        if (!string.IsNullOrEmpty(Secret) && Encoding.UTF8.GetByteCount(Secret) < MinSecretBytes)
        {
            yield return new ValidationResult($"Jwt:Secret must be at least {MinSecretBytes} bytes long");
        }
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
