using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace RawChat.Core.Auth;

/// <summary>Builds signing keys from configuration; shared by the validator and the dev-token command.</summary>
public static class SigningKeys
{
    public static SymmetricSecurityKey FromSecret(string secret) => new(Encoding.UTF8.GetBytes(secret));

    public static string? ReadPem(JwtOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicKeyPem))
        {
            return options.PublicKeyPem;
        }

        return string.IsNullOrWhiteSpace(options.PublicKeyPemFile) ? null : File.ReadAllText(options.PublicKeyPemFile);
    }

    public static AsymmetricSecurityKey FromPublicKeyPem(string pem)
    {
        if (pem.Contains("BEGIN EC", StringComparison.Ordinal) || IsEcPublicKey(pem))
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new RsaSecurityKey(rsa);
    }

    private static bool IsEcPublicKey(string pem)
    {
        using var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
