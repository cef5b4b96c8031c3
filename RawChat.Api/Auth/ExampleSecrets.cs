namespace RawChat.Api.Auth;

/// <summary>
/// HS256 secrets that RawChat's documents show or showed as examples (the README's Docker Compose section, now docs/operations.md,
/// had the first, and people paste first and read later). Anyone can read them, so outside Development a
/// node refuses to start with one. <c>ExampleSecretTests</c> finds every example secret in README.md,
/// docs/, docker-compose.yml and scripts/ and checks that each is refused.
/// </summary>
internal static class ExampleSecrets
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "at-least-32-characters-of-real-secret",
    };

    public static bool Contains(string secret) => Known.Contains(secret.Trim());
}
