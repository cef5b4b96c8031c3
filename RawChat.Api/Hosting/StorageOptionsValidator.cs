using Microsoft.Extensions.Options;
using RawChat.Core.Storage;

namespace RawChat.Api.Hosting;

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        options.MaxBatchSize is < 1 or > 10_000
            ? ValidateOptionsResult.Fail("Storage:MaxBatchSize must be between 1 and 10000")
            : options.Writers is < 1 or > 64
                ? ValidateOptionsResult.Fail("Storage:Writers must be between 1 and 64")
                : ValidateOptionsResult.Success;
}
