using System.Globalization;

namespace Smitin.Models.Decoder;

/// <summary>
/// The kernel a decoder uses for a row count, and why.
/// </summary>
/// <param name="Rows">the row-count bucket (1, 2, 4, 8 or 16: rows up to it and above the previous one)</param>
/// <param name="Kernel">the chosen kernel</param>
/// <param name="Reason">measured, cached or override</param>
/// <param name="Milliseconds">time of one pass over the sampled matrices per candidate (empty for an override)</param>
/// <param name="Source">the override's source (env var / load option), or the sample that was timed</param>
/// <param name="Threads">libtorch threads during the timing</param>
public sealed record DecodeKernelChoice(int Rows, DecodeKernel Kernel, DecodeKernelReason Reason,
    IReadOnlyDictionary<DecodeKernel, double> Milliseconds, string Source, int Threads)
{
    /// <summary>One line, e.g. <c>decode kernel for ≤ 2 rows: wxt (measured on AMD EPYC [...], 2 threads: linear 12.1 ms, wxt 6.0 ms, mv 7.9 ms; 6 matrices, 48 MB)</c>.</summary>
    public string Describe(string cpu)
    {
        string rows = Rows == 1 ? "1 row" : $"≤ {Rows} rows";
        string times = string.Join(", ", Milliseconds.OrderBy(kv => kv.Key).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key.Name()} {kv.Value:F2} ms")));
        return Reason switch
        {
            DecodeKernelReason.Override => $"decode kernel for {rows}: {Kernel.Name()} (override by {Source}; not measured)",
            DecodeKernelReason.Cached => $"decode kernel for {rows}: {Kernel.Name()} (cached for {cpu}, {Threads} threads: {times}; {Source})",
            _ => $"decode kernel for {rows}: {Kernel.Name()} (measured on {cpu}, {Threads} threads: {times}; {Source})",
        };
    }
}
