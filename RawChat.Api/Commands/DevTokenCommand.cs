using System.Globalization;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RawChat.Core.Auth;

namespace RawChat.Api.Commands;

/// <summary>
/// <c>token --user 42 --name alice [--rooms "lobby,team-*"] [--ttl 3600] [--service]</c>: prints an HS256
/// access token shaped like SimpleJWT's, signed with the configured <c>Jwt:Secret</c>, for local use.
/// <c>--service</c> adds the service claim (<c>Jwt:ServiceClaim</c>) that the publish API requires.
/// </summary>
public static class DevTokenCommand
{
    public static int Run(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        var options = ParseArguments(args);
        if (options is null)
        {
            error.WriteLine("usage: token --user ID [--name NAME] [--rooms \"a,b,team-*\"] [--ttl SECONDS] [--service]");
            return 2;
        }

        var secret = configuration["Jwt:Secret"];
        if (string.IsNullOrEmpty(secret))
        {
            error.WriteLine("RawChat: Jwt:Secret is not set (env Jwt__Secret); scripts/dev.sh sets it for you");
            return 1;
        }

        var serviceClaim = options.Value.Service ? configuration["Jwt:ServiceClaim"] ?? new JwtOptions().ServiceClaim : null;
        output.WriteLine(Create(secret, options.Value.User, options.Value.Name, options.Value.Rooms,
            TimeSpan.FromSeconds(options.Value.TtlSeconds), configuration["Jwt:Issuer"], configuration["Jwt:Audience"], serviceClaim));
        return 0;
    }

    public static string Create(string secret, string userId, string? name, string[]? rooms, TimeSpan lifetime,
        string? issuer = null, string? audience = null, string? serviceClaim = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["token_type"] = "access",
            ["user_id"] = long.TryParse(userId, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric)
                ? numeric : userId,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (name is not null)
        {
            claims["name"] = name;
        }

        if (rooms is not null)
        {
            claims["rooms"] = rooms;
        }

        if (serviceClaim is not null)
        {
            claims[serviceClaim] = true;
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Issuer = issuer,
            Audience = audience,
            SigningCredentials = new SigningCredentials(SigningKeys.FromSecret(secret), SecurityAlgorithms.HmacSha256),
        });
    }

    private static (string User, string? Name, string[]? Rooms, int TtlSeconds, bool Service)? ParseArguments(string[] args)
    {
        string? user = null, name = null;
        string[]? rooms = null;
        var ttl = 3600;
        var service = false;
        var rest = new List<string>();
        foreach (var arg in args)
        {
            if (arg == "--service")
            {
                service = true;
            }
            else
            {
                rest.Add(arg);
            }
        }

        args = [.. rest];
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--user": user = args[i + 1]; break;
                case "--name": name = args[i + 1]; break;
                case "--rooms": rooms = args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--ttl" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var seconds) && seconds > 0: ttl = seconds; break;
                default: return null;
            }
        }

        return args.Length % 2 == 0 && !string.IsNullOrEmpty(user) ? (user, name, rooms, ttl, service) : null;
    }
}
