using System.Diagnostics;
using System.Runtime.InteropServices;
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
    private const int StartAttempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly string binDir;
    private readonly string rootDir;
    private readonly string dataDir;
    private readonly StreamWriter log;
    private readonly Lock logLock = new();
    private Process? process;
    private volatile bool sawAddressInUse;

    private PostgresServer(string binDir, string rootDir)
    {
        this.binDir = binDir;
        this.rootDir = rootDir;
        dataDir = Path.Combine(rootDir, "data");
        LogPath = Path.Combine(rootDir, "postgres.log");
        log = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        Port = FreePort.Next();
    }

    public int Port { get; private set; }

    /// <summary>Server output (initdb and postgres), kept next to the data folder.</summary>
    public string LogPath { get; }

    public string ConnectionString => ConnectionStringFor("postgres");

    private static bool RunsAsRoot => Environment.UserName == "root";

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new PostgresServer(FindBinDir(), CreateRootDir());
        try
        {
            await server.InitDbAsync(cancellationToken);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await server.StartProcessAsync(cancellationToken);
                    return server;
                }
                catch (InvalidOperationException) when (server.sawAddressInUse && attempt < StartAttempts)
                {
                    // Someone took the port between FreePort and postgres binding it: pick another.
                    await server.StopAsync();
                    server.Port = FreePort.Next();
                }
            }
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

    /// <summary>Fast shutdown (SIGINT): open sessions are cut, the data folder is kept.</summary>
    public async Task StopAsync()
    {
        var running = process;
        if (running is null)
        {
            return;
        }

        process = null;
        if (!running.HasExited)
        {
            Signal(running.Id, SigInt);
            if (!await ExitsWithinAsync(running, StopTimeout))
            {
                Signal(running.Id, SigQuit);
                if (!await ExitsWithinAsync(running, TimeSpan.FromSeconds(10)))
                {
                    running.Kill(entireProcessTree: true);
                    await running.WaitForExitAsync();
                }
            }
        }

        running.Dispose();
    }

    /// <summary>Starts the server again on the same port and data folder after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (process is not null)
        {
            throw new InvalidOperationException("PostgreSQL is already running.");
        }

        await StartProcessAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lock (logLock)
        {
            log.Dispose();
        }

        Directory.Delete(rootDir, recursive: true);
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
        Directory.CreateDirectory(dataDir);
        SetMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (RunsAsRoot)
        {
            await RunToEndAsync(new ProcessStartInfo("chown", ["postgres:postgres", dataDir]), cancellationToken);
        }

        await RunToEndAsync(
            AsServerUser(Path.Combine(binDir, "initdb"), "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"),
            cancellationToken);
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        sawAddressInUse = false;
        var started = Launch(AsServerUser(
            Path.Combine(binDir, "postgres"),
            "-D", dataDir,
            "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", dataDir,
            "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=300"));
        process = started;
        await WaitUntilReadyAsync(started, cancellationToken);
    }

    private async Task WaitUntilReadyAsync(Process started, CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 2 }.ConnectionString;
        var clock = Stopwatch.StartNew();
        NpgsqlException? lastError = null;
        while (clock.Elapsed < StartTimeout)
        {
            if (started.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with code {started.ExitCode} while starting.\n{LogTail()}");
            }

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

        throw new TimeoutException($"postgres did not accept connections on port {Port} within {StartTimeout.TotalSeconds} s.\n{LogTail()}", lastError);
    }

    private ProcessStartInfo AsServerUser(string program, params string[] arguments)
    {
        // setpriv execs in place (unlike runuser, which forks), so the process we hold is postgres
        // itself and signals sent to it reach the postmaster.
        var info = RunsAsRoot
            ? new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        info.WorkingDirectory = rootDir;
        return info;
    }

    private Process Launch(ProcessStartInfo info)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        WriteLog($"--- {DateTime.UtcNow:O} {info.FileName} {string.Join(' ', info.ArgumentList)}");
        var child = new Process { StartInfo = info };
        child.OutputDataReceived += (_, e) => WriteLog(e.Data);
        child.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return child;
    }

    private async Task RunToEndAsync(ProcessStartInfo info, CancellationToken cancellationToken)
    {
        using var child = Launch(info);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"{info.FileName} exited with code {child.ExitCode}.\n{LogTail()}");
        }
    }

    private void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("Address already in use", StringComparison.Ordinal))
        {
            sawAddressInUse = true;
        }

        lock (logLock)
        {
            log.WriteLine(line);
        }
    }

    private string LogTail(int lines = 40)
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return $"Last lines of {LogPath}:\n{string.Join('\n', all.TakeLast(lines))}";
    }

    private static async Task<bool> ExitsWithinAsync(Process running, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await running.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static void Signal(int pid, int signal)
    {
        const int NoSuchProcess = 3;
        if (Kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != NoSuchProcess)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
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

    private static string FindBinDir()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("RAWCHAT_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        const string Debian = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(Debian, "postgres")))
        {
            return Debian;
        }

        try
        {
            using var pgConfig = Process.Start(new ProcessStartInfo("pg_config", ["--bindir"]) { RedirectStandardOutput = true })!;
            var output = pgConfig.StandardOutput.ReadToEnd().Trim();
            pgConfig.WaitForExit();
            if (pgConfig.ExitCode == 0 && output.Length > 0)
            {
                return output;
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"PostgreSQL binaries not found: set RAWCHAT_PG_BIN or install postgresql-15 ({Debian}).", e);
        }

        throw new InvalidOperationException($"PostgreSQL binaries not found: set RAWCHAT_PG_BIN or install postgresql-15 ({Debian}).");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();
}
