using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RawChat.Core.Auth;

/// <summary>
/// Validates access tokens as docs/protocol.md §4 says: only the configured algorithms (HS256 for a
/// secret, RS256/ES256 for a public key or a JWKS URL, never <c>none</c>), <c>exp</c> required, <c>nbf</c>,
/// optional issuer and audience, a configurable clock skew.
/// </summary>
public sealed class TokenValidator
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly List<SecurityKey> _staticKeys = [];
    private readonly JwksKeys? _jwks;
    private readonly string _serviceClaim;
    private volatile WithJwks? _withJwks;

    public TokenValidator(IOptions<JwtOptions> options, ILogger<TokenValidator>? logger = null)
    {
        var jwt = options.Value;
        var algorithms = new List<string>();
        if (!string.IsNullOrEmpty(jwt.Secret))
        {
            _staticKeys.Add(SigningKeys.FromSecret(jwt.Secret));
            algorithms.Add(SecurityAlgorithms.HmacSha256);
        }

        var pem = SigningKeys.ReadPem(jwt);
        if (pem is not null)
        {
            _staticKeys.Add(SigningKeys.FromPublicKeyPem(pem));
        }

        if (!string.IsNullOrWhiteSpace(jwt.JwksUrl))
        {
            _jwks = new JwksKeys(jwt.JwksUrl, TimeSpan.FromMinutes(jwt.JwksRefreshMinutes),
                (ILogger?)logger ?? NullLogger.Instance);
        }

        if (pem is not null || _jwks is not null)
        {
            algorithms.Add(SecurityAlgorithms.RsaSha256);
            algorithms.Add(SecurityAlgorithms.EcdsaSha256);
        }

        _serviceClaim = jwt.ServiceClaim;
        ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds);
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = _staticKeys,
            ValidAlgorithms = algorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            ValidateIssuer = !string.IsNullOrEmpty(jwt.Issuer),
            ValidIssuer = jwt.Issuer,
            ValidateAudience = !string.IsNullOrEmpty(jwt.Audience),
            ValidAudience = jwt.Audience,
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = true,
        };
    }

    public TimeSpan ClockSkew { get; }

    public async Task<TokenValidationOutcome> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenValidationOutcome.Invalid("token missing");
        }

        if (token.Length > 8192)
        {
            return TokenValidationOutcome.Invalid("token too long");
        }

        TokenValidationResult result;
        try
        {
            var jwks = await JwksKeysAsync().ConfigureAwait(false);
            result = await _handler.ValidateTokenAsync(token, ParametersWith(jwks)).ConfigureAwait(false);
            if (_jwks is not null && result.Exception is SecurityTokenSignatureKeyNotFoundException)
            {
                if (jwks is null)
                {
                    // The JWKS has never been read: the token may be fine. The configuration manager
                    // retries the read with its own backoff; this request is told to come back.
                    return TokenValidationOutcome.KeysUnavailable;
                }

                // A key we do not hold: the provider may have rotated. Re-read its JWKS (at most once
                // per interval) and try once more if that brought new keys.
                _jwks.RequestRefresh();
                var refreshed = await JwksKeysAsync().ConfigureAwait(false);
                if (refreshed is not null && !ReferenceEquals(refreshed, jwks))
                {
                    result = await _handler.ValidateTokenAsync(token, ParametersWith(refreshed)).ConfigureAwait(false);
                }
            }
        }
        catch (ArgumentException)
        {
            return TokenValidationOutcome.Invalid("malformed token");
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return TokenValidationOutcome.Invalid(Describe(result.Exception));
        }

        try
        {
            return TokenClaims.Read(jwt.EncodedPayload, jwt.ValidTo, _serviceClaim);
        }
        catch (System.Text.Json.JsonException)
        {
            return TokenValidationOutcome.Invalid("malformed token");
        }
    }

    private async Task<IReadOnlyList<SecurityKey>?> JwksKeysAsync() =>
        _jwks is null ? null : await _jwks.GetAsync().ConfigureAwait(false);

    /// <summary>The configured keys plus the provider's current ones (built once per JWKS read).</summary>
    private TokenValidationParameters ParametersWith(IReadOnlyList<SecurityKey>? jwks)
    {
        if (jwks is null)
        {
            return _parameters;
        }

        var cached = _withJwks;
        if (cached is not null && ReferenceEquals(cached.Jwks, jwks))
        {
            return cached.Parameters;
        }

        var parameters = _parameters.Clone();
        parameters.IssuerSigningKeys = [.. _staticKeys, .. jwks];
        _withJwks = new WithJwks(jwks, parameters);
        return parameters;
    }

    /// <summary>One object, so that concurrent validations never see keys and parameters of different reads.</summary>
    private sealed record WithJwks(IReadOnlyList<SecurityKey> Jwks, TokenValidationParameters Parameters);

    // Fixed texts: exception messages may quote parts of the token.
    private static string Describe(Exception? error) => error switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no exp claim",
        SecurityTokenInvalidAlgorithmException => "signing algorithm not allowed",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "bad signature",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenMalformedException => "malformed token",
        _ => "invalid token",
    };
}
