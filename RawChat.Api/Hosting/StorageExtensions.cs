using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Core.Storage;

namespace RawChat.Api.Hosting;

internal static class StorageExtensions
{
    public static WebApplicationBuilder AddPostgres(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var source = new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.Postgres);
            // Prepare the few statements RawChat repeats (Npgsql's default is never to), unless
            // the connection string chose otherwise.
            if (source.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                source.ConnectionStringBuilder.MaxAutoPrepare = 16;
                source.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }

            return source.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Build();
        });
        builder.Services.AddSingleton<MessageStore>();
        builder.Services.AddSingleton<GroupCommitWriter>();
        builder.Services.AddSingleton<DatabaseMigrator>();
        return builder;
    }
}
