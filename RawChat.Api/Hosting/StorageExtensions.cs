using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Core.Storage;

namespace RawChat.Api.Hosting;

internal static class StorageExtensions
{
    public static WebApplicationBuilder AddPostgres(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
            new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.Postgres)
                .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
                .Build());
        builder.Services.AddSingleton<MessageStore>();
        builder.Services.AddSingleton<GroupCommitWriter>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        return builder;
    }
}
