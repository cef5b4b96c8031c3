using System.Diagnostics;
using System.Globalization;

namespace RawChat.Tests.Infrastructure;

/// <summary>
/// The command lines of a throw-away PostgreSQL, its programs found through RAWCHAT_PG_BIN,
/// debian's postgresql-15 or pg_config. When the test process runs as root, initdb and postgres
/// run as the <c>postgres</c> OS user, because PostgreSQL refuses to run as root.
/// </summary>
internal sealed class PostgresCommands(string binDir, string workingDirectory)
{
    /// <summary>RAWCHAT_PG_BIN, else debian's postgresql-15, else what pg_config says.</summary>
    public static string FindBinDir()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("RAWCHAT_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        const string debian = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(debian, "postgres")))
        {
            return debian;
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
            throw new InvalidOperationException($"PostgreSQL binaries not found: set RAWCHAT_PG_BIN or install postgresql-15 ({debian}).", e);
        }

        throw new InvalidOperationException($"PostgreSQL binaries not found: set RAWCHAT_PG_BIN or install postgresql-15 ({debian}).");
    }

    /// <summary>Makes a cluster in <paramref name="dataDir"/>: hands the folder to the postgres user if needed, then initdb.</summary>
    public IEnumerable<ProcessStartInfo> InitDb(string dataDir)
    {
        if (RunsAsRoot)
        {
            yield return new ProcessStartInfo("chown", ["postgres:postgres", dataDir]);
        }

        yield return AsServerUser("initdb", "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync");
    }

    /// <summary>The server on a loopback port, its socket in the data folder, durability switched off.</summary>
    public ProcessStartInfo Postgres(string dataDir, int port) => AsServerUser(
        "postgres",
        "-D", dataDir,
        "-p", port.ToString(CultureInfo.InvariantCulture),
        "-k", dataDir,
        "-c", "listen_addresses=127.0.0.1",
        "-c", "fsync=off",
        "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off",
        "-c", "max_connections=300");

    private static bool RunsAsRoot => Environment.UserName == "root";

    private ProcessStartInfo AsServerUser(string program, params string[] arguments)
    {
        // setpriv execs in place (unlike runuser, which forks), so the process we hold is postgres
        // itself and signals sent to it reach the postmaster.
        var path = Path.Combine(binDir, program);
        var info = RunsAsRoot
            ? new ProcessStartInfo("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", path, .. arguments])
            : new ProcessStartInfo(path, arguments);
        info.WorkingDirectory = workingDirectory;
        return info;
    }
}
