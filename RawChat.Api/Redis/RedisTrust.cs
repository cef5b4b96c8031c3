using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RawChat.Api.Redis;

/// <summary>TLS to Redis with a private certificate authority (<see cref="RedisOptions.TrustedCaFile"/>).</summary>
internal static class RedisTrust
{
    /// <summary>The certificates in a PEM file; throws when it cannot be read or holds none.</summary>
    public static X509Certificate2Collection LoadAuthorities(string pemFile)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(pemFile);
        return authorities.Count > 0 ? authorities : throw new InvalidDataException("it holds no PEM certificate");
    }

    /// <summary>
    /// Accepts the server's certificate when it matches the host name TLS checked (<c>sslHost</c>)
    /// and chains up to one of <paramref name="authorities"/>, and to nothing else.
    /// </summary>
    public static RemoteCertificateValidationCallback OnlyFrom(X509Certificate2Collection authorities) =>
        (_, certificate, presented, errors) =>
        {
            // Any problem but an unknown root (a missing or misnamed certificate) is final.
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // private CAs rarely publish revocation lists
            foreach (var element in presented?.ChainElements ?? Enumerable.Empty<X509ChainElement>())
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate); // intermediates the server sent
            }

            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
}
