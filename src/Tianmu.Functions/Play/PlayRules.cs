using Tianmu.Functions.Profiles;

namespace Tianmu.Functions.Play;

/// <summary>
/// What one heartbeat does to a profile (docs/API.md, "POST /api/play/heartbeat"). Pure: the service runs it once per
/// write attempt on the row about to be written, so that a beat that lost a race recomputes from the winner's row.
/// </summary>
public static class PlayRules
{
    /// <summary>What a beat came to.</summary>
    /// <param name="Changed">True when the row must be written.</param>
    /// <param name="CreditedSeconds">Whole seconds added to <c>online_duration</c>.</param>
    public readonly record struct BeatOutcome(bool Changed, long CreditedSeconds);

    /// <summary>
    /// Applies one beat at the server's <paramref name="now"/>, with <c>last</c> = <see cref="ProfileEntity.PlaySessionLast"/>:
    /// <list type="bullet">
    /// <item>no session, or now − last &gt; <see cref="PlayOptions.MaxGap"/>: nothing credited, a new session starts at now
    /// (none when <paramref name="final"/>);</item>
    /// <item>now − last &lt; <see cref="PlayOptions.MinInterval"/> (also a negative gap: a login or beat stamped later
    /// landed first): nothing credited and nothing changed, except that a final beat still ends the session, so that
    /// time in the background is never credited;</item>
    /// <item>otherwise the whole seconds of now − last are credited and last advances by exactly those seconds; a credited
    /// beat on a later UTC+8 date than the last active day adds 1 to <c>online_days</c>; a final beat then ends the session.</item>
    /// </list>
    /// </summary>
    public static BeatOutcome Beat(ProfileEntity profile, DateTimeOffset now, bool final, PlayOptions options)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(options);
        var nowMs = now.ToUnixTimeMilliseconds();
        if (profile.PlaySessionLast is not { } last || nowMs - last > (long)options.MaxGap.TotalMilliseconds)
        {
            long? next = final ? null : nowMs;
            var changed = profile.PlaySessionLast != next;
            profile.PlaySessionLast = next;
            return new BeatOutcome(changed, 0);
        }

        var elapsedMs = nowMs - last;
        if (elapsedMs < (long)options.MinInterval.TotalMilliseconds)
        {
            if (!final)
            {
                return new BeatOutcome(false, 0);
            }

            profile.PlaySessionLast = null;
            return new BeatOutcome(true, 0);
        }

        var seconds = elapsedMs / 1000;
        profile.OnlineDuration += seconds;
        profile.PlaySessionLast = final ? null : last + (seconds * 1000);
        ProfileRules.MarkActive(profile, now);
        return new BeatOutcome(true, seconds);
    }
}
