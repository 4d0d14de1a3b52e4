using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Tianmu.Testing;

/// <summary>An <see cref="IHostEnvironment"/> of a given name, for classes built without a host.</summary>
public sealed class TestEnvironment(string name) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = name;

    public string ApplicationName { get; set; } = "Tianmu.Tests";

    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}
