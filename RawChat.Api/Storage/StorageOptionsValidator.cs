using Microsoft.Extensions.Options;
using RawChat.Core.Storage;

namespace RawChat.Api.Storage;

/// <summary>The <c>[Range]</c>/<c>[Required]</c> attributes and cross-field rules of <see cref="StorageOptions"/>, generated.</summary>
[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;
