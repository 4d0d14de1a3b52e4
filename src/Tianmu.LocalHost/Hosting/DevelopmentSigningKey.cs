using System.Security.Cryptography;

namespace Tianmu.LocalHost.Hosting;

/// <summary>
/// The local host's token key in Development when <c>Tianmu__Jwt__PrivateKey</c> is not set: a P-256 key kept in
/// <c>.tianmu/jwt-dev-key.pem</c> under the content root (git-ignored, readable by its owner only), generated on the
/// first run, so that tokens survive a restart of <c>dotnet run</c>. The Functions app itself, in Development without a
/// key, generates one per process instead (see <c>SigningKeys</c>).
/// </summary>
public static partial class DevelopmentSigningKey
{
    /// <summary>Where the key lives, relative to the content root.</summary>
    public static readonly string RelativePath = Path.Combine(".tianmu", "jwt-dev-key.pem");

    /// <summary>Sets <c>Tianmu:Jwt:PrivateKey</c> from the key file (made when missing) unless a key is configured.</summary>
    public static void Apply(WebApplicationBuilder builder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Environment.IsDevelopment() || !string.IsNullOrWhiteSpace(builder.Configuration["Tianmu:Jwt:PrivateKey"]))
        {
            return;
        }

        var path = Path.Combine(builder.Environment.ContentRootPath, RelativePath);
        builder.Configuration["Tianmu:Jwt:PrivateKey"] = LoadOrCreate(path, logger);
    }

    /// <summary>The PEM of the key file, creating the file first when missing (atomically: concurrent hosts agree on one key).</summary>
    public static string LoadOrCreate(string path, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            LogUsingKey(logger, path);
            return File.ReadAllText(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
            LogGeneratedKey(logger, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another host made it first: use that one.
            File.Delete(temporary);
            LogUsingKey(logger, path);
        }

        return File.ReadAllText(path);
    }

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning,
        Message = "Tianmu__Jwt__PrivateKey is not set: generated a development token key in {Path} (kept across restarts; never use it outside Development)")]
    private static partial void LogGeneratedKey(ILogger logger, string path);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Tianmu__Jwt__PrivateKey is not set: using the development token key in {Path}")]
    private static partial void LogUsingKey(ILogger logger, string path);
}
