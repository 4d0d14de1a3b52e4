using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Azure.Data.Tables;
using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Accounts;

/// <summary>
/// The answer of <c>GET /api/account/export</c> (docs/API.md, "Accounts"): everything stored about the user, never the
/// <c>session_key</c>.
/// </summary>
/// <param name="Profile">The profile as the client sees it, without <c>jwt</c> and <c>is_new</c>.</param>
/// <param name="CreatedAt">When the profile was created, Unix seconds.</param>
/// <param name="WalletTransactions">Every wallet ledger entry of the user, oldest key first.</param>
/// <param name="Shares">Every share report of the user.</param>
/// <param name="ExportedAt">When this export was made, Unix seconds.</param>
public sealed record AccountExport(
    JsonObject Profile,
    long CreatedAt,
    IReadOnlyList<ExportedWalletTransaction> WalletTransactions,
    IReadOnlyList<ExportedShare> Shares,
    long ExportedAt);

/// <summary>One wallet ledger entry, as <c>POST /api/server/apps/{app_id}/wallet/transactions</c> answers it (without <c>replayed</c>).</summary>
public sealed record ExportedWalletTransaction(string TransactionId, string OpenId, string Currency, long Delta, string Reason, long Balance, long CreatedAt);

/// <summary>One share report of <c>POST /api/play/share</c>; <see cref="ReportedAt"/> in Unix seconds.</summary>
public sealed record ExportedShare(string ShareId, string Scene, long ReportedAt);

/// <summary>
/// How the rows of other features read in an export: each maps one stored row (<see cref="UserRowKinds"/>) to its
/// exported shape by the property names of <see cref="WalletEntryEntity"/> and <see cref="ShareReportEntity"/>; the row's
/// own key (the RowKey after <c>~&lt;kind&gt;~&lt;open id&gt;~</c>) is the share id.
/// </summary>
public static class AccountExportRows
{
    /// <summary>A wallet ledger row (<see cref="UserRowKinds.Wallet"/>) as exported.</summary>
    public static ExportedWalletTransaction ToWalletTransaction(string openId, TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(
            Text(row, "TransactionId") ?? OwnKey(UserRowKinds.Wallet, openId, row),
            openId,
            Text(row, "Currency") ?? string.Empty,
            Number(row, "Delta"),
            Text(row, "Reason") ?? string.Empty,
            Number(row, "Balance"),
            Time(row, "CreatedAt"));
    }

    /// <summary>A share report row (<see cref="UserRowKinds.Share"/>) as exported.</summary>
    public static ExportedShare ToShare(string openId, TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(Text(row, "ShareId") ?? OwnKey(UserRowKinds.Share, openId, row), Text(row, "Scene") ?? string.Empty, Time(row, "ReportedAt"));
    }

    private static string OwnKey(UserRowKind kind, string openId, TableEntity row) => row.RowKey[kind.PrefixOf(openId).Length..];

    private static string? Text(TableEntity row, string name) => row.TryGetValue(name, out var value) && value is string text ? text : null;

    private static long Number(TableEntity row, string name) => row.TryGetValue(name, out var value) ? value switch
    {
        long number => number,
        int number => number,
        double number => (long)number,
        string text when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
        _ => 0,
    } : 0;

    private static long Time(TableEntity row, string name) => row.TryGetValue(name, out var value) && value is DateTimeOffset time
        ? time.ToUnixTimeSeconds()
        : row.TryGetValue(name, out value) && value is DateTime utc ? new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeSeconds() : Number(row, name);
}

[JsonSerializable(typeof(AccountExport))]
public sealed partial class AccountJson : JsonSerializerContext
{
    /// <summary>snake_case as the contract says; Chinese names left readable (HTML-sensitive characters stay escaped).</summary>
    public static AccountJson Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    });
}
