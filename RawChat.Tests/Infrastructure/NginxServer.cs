using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace RawChat.Tests.Infrastructure;

/// <summary>
/// A real nginx (Debian's, or RAWCHAT_NGINX) running deploy/nginx.conf in a throw-away folder on a
/// free loopback port. Only what cannot work here changes: the upstream servers become the given
/// nodes, <c>listen</c> the free port, every log and temp path a file in the folder. Every other
/// directive, levels included, is the real file's, so a test of this server is a test of the file.
/// </summary>
public sealed partial class NginxServer : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] TempPaths = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"];

    private readonly string _executable;
    private readonly string _rootDir;
    private readonly string _source;
    private readonly IReadOnlyList<string> _upstreams;
    private readonly string? _errorLogLevel;
    private readonly ServerLog _log;
    private readonly ServerProcess _process;

    private NginxServer(string executable, string rootDir, string source, IReadOnlyList<string> upstreams, string? errorLogLevel)
    {
        _executable = executable;
        _rootDir = rootDir;
        _source = source;
        _upstreams = upstreams;
        _errorLogLevel = errorLogLevel;
        _log = new ServerLog(Path.Combine(_rootDir, "nginx.out"));
        // Fast shutdown (SIGTERM) closes open WebSockets at once; a graceful one would wait for them.
        _process = new ServerProcess("nginx", _log, (SigTerm, TimeSpan.FromSeconds(10)));
        Port = FreePort.Next();
    }

    public int Port { get; private set; }

    public Uri HttpBase => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    public Uri WsBase => new($"ws://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Where every <c>error_log</c> of the file writes.</summary>
    public string ErrorLogPath => Path.Combine(_rootDir, "error.log");

    /// <summary>Where every <c>access_log</c> of the file writes (in the file's own format).</summary>
    public string AccessLogPath => Path.Combine(_rootDir, "access.log");

    /// <summary>
    /// Starts nginx with <paramref name="configPath"/> in front of <paramref name="upstreams"/> (host:port,
    /// one per <c>server</c> line of the file's upstream). <paramref name="errorLogLevel"/> replaces the
    /// level of every <c>error_log</c>, to show what the file's levels keep out.
    /// </summary>
    public static async Task<NginxServer> StartAsync(string configPath, IReadOnlyList<string> upstreams,
        string? errorLogLevel = null, CancellationToken cancellationToken = default)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The nginx test server runs on Linux only.");
        }

        var rootDir = Path.Combine("/tmp", $"rawchat-test-nginx-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(rootDir);
        // Run as root, nginx's workers are `nobody`: they must reach the temp folders inside.
        File.SetUnixFileMode(rootDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var server = new NginxServer(FindExecutable(), rootDir, await File.ReadAllTextAsync(configPath, cancellationToken),
            upstreams, errorLogLevel);
        try
        {
            await server._process.StartWithPortRetryAsync(
                () => server.StartProcessAsync(cancellationToken), () => server.Port = FreePort.Next());
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public Uri Http(string pathAndQuery) => new(HttpBase, pathAndQuery);

    public Uri Ws(string pathAndQuery) => new(WsBase, pathAndQuery);

    public string ReadErrorLog() => ReadShared(ErrorLogPath);

    public string ReadAccessLog() => ReadShared(AccessLogPath);

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync();
        _log.Dispose();
        Directory.Delete(_rootDir, recursive: true);
    }

    /// <summary>The file with only the paths, the port and the upstream servers changed (and the log levels, if asked).</summary>
    internal static string Derive(string source, IReadOnlyList<string> upstreams, int port, string dir, string? errorLogLevel)
    {
        var servers = UpstreamServer().Matches(source);
        if (servers.Count != upstreams.Count)
        {
            throw new ArgumentException($"nginx.conf has {servers.Count} upstream servers, the test gave {upstreams.Count}.", nameof(upstreams));
        }

        var next = 0;
        var config = UpstreamServer().Replace(source, m => m.Groups["lead"].Value + upstreams[next++]);
        config = Replace(config, Listen(), _ => $"listen 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)};");
        config = Replace(config, ErrorLog(), m =>
            $"error_log {Path.Combine(dir, "error.log")} {errorLogLevel ?? (m.Groups["level"].Success ? m.Groups["level"].Value : "error")};");
        config = AccessLog().Replace(config, m => m.Groups["target"].Value == "off"
            ? m.Value
            : $"access_log {Path.Combine(dir, "access.log")}{m.Groups["rest"].Value};");
        var temps = string.Concat(TempPaths.Select(t => $"\n    {t}_temp_path {Path.Combine(dir, t)};"));
        return Replace(config, HttpBlock(), m => m.Value + temps);
    }

    private static string Replace(string text, Regex pattern, MatchEvaluator evaluator)
    {
        if (!pattern.IsMatch(text))
        {
            throw new ArgumentException($"nginx.conf has nothing matching {pattern}.", nameof(text));
        }

        return pattern.Replace(text, evaluator);
    }

    private static string FindExecutable() =>
        Environment.GetEnvironmentVariable("RAWCHAT_NGINX") is { Length: > 0 } configured ? configured
        : File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx"
        : "nginx";

    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var configPath = Path.Combine(_rootDir, "nginx.conf");
        await File.WriteAllTextAsync(configPath, Derive(_source, _upstreams, Port, _rootDir, _errorLogLevel), cancellationToken);
        // -e: the log nginx uses before it has read the file. -g: a foreground process with its pid here.
        var info = new ProcessStartInfo(_executable,
            ["-p", _rootDir + "/", "-c", configPath, "-e", ErrorLogPath, "-g", $"daemon off; pid {Path.Combine(_rootDir, "nginx.pid")};"])
        {
            WorkingDirectory = _rootDir,
        };
        try
        {
            _process.Start(info);
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Could not run '{_executable}': install nginx (scripts/test.sh does, with apt) or set RAWCHAT_NGINX.", e);
        }

        await WaitUntilListeningAsync(cancellationToken);
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            _process.ThrowIfExited();
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }

        throw new TimeoutException($"nginx did not listen on port {Port} within {StartTimeout.TotalSeconds} s.\n{_log.Tail()}\n{ReadErrorLog()}");
    }

    [GeneratedRegex(@"^(?<lead>\s*server\s+)[A-Za-z0-9_.-]+:\d+", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"\blisten\s+\d+;")]
    private static partial Regex Listen();

    [GeneratedRegex(@"\berror_log\s+\S+?(\s+(?<level>[a-z]+))?;")]
    private static partial Regex ErrorLog();

    [GeneratedRegex(@"\baccess_log\s+(?<target>[^\s;]+)(?<rest>[^;]*);")]
    private static partial Regex AccessLog();

    [GeneratedRegex(@"\bhttp\s*\{")]
    private static partial Regex HttpBlock();
}
