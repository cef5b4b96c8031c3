namespace RawChat.Api.Redis;

/// <summary>
/// Section <c>Redis</c>: what the connection string (<c>ConnectionStrings:Redis</c>) cannot say.
/// Host, port, user, password and TLS on/off (<c>ssl=true,sslHost=…</c>) stay in the connection string.
/// </summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>
    /// PEM file of the certificate authority (or authorities) that signed the Redis server's TLS
    /// certificate. Set, the node trusts only these for Redis, not the machine's store; empty, the
    /// machine's store decides.
    /// </summary>
    public string TrustedCaFile { get; set; } = "";
}
