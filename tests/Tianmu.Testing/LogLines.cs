using Microsoft.Extensions.Logging.Testing;

namespace Tianmu.Testing;

/// <summary>The app's log as text, for searches: level, category, event id, message, every state value and the exception.</summary>
public static class LogLines
{
    /// <summary>One line per record collected so far.</summary>
    public static IReadOnlyList<string> Lines(this FakeLogCollector logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        return [.. logs.GetSnapshot().Select(Format)];
    }

    /// <summary>Every line, joined.</summary>
    public static string All(this FakeLogCollector logs) => string.Join('\n', logs.Lines());

    private static string Format(FakeLogRecord record)
    {
        var values = record.StructuredState is { } state ? string.Join(' ', state.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
        return $"{record.Level} {record.Category} [{record.Id.Id}] {record.Message} {values} {record.Exception}";
    }
}
