using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace RawChat.Core.Auth;

/// <summary>
/// The signing keys an identity provider publishes as a JWKS document (<c>Jwt:JwksUrl</c>), cached by
/// Microsoft.IdentityModel's <see cref="ConfigurationManager{T}"/>: read on first use, again every
/// <c>Jwt:JwksRefreshMinutes</c> (plus a little jitter), and at once when a token names a key the cache
/// does not hold — at most once per <see cref="UnknownKeyRefreshInterval"/>, so made-up <c>kid</c>s cannot
/// hammer the provider. A failed read keeps the keys already known.
/// <para>
/// "At once" relies on IdentityModel's blocking mode (<c>Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking</c>,
/// set for every process in Directory.Build.props): the request that meets a new <c>kid</c> waits for the
/// re-read. Without the switch that request is refused while the re-read runs in the background, and the
/// next one passes.
/// </para>
/// </summary>
internal sealed partial class JwksKeys
{
    public static readonly TimeSpan UnknownKeyRefreshInterval = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly ConfigurationManager<JsonWebKeySet> _manager;
    private volatile KeysOfSet? _current;

    public JwksKeys(string url, TimeSpan automaticRefresh, ILogger logger)
    {
        var uri = new Uri(url);
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = FetchTimeout,
            MaxResponseContentBufferSize = 1024 * 1024,
        };
        var documents = new HttpDocumentRetriever(http) { RequireHttps = !IsLoopback(uri) };
        _manager = new ConfigurationManager<JsonWebKeySet>(url, new Retriever(logger), documents)
        {
            AutomaticRefreshInterval = automaticRefresh,
            RefreshInterval = UnknownKeyRefreshInterval,
        };
    }

    /// <summary>Plain <c>http</c> is allowed only for a provider on this machine (a sidecar, the tests).</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>The current signing keys; null when the JWKS has never been read successfully.</summary>
    public async Task<IReadOnlyList<SecurityKey>?> GetAsync(CancellationToken ct = default)
    {
        JsonWebKeySet set;
        try
        {
            set = await _manager.GetConfigurationAsync(ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return null; // never read; the retriever logged why
        }

        var current = _current;
        if (current is not null && ReferenceEquals(current.Set, set))
        {
            return current.Keys;
        }

        var keys = set.GetSigningKeys().ToList();
        _current = new KeysOfSet(set, keys);
        return keys;
    }

    /// <summary>A token named a key we do not hold: re-read the JWKS on the next <see cref="GetAsync"/>, if allowed yet.</summary>
    public void RequestRefresh() => _manager.RequestRefresh();

    [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "Reading the JWKS from {Url} failed")]
    private static partial void LogFetchFailed(ILogger logger, Exception error, string url);

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "Read {Count} signing keys from the JWKS at {Url}")]
    private static partial void LogFetched(ILogger logger, int count, string url);

    /// <summary>One object, so that a concurrent reader never pairs a set with another read's keys.</summary>
    private sealed record KeysOfSet(JsonWebKeySet Set, IReadOnlyList<SecurityKey> Keys);

    private sealed class Retriever(ILogger logger) : IConfigurationRetriever<JsonWebKeySet>
    {
        public async Task<JsonWebKeySet> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            try
            {
                var set = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false));
                LogFetched(logger, set.Keys.Count, address);
                return set;
            }
            catch (Exception e) when (e is IOException or ArgumentException or HttpRequestException or TaskCanceledException)
            {
                LogFetchFailed(logger, e, address);
                throw;
            }
        }
    }
}
