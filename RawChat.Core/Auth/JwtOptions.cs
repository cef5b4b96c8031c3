namespace RawChat.Core.Auth;

/// <summary>
/// Token validation settings (section <c>Jwt</c>; PROTOCOL §4). Configure a secret for HS256
/// (Django SimpleJWT's <c>SIGNING_KEY</c>), a PEM public key or a JWKS URL for RS256/ES256, or several.
/// </summary>
public sealed class JwtOptions
{
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

    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>
    /// The claim that marks a backend's token: it must be the JSON value <c>true</c> for the token to
    /// publish with <c>POST /api/rooms/{room}/messages</c>.
    /// </summary>
    public string ServiceClaim { get; set; } = "rawchat_service";
}
