using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Tianmu.WeChat.Tests.Sessions;

/// <summary>One log record as text: message, state values, scopes and exception, for searches.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Text);

/// <summary>Reads what a <see cref="FakeLogCollector"/> collected as <see cref="LogEntry"/> values.</summary>
public static class CollectedLogs
{
    /// <summary>A logging builder that writes every level into <paramref name="logs"/>.</summary>
    public static ILoggingBuilder AddCollector(this ILoggingBuilder logging, FakeLogCollector logs) =>
        logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs));

    /// <summary>Every record collected so far.</summary>
    public static IReadOnlyList<LogEntry> Entries(this FakeLogCollector logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        return [.. logs.GetSnapshot().Select(record => new LogEntry(record.Category ?? string.Empty, record.Level, record.Id, Text(record)))];
    }

    private static string Text(FakeLogRecord record)
    {
        var parts = new List<string> { record.Message };
        parts.AddRange((record.StructuredState ?? []).Select(pair => $"{pair.Key}={pair.Value}"));
        parts.AddRange(record.Scopes.Select(scope => $"scope {scope}"));
        if (record.Exception is not null)
        {
            parts.Add(record.Exception.ToString());
        }

        return string.Join(" | ", parts);
    }
}
