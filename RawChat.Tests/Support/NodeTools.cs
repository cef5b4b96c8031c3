using NUnit.Framework;

namespace RawChat.Tests.Support;

/// <summary>
/// Where the Node.js test tools live: tests/browser in the repository, with its node_modules
/// (playwright-core, wscat) and Debian's chromium, all installed by scripts/test.sh. A missing
/// tool fails the test with what to run; it never skips it.
/// </summary>
public static class NodeTools
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder holding RawChat.sln, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot => Root.Value;

    public static string BrowserTests => Path.Combine(RepositoryRoot, "tests", "browser");

    public static string Chromium =>
        Environment.GetEnvironmentVariable("RAWCHAT_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>A file under tests/browser/node_modules; fails the test when npm ci has not installed it.</summary>
    public static string RequireModule(string relativePath)
    {
        var path = Path.Combine(BrowserTests, "node_modules", relativePath);
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing: the Node.js test tools are not installed. Run scripts/test.sh, which "
                + "installs them (npm ci in tests/browser), or run `npm ci` in tests/browser yourself.");
        }

        return path;
    }

    public static string RequireChromium()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Fail($"{Chromium} is missing. Run scripts/test.sh, which installs Debian's chromium with apt, "
                + "or run `apt-get install chromium` yourself.");
        }

        return Chromium;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RawChat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no RawChat.sln above {AppContext.BaseDirectory}");
    }
}
