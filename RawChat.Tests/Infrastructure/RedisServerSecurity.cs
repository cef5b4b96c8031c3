namespace RawChat.Tests.Infrastructure;

/// <summary>How a test <see cref="RedisServer"/> is locked down; the default locks nothing.</summary>
public sealed record RedisServerSecurity
{
    /// <summary>The default user's password (<c>requirepass</c>); null: no password.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// ACL rules, one user a line as in an ACL file (<c>user rawchat on &gt;secret ~rawchat:* …</c>).
    /// When there are any, the default user is turned off, unless <see cref="Password"/> gives it one.
    /// </summary>
    public IReadOnlyList<string> AclUsers { get; init; } = [];

    /// <summary>
    /// TLS only, on the server's port (no plain port), with a certificate for <c>localhost</c> and
    /// <c>127.0.0.1</c> from a private CA (<see cref="RedisServer.CaFile"/>). Clients need no certificate.
    /// </summary>
    public bool Tls { get; init; }
}
