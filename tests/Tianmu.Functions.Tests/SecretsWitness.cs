using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tianmu.Testing;

namespace Tianmu.Functions.Tests;

/// <summary>
/// Item 7 over the whole reliability suite: when a reliability test ends,
/// every answer (status line, headers, body) and every captured log line is searched for every secret the suite
/// has seen: the app secrets, the signing key, each session key WeChat handed out and each <c>encryptedData</c> sent.
/// </summary>
public static partial class SecretsWitness
{
    private static readonly ConcurrentDictionary<string, bool> Noted = new(StringComparer.Ordinal);
    private static long _answers;
    private static long _logLines;
    private static long _searches;

    public static long Answers => Interlocked.Read(ref _answers);

    public static long LogLines => Interlocked.Read(ref _logLines);

    public static long Searches => Interlocked.Read(ref _searches);

    public static int SecretsKnown => Noted.Count;

    public static void NoteSecret(string secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            Noted[secret] = true;
        }
    }

    /// <summary>Remembers the <c>encryptedData</c> of a body a test is about to send (when it has one).</summary>
    public static void NoteSealedBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("encryptedData", out var data)
                && data.ValueKind == JsonValueKind.String
                && data.GetString() is { Length: >= 16 } sealedData)
            {
                NoteSecret(sealedData);
            }
        }
        catch (JsonException)
        {
        }
    }

    /// <summary>Asserts that nothing this app answered or logged contains a known secret.</summary>
    public static void AssertClean(AppUnderTest app, WeChatStandIn weChat)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(weChat);
        string[] transcript = [.. app.Transcript];

        var lines = app.Host.Logs.Lines().ToArray();
        Interlocked.Add(ref _answers, transcript.Length);
        Interlocked.Add(ref _logLines, lines.Length);
        var secrets = new HashSet<string>(Noted.Keys, StringComparer.Ordinal) { TestHost.AppSecret, TestHost.OtherAppSecret, TestHost.ServerKey, TestHost.OtherServerKey, TestKeys.LegacySigningKey };
        secrets.UnionWith(TestKeys.CurrentSecrets);
        foreach (var key in weChat.IssuedSessionKeys)
        {
            secrets.Add(key);
        }

        foreach (var accessToken in weChat.IssuedAccessTokens)
        {
            secrets.Add(accessToken);
        }

        // JSON writers escape '+', '/' and '=' in strings: search the unescaped text too.
        var everything = string.Join('\n', transcript) + "\n" + string.Join('\n', lines);
        var unescaped = JsonEscape().Replace(everything, m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString()).Replace("\\/", "/", StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Interlocked.Increment(ref _searches);
            Assert.False(
                everything.Contains(secret, StringComparison.Ordinal) || unescaped.Contains(secret, StringComparison.Ordinal),
                $"A secret ({secret.Length} characters, starting {secret[..Math.Min(4, secret.Length)]}…) appeared in an answer or a log line.");
        }
    }

    [GeneratedRegex(@"\\u([0-9A-Fa-f]{4})")]
    private static partial Regex JsonEscape();
}
