using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RawChat.Api.Logging;

internal static class SafeLoggingExtensions
{
    /// <summary>
    /// No token in any log line, whatever the configuration says: every logger redacts credentials
    /// (<see cref="RedactingLoggerFactory"/>). The filters below only save work: request logging
    /// would print URLs, which may carry <c>?token=</c>, and a provider's own rules in the
    /// configuration (<c>Logging:Console:LogLevel:Default=Trace</c>) override them.
    /// </summary>
    public static WebApplicationBuilder AddSafeLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Warning);
        // Npgsql logs every SQL statement at Information; keep its warnings and errors only.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(new LoggerFactory(
            sp.GetServices<ILoggerProvider>(),
            sp.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            sp.GetService<IOptions<LoggerFactoryOptions>>(),
            sp.GetService<IExternalScopeProvider>()))));
        return builder;
    }
}
