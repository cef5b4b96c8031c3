using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace RawChat.Bench.Load;

/// <summary>
/// The one place that turns a JOSE header and a payload into a compact JWT (base64url parts joined
/// by dots, then the signature over the first two). The bench mints its tokens with it, and so do
/// the tests (TestTokens), hostile headers and all.
/// </summary>
internal static class CompactJws
{
    public static readonly byte[] Hs256Header = """{"alg":"HS256","typ":"JWT"}"""u8.ToArray();

    /// <param name="signer">Signs the ASCII signing input; null gives an empty signature (as with alg none).</param>
    public static string Sign(ReadOnlySpan<byte> headerJson, ReadOnlySpan<byte> payloadJson, Func<byte[], byte[]>? signer)
    {
        var signingInput = $"{Base64Url.EncodeToString(headerJson)}.{Base64Url.EncodeToString(payloadJson)}";
        var signature = signer is null ? "" : Base64Url.EncodeToString(signer(Encoding.ASCII.GetBytes(signingInput)));
        return $"{signingInput}.{signature}";
    }

    public static string SignHs256(ReadOnlySpan<byte> payloadJson, byte[] key) =>
        Sign(Hs256Header, payloadJson, data => HMACSHA256.HashData(key, data));
}
