using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RawChat.Tests.Infrastructure;

/// <summary>
/// A throw-away redis-server for a test run: its own loopback port and temp folder, no
/// persistence; optionally locked down with a password, ACL users and TLS
/// (<see cref="RedisServerSecurity"/>). <see cref="StopAsync"/> kills it outright, like a crashed Redis.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _executable;
    private readonly string _rootDir;
    private readonly ServerLog _log;
    private readonly ServerProcess _process;
    private readonly RedisServerSecurity _security;
    private readonly TestCertificates? _certificates;

    private RedisServer(string executable, string rootDir, RedisServerSecurity security)
    {
        _executable = executable;
        _rootDir = rootDir;
        _security = security;
        _log = new ServerLog(Path.Combine(_rootDir, "redis.log"));
        _process = new ServerProcess("redis-server", _log); // no stop signals: SIGKILL
        Port = FreePort.Next();
        _certificates = _security.Tls ? TestCertificates.Create(_rootDir) : null;
    }

    public int Port { get; private set; }

    /// <summary>redis-server output.</summary>
    public string LogPath => _log.Path;

    /// <summary>
    /// StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>, with TLS
    /// <c>127.0.0.1:6379,ssl=true,sslHost=localhost</c>. Credentials are the caller's to add.
    /// </summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}"
        + (_security.Tls ? ",ssl=true,sslHost=localhost" : "");

    /// <summary>With TLS, the PEM file of the private CA that signed the server's certificate.</summary>
    public string CaFile => _certificates?.CaFile ?? throw new InvalidOperationException("This redis-server runs without TLS.");

    public static Task<RedisServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new RedisServerSecurity(), cancellationToken);

    public static async Task<RedisServer> StartAsync(RedisServerSecurity security, CancellationToken cancellationToken = default)
    {
        var executable = Environment.GetEnvironmentVariable("RAWCHAT_REDIS_SERVER") is { Length: > 0 } configured
            ? configured
            : "redis-server";
        var server = new RedisServer(executable, Directory.CreateTempSubdirectory("rawchat-test-redis-").FullName, security);
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

    /// <summary>Kills the server (SIGKILL) and waits until it is gone. All data is lost.</summary>
    public Task StopAsync() => _process.StopAsync();

    /// <summary>Hangs the server (SIGSTOP): connections stay open, nothing answers.</summary>
    public void Freeze() => _process.Freeze();

    /// <summary>Lets a frozen server go on (SIGCONT).</summary>
    public void Resume() => _process.Resume();

    /// <summary>Starts an empty server again on the same port after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (_process.IsRunning)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }

        await StartProcessAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _log.Dispose();
        Directory.Delete(_rootDir, recursive: true);
    }

    /// <summary>A throw-away server on loopback: no persistence, everything under <paramref name="dir"/>.</summary>
    internal static List<string> Arguments(int port, string dir) =>
    [
        "--bind", "127.0.0.1",
        "--port", port.ToString(CultureInfo.InvariantCulture),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--dir", dir,
    ];

    /// <summary>The arguments, with TLS on the port instead of plain TCP when <see cref="security"/> asks for it.</summary>
    private List<string> SecuredArguments()
    {
        if (_certificates is null)
        {
            return Arguments(Port, _rootDir);
        }

        return
        [
            .. Arguments(0, _rootDir),
            "--tls-port", Port.ToString(CultureInfo.InvariantCulture),
            "--tls-cert-file", _certificates.CertificateFile,
            "--tls-key-file", _certificates.KeyFile,
            "--tls-ca-cert-file", _certificates.CaFile,
            "--tls-auth-clients", "no",
        ];
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var arguments = SecuredArguments();
        if (_security.AclUsers.Count > 0)
        {
            var aclFile = Path.Combine(_rootDir, "users.acl");
            var defaultUser = _security.Password is null ? "user default off" : $"user default on >{_security.Password} ~* &* +@all";
            await File.WriteAllLinesAsync(aclFile, [defaultUser, .. _security.AclUsers], cancellationToken);
            arguments.AddRange(["--aclfile", aclFile]);
        }
        else if (_security.Password is not null)
        {
            arguments.AddRange(["--requirepass", _security.Password]);
        }

        var info = new ProcessStartInfo(_executable, arguments)
        {
            WorkingDirectory = _rootDir,
        };
        try
        {
            _process.Start(info);
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not run '{_executable}': install redis-server or set RAWCHAT_REDIS_SERVER.", e);
        }

        await WaitUntilReadyAsync(cancellationToken);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            _process.ThrowIfExited();
            if (await AnswersPingAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        throw new TimeoutException($"redis-server did not answer PING on port {Port} within {StartTimeout.TotalSeconds} s.\n{_log.Tail()}");
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            await using var stream = await OpenAsync(client, timeout.Token);
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var reply = new StringBuilder();
            var buffer = new byte[64];
            while (!reply.ToString().Contains('\n', StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return false;
                }

                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            // A server that asks for credentials first is up too.
            return reply.ToString().StartsWith("+PONG", StringComparison.Ordinal)
                || reply.ToString().StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>The probe's stream: plain, or TLS trusting exactly the server's own certificate.</summary>
    private async Task<Stream> OpenAsync(TcpClient client, CancellationToken cancellationToken)
    {
        if (_certificates is null)
        {
            return client.GetStream();
        }

        var expected = new X509Certificate2Collection();
        expected.ImportFromPemFile(_certificates.CertificateFile);
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false,
            (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(expected[0].RawData));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancellationToken);
        return tls;
    }
}
