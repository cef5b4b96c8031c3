using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace RawChat.Tests.Infrastructure;

/// <summary>
/// A throw-away PostgreSQL server for a test run: its own data folder under /tmp, its own
/// loopback port, durability switched off. When the test process runs as root, initdb and
/// postgres run as the <c>postgres</c> OS user, because PostgreSQL refuses to run as root.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const int SigInt = 2;
    private const int SigQuit = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly string _rootDir;
    private readonly string _dataDir;
    private readonly PostgresCommands _commands;
    private readonly ServerLog _log;
    private readonly ServerProcess _process;

    private PostgresServer(string binDir, string rootDir)
    {
        _rootDir = rootDir;
        _dataDir = Path.Combine(_rootDir, "data");
        _commands = new PostgresCommands(binDir, _rootDir);
        _log = new ServerLog(Path.Combine(_rootDir, "postgres.log"));
        // A fast shutdown (SIGINT), then an immediate one (SIGQUIT), then a kill.
        _process = new ServerProcess("postgres", _log, (SigInt, StopTimeout), (SigQuit, TimeSpan.FromSeconds(10)));
        Port = FreePort.Next();
    }

    public int Port { get; private set; }

    /// <summary>Server output (initdb and postgres), kept next to the data folder.</summary>
    public string LogPath => _log.Path;

    public string ConnectionString => ConnectionStringFor("postgres");

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new PostgresServer(PostgresCommands.FindBinDir(), CreateRootDir());
        try
        {
            await server.InitDbAsync(cancellationToken);
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

    /// <summary>Creates a new empty database and returns a connection string for it.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= $"rawchat_{Guid.NewGuid():N}";
        if (!IdentifierPattern().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain lower-case database name.", nameof(name));
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionStringFor(name);
    }

    /// <summary>Hangs the server: the postmaster and every backend stopped (SIGSTOP), connections left open.</summary>
    public void Freeze() => _process.Freeze();

    /// <summary>Lets a frozen server go on (SIGCONT) where it stopped.</summary>
    public void Resume() => _process.Resume();

    /// <summary>Fast shutdown (SIGINT): open sessions are cut, the data folder is kept.</summary>
    public Task StopAsync() => _process.StopAsync();

    /// <summary>Starts the server again on the same port and data folder after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (_process.IsRunning)
        {
            throw new InvalidOperationException("PostgreSQL is already running.");
        }

        await StartProcessAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _log.Dispose();
        Directory.Delete(_rootDir, recursive: true);
    }

    private string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = true,
        MaxPoolSize = 20,
        ConnectionIdleLifetime = 30,
        Timeout = 15,
        CommandTimeout = 30,
        IncludeErrorDetail = true,
    }.ConnectionString;

    private async Task InitDbAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_dataDir);
        SetMode(_dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var step in _commands.InitDb(_dataDir))
        {
            await _log.RunToEndAsync(step, StartTimeout, cancellationToken);
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        _process.Start(_commands.Postgres(_dataDir, Port));
        await WaitUntilReadyAsync(cancellationToken);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 2 }.ConnectionString;
        var clock = Stopwatch.StartNew();
        NpgsqlException? lastError = null;
        while (clock.Elapsed < StartTimeout)
        {
            _process.ThrowIfExited();
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException e)
            {
                lastError = e;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        throw new TimeoutException($"postgres did not accept connections on port {Port} within {StartTimeout.TotalSeconds} s.\n{_log.Tail()}", lastError);
    }

    private static string CreateRootDir()
    {
        // Fixed /tmp rather than $TMPDIR: the postgres user must be able to reach the folder.
        var dir = Path.Combine("/tmp", $"rawchat-test-pg-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(dir);
        SetMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return dir;
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The PostgreSQL test server runs on Linux only.");
        }

        File.SetUnixFileMode(path, mode);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();
}
