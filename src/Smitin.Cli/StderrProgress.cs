namespace Smitin.Cli;

/// <summary>
/// Progress of a long command on stderr: a line when a stage starts and one each time it reaches the next bucket
/// (a tenth, a quarter, every 50 items: <paramref name="position"/> says which bucket a report is in). Thread-safe:
/// reports may come from worker threads. One implementation for every command (probe, judge train, eval).
/// </summary>
/// <param name="position">stage and bucket of a report; a line is printed when either changes</param>
/// <param name="line">the line printed (without the two-space indent)</param>
sealed class StderrProgress<T>(Func<T, (string Stage, int Bucket)> position, Func<T, string> line) : IProgress<T>
{
    readonly object _gate = new();
    (string Stage, int Bucket) _last = ("", -1);

    public void Report(T value)
    {
        var at = position(value);
        lock (_gate)
        {
            if (at == _last) return;
            _last = at;
            Console.Error.WriteLine("  " + line(value));
        }
    }
}
