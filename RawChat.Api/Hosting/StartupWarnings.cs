using Microsoft.Extensions.Options;
using RawChat.Core.Auth;

namespace RawChat.Api.Hosting;

/// <summary>Settings that relax a safety check are allowed, and said out loud once at start-up.</summary>
internal static partial class StartupWarnings
{
    public static void LogStartupWarnings(this IServiceProvider services)
    {
        var jwt = services.GetRequiredService<IOptions<JwtOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupWarnings).FullName!);
        if (!string.IsNullOrWhiteSpace(jwt.JwksUrl) && jwt.AllowMissingIssuerAndAudience
            && jwt.MissingIssuerOrAudience() is { } missing)
        {
            LogIssuerOrAudienceUnchecked(logger, missing);
        }
    }

    [LoggerMessage(EventId = 620, Level = LogLevel.Warning, Message = "Jwt:AllowMissingIssuerAndAudience is set and {Missing} left unset: "
        + "tokens that the identity provider at Jwt:JwksUrl signed for any of its applications are accepted")]
    private static partial void LogIssuerOrAudienceUnchecked(ILogger logger, string missing);
}
