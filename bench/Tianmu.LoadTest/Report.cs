using System.Globalization;
using System.Text;

namespace Tianmu.LoadTest;

/// <summary>The run as markdown tables, ready for docs/PERFORMANCE.md.</summary>
internal static class Report
{
    public static string Markdown(RunOptions options, LoadReport? load, IReadOnlyList<ColdStartResult>? cold)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        if (load is not null)
        {
            text.AppendLine(culture, $"Load: {options.Requests} requests per phase after {options.Warmup} warm-up requests, partition buckets {load.Buckets}.");
            text.AppendLine();
            text.AppendLine("| concurrency | phase | requests/s | p50 ms | p95 ms | p99 ms | errors |");
            text.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
            foreach (var p in load.Phases)
            {
                text.AppendLine(culture, $"| {p.Concurrency} | {p.Name} | {p.Throughput:F0} | {p.P50:F2} | {p.P95:F2} | {p.P99:F2} | {p.Errors} |");
            }

            text.AppendLine();
            text.AppendLine(culture, $"Local host peak RSS (VmHWM) over the whole run: {load.HostPeakMiB:F0} MiB (at the end: {load.HostCurrentMiB:F0} MiB); Azurite peak: {load.AzuritePeakMiB:F0} MiB.");
            text.AppendLine();
            text.AppendLine("Overhead ratio at p50 (Tianmu latency / bare storage latency at the same concurrency; each request ran interleaved with its bare work, same workers and index generator):");
            text.AppendLine();
            text.AppendLine("| concurrency | request | Tianmu p50 ms | bare storage p50 ms | **ratio** | WeChat leg p50 ms | ratio without the WeChat leg | bare HTTP + storage p50 ms | ratio to bare HTTP + storage, without the WeChat leg |");
            text.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var c in load.Phases.Select(p => p.Concurrency).Distinct())
            {
                var wechat = load.Get(Names.WeChatLeg, c).P50;
                Row(text, c, load.Get(Names.NewLogin, c), load.Get(Names.BareInsert, c), wechat, load.Get(Names.BareHttpInsert, c));
                Row(text, c, load.Get(Names.ReturningLogin, c), load.Get(Names.BareReplace, c), wechat, load.Get(Names.BareHttpReplace, c));
                Row(text, c, load.Get(Names.UpdateUserInfo, c), load.Get(Names.BareReplaceBesideUpdate, c), null, load.Get(Names.BareHttpReplace, c));
                Row(text, c, load.Get(Names.ProfileUpdate, c), load.Get(Names.BareReplaceBesideProfile, c), null, load.Get(Names.BareHttpReplace, c));
            }

            text.AppendLine();
            text.AppendLine("Wallet transactions, each phase interleaved request by request with its bare storage work (target p50 ratio ≤ 1.15):");
            text.AppendLine();
            text.AppendLine("| concurrency | request | Tianmu p50 ms | bare storage p50 ms | **ratio** |");
            text.AppendLine("|---:|---|---:|---:|---:|");
            foreach (var c in load.Phases.Select(p => p.Concurrency).Distinct())
            {
                foreach (var (tianmu, bare) in WalletLoad.Pairs)
                {
                    var t = load.Get(tianmu, c);
                    var b = load.Get(bare, c);
                    text.AppendLine(culture, $"| {c} | {t.Name} | {t.P50:F2} | {b.P50:F2} | **{t.P50 / b.P50:F2}** |");
                }
            }

            text.AppendLine();
            text.AppendLine("Play time and shares, each interleaved with its bare storage work in the same phase (p50 ratio):");
            text.AppendLine();
            text.AppendLine("| concurrency | request | Tianmu p50 ms | bare storage p50 ms | **ratio** | target |");
            text.AppendLine("|---:|---|---:|---:|---:|---|");
            foreach (var c in load.Phases.Select(p => p.Concurrency).Distinct())
            {
                var credited = load.Get(Names.CreditedBeat, c);
                var early = load.Get(Names.EarlyBeat, c);
                PlayRow(text, c, credited, load.Get(Names.BareBeat, c), "≤ 1.15");
                PlayRow(text, c, early, load.Get(Names.BareRead, c), "");
                PlayRow(text, c, load.Get(Names.Share, c), load.Get(Names.BareShare, c), "");
                text.AppendLine(culture, $"| {c} | early beat / credited beat | {early.P50:F2} | {credited.P50:F2} | **{early.P50 / credited.P50:F2}** | ≤ 0.6 |");
            }

            text.AppendLine();
            text.AppendLine("Interleaved with the bare baseline (alternate requests from the same workers):");
            text.AppendLine();
            text.AppendLine("| concurrency | request | Tianmu p50 ms | bare storage p50 ms | **ratio** |");
            text.AppendLine("|---:|---|---:|---:|---:|");
            foreach (var c in load.Phases.Select(p => p.Concurrency).Distinct())
            {
                var (tianmu, bare) = (load.Get(Names.TokenRefresh, c), load.Get(Names.BareReadBesideRefresh, c));
                text.AppendLine(culture, $"| {c} | {tianmu.Name} | {tianmu.P50:F2} | {bare.P50:F2} | **{tianmu.P50 / bare.P50:F2}** |");
            }

            text.AppendLine();
        }

        if (cold is not null)
        {
            text.AppendLine(culture, $"Cold start: process start to the first answered login (200), median of {options.ColdRuns} runs.");
            text.AppendLine();
            text.AppendLine("| variant | median ms | runs ms | peak RSS MiB |");
            text.AppendLine("|---|---:|---|---:|");
            foreach (var r in cold)
            {
                var runs = string.Join(", ", r.Runs.Select(t => t.ToString("F0", culture)));
                var peak = r.PeakMiB > 0 ? r.PeakMiB.ToString("F0", culture) : "";
                text.AppendLine(culture, $"| {r.Label} | {r.Median:F0} | {runs} | {peak} |");
            }
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, int concurrency, PhaseResult tianmu, PhaseResult bare, double? wechat, PhaseResult bareHttp)
    {
        var culture = CultureInfo.InvariantCulture;
        var ratio = tianmu.P50 / bare.P50;
        var without = wechat is { } w ? ((tianmu.P50 - w) / bare.P50).ToString("F2", culture) : "n/a (no WeChat call)";
        var wechatText = wechat is { } v ? v.ToString("F2", culture) : "";
        var ownWork = (tianmu.P50 - (wechat ?? 0)) / bareHttp.P50;
        text.AppendLine(culture, $"| {concurrency} | {tianmu.Name} | {tianmu.P50:F2} | {bare.P50:F2} | **{ratio:F2}** | {wechatText} | {without} | {bareHttp.P50:F2} | {ownWork:F2} |");
    }

    private static void PlayRow(StringBuilder text, int concurrency, PhaseResult tianmu, PhaseResult bare, string target) =>
        text.AppendLine(CultureInfo.InvariantCulture, $"| {concurrency} | {tianmu.Name} | {tianmu.P50:F2} | {bare.P50:F2} | **{tianmu.P50 / bare.P50:F2}** | {target} |");
}
